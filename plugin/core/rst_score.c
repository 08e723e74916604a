/* rst_score.c: did the claimed sender send this RST, or a device on the path?
 *
 * A forger on the path writes the RST in the name of one endpoint but with
 * its own IP stack and its own network port, so the RST differs from that
 * endpoint's genuine packets in the same connection:
 *  - TTL / hop limit: the forger sits at another distance (Clayton et al.
 *    2006; Weaver, Sommer, Paxson, NDSS 2009);
 *  - source MAC: the forger's own port, not the one the endpoint's packets
 *    arrive through;
 *  - seq 0 where the RST generation rule (rst_classify.c) forbids it.
 * The comparison uses every genuine (non-RST) packet of the claimed sender
 * fed so far, including the ones after the RST: a real SYN-ACK that arrives
 * after a forged RST is the best witness there is.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst_internal.h"

#include <string.h>

static struct rst_evidence *add_evidence(struct rst_verdict *v, enum rst_evidence_kind kind,
                                         unsigned weight, uint32_t ref_frame)
{
    struct rst_evidence *e = &v->evidence[v->n_evidence++];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->weight = weight;
    e->ref_frame = ref_frame;
    return e;
}

/* The frame the TTL is compared with: the server's SYN-ACK where there is
 * one (the usual reference), else the sender's first genuine packet. */
static uint32_t reference_frame(const struct rst_conn *c, const struct rst_side *x, unsigned from)
{
    if (c->client == (int)!from && x->syn_frame)
        return x->syn_frame;
    return x->ttl_frame;
}

/* A route change can move a TTL by one hop in rare cases; a forger near one
 * end of a long path moves it by several.  One hop counts five eighths. */
static void score_ttl(const struct rst_conn *c, const struct rst_record *rec,
                      const struct rst_params *params, struct rst_verdict *v)
{
    const struct rst_side *x = &c->side[rec->from];
    if (!x->first_frame || (rec->ttl >= x->ttl_min && rec->ttl <= x->ttl_max))
        return;
    int expected = rec->ttl > x->ttl_max ? x->ttl_max : x->ttl_min;
    int delta = (int)rec->ttl - expected;
    unsigned weight = (delta == 1 || delta == -1) ? params->weight_ttl * 5 / 8 : params->weight_ttl;
    struct rst_evidence *e = add_evidence(v, RST_EV_TTL, weight, reference_frame(c, x, rec->from));
    e->observed = rec->ttl;
    e->expected = expected;
}

static void score_mac(const struct rst_conn *c, const struct rst_record *rec,
                      const struct rst_params *params, struct rst_verdict *v)
{
    const struct rst_side *x = &c->side[rec->from];
    if (!rec->has_mac || !x->mac_known || x->mac_varies || memcmp(rec->mac, x->mac, 6) == 0)
        return;
    struct rst_evidence *e = add_evidence(v, RST_EV_MAC, params->weight_mac, x->mac_frame);
    memcpy(e->observed_mac, rec->mac, 6);
    memcpy(e->expected_mac, x->mac, 6);
}

static void score_seq_zero(const struct rst_record *rec, const struct rst_params *params,
                           struct rst_verdict *v)
{
    if (rec->seq_zero_forbidden)
        add_evidence(v, RST_EV_SEQ_ZERO, params->weight_seq_zero, rec->seq_zero_ref);
}

void rst_score(const struct rst_conn *c, const struct rst_record *rec,
               const struct rst_params *params, struct rst_verdict *v)
{
    unsigned total = 0;
    score_ttl(c, rec, params, v);
    score_mac(c, rec, params, v);
    score_seq_zero(rec, params, v);
    for (unsigned i = 0; i < v->n_evidence; i++)
        total += v->evidence[i].weight;
    v->suspicion = total > 100 ? 100 : total;
    v->injected = v->n_evidence > 0 && v->suspicion >= params->threshold;
}
