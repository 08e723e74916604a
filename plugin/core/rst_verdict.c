/* rst_verdict.c: the verdict on one RST, from its record and everything fed since.
 *
 * The one place a verdict is decided, in this order:
 *  1. the wire cause: the record's (rst_classify.c, fixed when the RST was
 *     fed), unless its sender had already reset the connection itself
 *     (then it has none, whatever the segment looked like);
 *  2. the stated cause: a registered reason code in its payload
 *     (rst_diag.c), which outranks the wire; the face value is the stated
 *     cause where there is one, else the wire cause;
 *  3. forged or not: the evidence and its score (rst_score.c), then the
 *     proof from another capture point (rst_vantage.c), which wins; a
 *     NetScaler reset code in the window of a RST with no other sign is
 *     its statement (step 2 again), not a sign;
 * and the final cause is "injected" where forged, else the face value;
 *  4. what it cost (rst_impact.c), from the face value and the loss.
 * The explanation (rst_explain.c) only puts the decided verdict in words.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst_explain.h"
#include "rst_impact.h"
#include "rst_names.h"
#include "rst_score.h"
#include "rst_store.h"
#include "rst_vantage.h"

#include <string.h>

/* A Citrix NetScaler puts a reset code in the window of its RSTs (Citrix
 * CTX200852), a window no kernel puts on a RST: read as such only where the
 * RST states nothing else and shows no other sign of forgery, since a
 * forger's window may fall in the table by chance.  Then the window is the
 * NetScaler's statement, not a sign: its evidence goes.  True if read. */
static bool read_netscaler_code(const struct rst_record *rec, const struct rst_params *params,
                                struct rst_verdict *v)
{
    if (!params->netscaler_codes || rec->diag || rec->window_cut || v->vantage.unseen
        || !rst_netscaler_reason(rec->window))
        return false;
    unsigned window_weight = 0;
    for (unsigned i = 0; i < v->n_evidence; i++) {
        if (v->evidence[i].kind != RST_EV_WINDOW)
            return false;
        window_weight += v->evidence[i].weight;
    }
    v->n_evidence = 0;
    v->suspicion = v->suspicion > window_weight ? v->suspicion - window_weight : 0;
    v->injected = false;
    return true;
}

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
    rst_vantage(core, rec, 0, &v.vantage);
    if (v.vantage.unseen)
        return true;
    read_netscaler_code(rec, params, &v);
    return v.injected;
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
    unsigned walked = 0;
    for (; id && walked < OWN_RESET_WALK; walked++) {
        const struct rst_record *earlier = rst_core_record(core, id);
        if (!earlier)
            break;
        if (!record_forged(core, earlier, params))
            found = earlier;
        else if (found)
            return found;
        id = earlier->own_reset;
    }
    /* A run of late replies longer than the walk (a download's data still
     * arriving, answered one segment at a time): its first RST, in one step,
     * if it is genuine. */
    const struct rst_record *first = found && id ? rst_core_record(core, rec->first_reset) : NULL;
    if (first && first != found && !record_forged(core, first, params))
        found = first;
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

/* Step 1: the wire cause, and what goes with the segment it answers: the
 * claimed sender, the RST that had already ended the connection, whether
 * the receiver would accept it.  Returns the record to read it from: rec,
 * or *scratch after the sender's own reset. */
static const struct rst_record *decide_wire_cause(const struct rst_core *core,
                                                  const struct rst_record *rec,
                                                  const struct rst_record *own,
                                                  struct rst_record *scratch, struct rst_verdict *v)
{
    const struct rst_conn *c = rst_core_conn(core, rec->conn);
    rec = after_own_reset(rec, own, scratch);
    v->wire_cause = (enum rst_cause)rec->wire_cause;
    v->answers_frame = rec->answers_frame;
    if (c->client >= 0)
        v->sender = c->client == rec->from ? RST_ROLE_CLIENT : RST_ROLE_SERVER;
    rst_format_address(c->key->ip_version, c->key->addr[rec->from], v->sender_address,
                       sizeof v->sender_address);
    if (c->client >= 0)
        rst_format_address(c->key->ip_version, c->key->addr[!c->client], v->server_address,
                           sizeof v->server_address);
    if (rec->wire_case == RST_WIRE_PEER_RESET || rec->wire_case == RST_WIRE_OWN_RESET)
        v->after_frame = rec->cites.reset_frame;
    v->accept_reason = rst_accept_reason((enum rst_accept)rec->accept);
    v->acceptable = rec->accept == RST_ACCEPT_UNKNOWN
        ? -1
        : (rec->accept == RST_ACCEPT_ACKS_SYN || rec->accept == RST_ACCEPT_RCV_NXT);
    return rec;
}

