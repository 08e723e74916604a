/* rst_records.c: a record for each RST, and the entry that feeds segments.
 *
 * A RST's record keeps what is fixed when it arrives: its own header, the
 * connection's state just before it (its wire cause, rst_classify.c), the
 * facts of forgery that only that moment shows, and its place among its
 * sender's other RSTs (bursts, mirrored copies).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst_classify.h"
#include "rst_impact.h"
#include "rst_learn.h"
#include "rst_points.h"
#include "rst_score.h"

#include <string.h>

/* An earlier RST again: the same header, TTL and IP ID within a millisecond. */
static bool same_rst(const struct rst_record *prev, const struct rst_segment *s)
{
    return rst_repeats_header(prev->seq, prev->ack, prev->flags, prev->window, prev->time_us, s)
        && s->ttl == prev->ttl && s->has_ip_id == prev->has_ip_id && s->ip_id == prev->ip_id;
}

/* RSTs looked back at for an interleaved copy. */
#define COPY_LOOKBACK 8

/* The RST (id) this one is a copy of, 0 if none: the sender's previous RST
 * with nothing in between, or, where two capture points share one interface
 * without MACs (a merge that collapsed them), an earlier one of its RSTs
 * within the copy window that identifies itself (a nonzero IP ID, as
 * sighted() asks of other segments): the other point's sighting. */
static uint32_t copy_original(const struct rst_core *core, const struct rst_conn *c,
                              const struct rst_side *x, const struct rst_segment *s)
{
    const struct rst_record *prev = rst_store_record(core, x->last_rst);
    /* The sender's previous RST, with nothing from either side in between. */
    if (prev && c->last_frame < prev->frame && same_rst(prev, s))
        return x->last_rst;
    if (!s->has_ip_id || !s->ip_id || !prev)
        return 0;
    uint32_t id = prev->prev_rst;
    for (unsigned walked = 0; id && walked < COPY_LOOKBACK; walked++) {
        const struct rst_record *r = rst_store_record(core, id);
        if (!r || s->time_us - r->time_us >= RST_COPY_WINDOW_US)
            return 0;
        if (same_rst(r, s))
            return id;
        id = r->prev_rst;
    }
    return 0;
}

/* The distances RSTs in a host's name arrive from: the first, and the first
 * more than two hops off it (what is_outlier calls another place). */
static void note_rst_distance(struct rst_host *h, const struct rst_segment *s)
{
    if (!h->rst_frame) {
        h->rst_frame = s->frame;
        h->rst_ttl = s->ttl;
    } else if (!h->far_rst_frame && rst_ttl_far(s->ttl, h->rst_ttl)) {
        h->far_rst_frame = s->frame;
        h->far_rst_ttl = s->ttl;
    }
}

/* The MP_FASTCLOSE this RST follows: on the last segment either side sent
 * before it (RFC 8684 3.5 option A: the receiver of an ACK with one resets
 * the subflow), the earlier if both; 0 if none. */
static uint32_t fastclose_before(const struct rst_conn *c, unsigned from, bool *by_peer)
{
    const struct rst_last_seg *own = &c->side[from].last, *peer = &c->side[!from].last;
    uint32_t own_frame = own->fastclose ? own->frame : 0;
    uint32_t peer_frame = peer->fastclose ? peer->frame : 0;
    *by_peer = peer_frame && (!own_frame || peer_frame < own_frame);
    return *by_peer ? peer_frame : own_frame;
}

/* Whether the RST may state something: a payload, an MPTCP option, an
 * MP_FASTCLOSE before it. */
static bool says_something(const struct rst_conn *c, unsigned from, const struct rst_segment *s)
{
    bool by_peer;
    return s->payload_len || s->has_mptcp_rst || s->mptcp_fastclose || s->mptcp_malformed
        || fastclose_before(c, from, &by_peer);
}

