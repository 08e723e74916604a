/* rst_verdict.c: the verdict on one RST, from its record and everything fed since.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst_explain.h"
#include "rst_names.h"
#include "rst_score.h"
#include "rst_store.h"
#include "rst_vantage.h"

#include <string.h>

/* Did a device other than its claimed sender send this RST?  Its own
 * evidence and capture points only (the contradiction below is left out: it
 * needs this very answer for the RSTs before). */
static bool record_forged(const struct rst_core *core, const struct rst_record *rec,
                          const struct rst_params *params)
{
    const struct rst_conn *c = rst_core_conn(core, rec->conn);
    struct rst_verdict v;
    v.n_evidence = 0;
    rst_score(c, rst_core_host(core, c->side[rec->from].host), rec, NULL, params, &v);
    if (v.injected)
        return true;
    rst_vantage(core, rec, 0, &v.vantage);
    return v.vantage.unseen;
}

/* RSTs walked back past forged ones: a censor's burst is three or four. */
#define OWN_RESET_WALK 6

/* The sender's earlier RST that ended the connection and that the sender
 * did send: after it the host has no connection (RFC 9293 3.10.7.1;
 * Linux answers every later segment with reason NO_SOCKET). */
static const struct rst_record *own_reset_before(const struct rst_core *core,
                                                 const struct rst_record *rec,
                                                 const struct rst_params *params)
{
    /* Past forged RSTs to a genuine one, then back through the genuine
     * ones before it: the explanation names the RST that ended it. */
    const struct rst_record *found = NULL;
    uint32_t id = rec->own_reset;
    for (unsigned walked = 0; id && walked < OWN_RESET_WALK; walked++) {
        const struct rst_record *earlier = rst_core_record(core, id);
        if (!earlier)
            break;
        if (!record_forged(core, earlier, params))
            found = earlier;
        else if (found)
            break;
        id = earlier->own_reset;
    }
    return found;
}

/* What a RST after its sender's own genuine RST means: the host has no
 * connection, so it answers "no connection", whatever the segment looked
 * like to a live one; only a new SYN still meets a listener (refused). */
static const struct rst_record *after_own_reset(const struct rst_record *rec,
                                                const struct rst_record *own,
                                                struct rst_record *scratch)
{
    if (!own || rec->wire_cause == RST_CAUSE_REFUSED)
        return rec;
    *scratch = *rec;
    scratch->wire_cause = RST_CAUSE_NO_CONNECTION;
    scratch->wire_case = RST_WIRE_OWN_RESET;
    scratch->cites = (union rst_wire_cites){ .reset_frame = own->frame };
    if (rec->shape != RST_SHAPE_REPLY || rec->wire_cause == RST_CAUSE_UNKNOWN)
        scratch->answers_frame = 0;
    return scratch;
}

bool rst_core_verdict(const struct rst_core *core, uint32_t rst_id,
                      const struct rst_params *params, struct rst_verdict *verdict)
{
    return rst_core_judge(core, rst_id, params, true, verdict);
}

bool rst_core_judge(const struct rst_core *core, uint32_t rst_id,
                    const struct rst_params *params, bool explain, struct rst_verdict *verdict)
{
    const struct rst_record *rec = core ? rst_core_record(core, rst_id) : NULL;
    bool copy = rec && rec->copy_of;
    unsigned copy_index = copy ? rec->copies : 0;
    if (copy)
        rec = rst_core_record(core, rec->copy_of);
    if (!rec)
        return false;
    const struct rst_conn *c = rst_core_conn(core, rec->conn);
    const struct rst_record *own = own_reset_before(core, rec, params);
    struct rst_record scratch;
    const struct rst_record *wire = rec;
    rec = after_own_reset(wire, own, &scratch);

    memset(verdict, 0, sizeof *verdict);
    verdict->wire_cause = (enum rst_cause)rec->wire_cause;
    rst_store_get_diag(core, rec->diag, &verdict->diag);
    /* A reason the sender states outranks what the connection suggests. */
    verdict->stated_cause = rst_diag_cause(&verdict->diag);
    verdict->face_value = verdict->stated_cause != RST_CAUSE_UNKNOWN ? verdict->stated_cause
                                                                     : verdict->wire_cause;
    verdict->answers_frame = rec->answers_frame;
    if (c->client >= 0)
        verdict->sender = c->client == rec->from ? RST_ROLE_CLIENT : RST_ROLE_SERVER;
    rst_format_address(c->key.ip_version, c->key.addr[rec->from], verdict->sender_address,
                       sizeof verdict->sender_address);
    if (rec->wire_case == RST_WIRE_PEER_RESET || rec->wire_case == RST_WIRE_OWN_RESET)
        verdict->after_frame = rec->cites.reset_frame;
    verdict->accept_reason = rst_accept_reason((enum rst_accept)rec->accept);
    verdict->acceptable = rec->accept == RST_ACCEPT_UNKNOWN ? -1
                        : (rec->accept == RST_ACCEPT_ACKS_SYN || rec->accept == RST_ACCEPT_RCV_NXT);
    const struct rst_host *h = rst_core_host(core, c->side[rec->from].host);
    rst_score(c, h, wire, rec == wire ? NULL : own, params, verdict);
    /* Nothing but RSTs in the sender's name, from two distances: nothing
     * tells which is its own, the explanation says so. */
    if (!c->side[rec->from].ttl_frame && h && !h->ttl_frame && h->far_rst_frame) {
        verdict->distance_frame[0] = h->rst_frame;
        verdict->distance_ttl[0] = h->rst_ttl;
        verdict->distance_frame[1] = h->far_rst_frame;
        verdict->distance_ttl[1] = h->far_rst_ttl;
    }
    rst_vantage(core, wire, copy_index, &verdict->vantage);
    if (verdict->vantage.unseen) {
        /* Not a sign but a proof: where it had to pass, it never did. */
        verdict->suspicion = 100;
        verdict->injected = true;
    }
    verdict->first_sighting = !copy && !(verdict->vantage.peer_frame
                                         && verdict->vantage.peer_frame < rec->frame);
    verdict->final_cause = verdict->injected ? RST_CAUSE_INJECTED : verdict->face_value;
    if (explain)
        rst_explain(c, rec, verdict);
    return true;
}