/* Step 2: a reason the sender states outranks what the connection suggests. */
static void decide_stated_cause(const struct rst_core *core, const struct rst_record *rec,
                                struct rst_verdict *v)
{
    rst_store_get_diag(core, rec->diag, &v->diag);
    v->stated_cause = rst_diag_cause(&v->diag);
    v->face_value = v->stated_cause != RST_CAUSE_UNKNOWN ? v->stated_cause : v->wire_cause;
}

/* Step 3: the signs of forgery and the suspicion they add up to, then the
 * proof from another capture point, which wins.  wire: the record as fed;
 * own: the sender's own earlier reset, NULL if none or if step 1 did not
 * use it. */
static void decide_forgery(const struct rst_core *core, const struct rst_record *wire,
                           const struct rst_record *own, unsigned copy,
                           const struct rst_params *params, struct rst_verdict *v)
{
    const struct rst_conn *c = rst_core_conn(core, wire->conn);
    const struct rst_host *h = rst_core_host(core, c->side[wire->from].host);
    rst_score(c, h, wire, own, params, v);
    /* Nothing but RSTs in the sender's name, from two distances: nothing
     * tells which is its own, the explanation says so. */
    if (!c->side[wire->from].ttl_frame && h && !h->ttl_frame && h->far_rst_frame) {
        v->distance_frame[0] = h->rst_frame;
        v->distance_ttl[0] = h->rst_ttl;
        v->distance_frame[1] = h->far_rst_frame;
        v->distance_ttl[1] = h->far_rst_ttl;
    }
    rst_vantage(core, wire, copy, &v->vantage);
    if (v->vantage.unseen) {
        /* Not a sign but a proof: where it had to pass, it never did. */
        v->suspicion = 100;
        v->injected = true;
    }
    if (read_netscaler_code(wire, params, v) && rst_diag_window(wire->window, &v->diag)) {
        v->stated_cause = rst_diag_cause(&v->diag);
        if (v->stated_cause != RST_CAUSE_UNKNOWN)
            v->face_value = v->stated_cause;
    } else if (params->netscaler_codes && !wire->diag && !wire->window_cut) {
        v->window_code_unread = rst_netscaler_reason(wire->window) != NULL;
    }
}

bool rst_core_verdict(const struct rst_core *core, uint32_t rst_id, const struct rst_params *params,
                      bool explain, struct rst_verdict *v)
{
    const struct rst_record *wire = core ? rst_core_record(core, rst_id) : NULL;
    /* A mirrored copy gets its original's verdict. */
    bool copy = wire && wire->copy_of;
    unsigned copy_index = copy ? wire->copies : 0;
    if (copy)
        wire = rst_core_record(core, wire->copy_of);
    if (!wire)
        return false;
    rst_conns_enter(core);
    memset(v, 0, sizeof *v);
    const struct rst_record *own = own_reset_before(core, wire, params);
    struct rst_record scratch;
    const struct rst_record *rec = decide_wire_cause(core, wire, own, &scratch, v);
    decide_stated_cause(core, rec, v);
    decide_forgery(core, wire, rec == wire ? NULL : own, copy_index, params, v);
    v->final_cause = v->injected ? RST_CAUSE_INJECTED : v->face_value;
    rst_impact_decide(core, rec, copy ? wire->frame : 0, v);
    v->first_sighting = !copy && !(v->vantage.peer_frame && v->vantage.peer_frame < rec->frame);
    if (explain)
        rst_explain(rst_core_conn(core, rec->conn), rec, v);
    rst_conns_leave(core);
    return true;
}