static uint32_t store_statement(struct rst_core *core, const struct rst_conn *c, unsigned from,
                                const struct rst_segment *s)
{
    bool by_peer;
    uint32_t fastclose = fastclose_before(c, from, &by_peer);
    return rst_store_diag(core, s, fastclose, by_peer);
}

/* Its own header, and where its sender's IP ID counter stood.  Field by
 * field into the zeroed record, so that its padding stays zero and packing
 * can compare it byte for byte (rst_pack.c). */
static void note_header(struct rst_record *rec, const struct rst_side *x,
                        const struct rst_segment *s)
{
    rec->frame = s->frame;
    rec->time_us = s->time_us;
    rec->seq = s->seq;
    rec->ack = s->ack;
    rec->flags = s->flags;
    rec->window = s->window;
    rec->ttl = s->ttl;
    rec->has_ts = s->has_timestamps;
    rec->tsval = s->tsval;
    rec->has_mac = s->has_mac;
    rec->has_ip_id = s->has_ip_id;
    rec->ip_id = s->ip_id;
    rec->has_prev_ip_id = x->ip_id_known;
    rec->prev_ip_id = x->ip_id;
    rec->window_cut = s->window_cut;
    rec->options_cut = s->options_cut;
    memcpy(rec->mac, s->src_mac, 6);
}

static uint32_t add_rst(struct rst_core *core, struct rst_conn *c, uint32_t conn_index,
                        unsigned from, const struct rst_segment *s, const struct rst_params *params)
{
    struct rst_side *x = &c->side[from];
    uint32_t id;
    struct rst_record *rec = rst_record_new(core, &id);
    if (!rec)
        return 0;
    note_header(rec, x, s);
    rec->conn = conn_index;
    rec->from = (uint8_t)from;
    struct rst_record *prev = rst_store_record(core, x->last_rst);
    uint32_t original = copy_original(core, c, x, s);
    if (original) {
        /* The same RST mirrored twice is one RST: its verdict is the
         * original's, whatever later packets add to it. */
        prev = rst_store_record(core, original);
        rec->copy_of = original;
        prev->copies = (uint8_t)(prev->copies < UINT8_MAX ? prev->copies + 1 : UINT8_MAX);
        rec->copies = prev->copies; /* which copy it is */
        rst_score_note_copy(prev);
        return id;
    }
    rec->diag = says_something(c, from, s) ? store_statement(core, c, from, s) : 0;
    if (x->host)
        note_rst_distance(rst_store_host(core, x->host), s);
    rst_score_note_rst(c, from, s, rec);
    rst_classify(core, c, from, s, params, rec);
    rst_impact_note_rst(core, c, from, s, rec);
    rec->own_reset = x->reset_rst;
    const struct rst_record *own = rst_store_record(core, x->reset_rst);
    rec->first_reset = own ? (own->first_reset ? own->first_reset : x->reset_rst) : 0;
    if (!rec->keeps_connection)
        x->reset_rst = id;

    if (prev)
        rst_score_note_burst(prev, rec, rst_store_record(core, prev->prev_rst), params);
    rec->prev_rst = x->last_rst;
    x->last_rst = id;
    rec->prev_pending = x->pending_rsts;
    x->pending_rsts = id;
    if (!x->rst_frame)
        x->rst_frame = s->frame;
    c->rst_count++;
    return id;
}

uint32_t rst_core_add(struct rst_core *core, const struct rst_segment *seg,
                      const struct rst_params *params)
{
    unsigned from;
    uint32_t index;
    if (!core || (seg->ip_version != 4 && seg->ip_version != 6))
        return 0;
    rst_conns_enter(core);
    uint32_t id = 0;
    struct rst_conn *c = rst_points_lookup(core, seg, &from, &index);
    if (c && (seg->flags & RST_TH_RST))
        id = add_rst(core, c, index, from, seg, params);
    else if (c)
        rst_learn(core, c, index, from, seg);
    rst_conns_leave(core);
    return id;
}
