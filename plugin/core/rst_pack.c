/* rst_pack.c: connections that never left their handshake (or never got
 * one), and plain RSTs' records, kept small.
 *
 * Most connections of a port scan or a SYN flood are one SYN, perhaps a
 * RST/ACK: everything the core knows of them follows from those two
 * segments; so for an ACK, FIN or NULL scan's probe and its answer, and a
 * lone RST in a capture filtered for RSTs.  Each connection is a small
 * record (struct rst_conn_small): its key and, while it is that simple,
 * those segments' fields.  Code works on the full form (struct rst_conn)
 * alone: rst_core_conn expands a small record into a full one on first
 * use, and once no call into the core is under way, connections expanded
 * are packed again (in batches, rst_conns_leave) if their state is still
 * what the small record can hold.  "Can hold" is checked, not reasoned
 * about: a state packs only if expanding the packed record gives it back
 * byte for byte, so no verdict can differ from the full form's.  A
 * connection that grows past its handshake keeps its full form from then
 * on.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst_store.h"

#include <stdlib.h>
#include <string.h>

/* rst_conn_small.bits */
#define PACK_OPENER 0x01    /* the side that sent the SYN (or SYN-ACK) */
#define PACK_MAC 0x02       /* it came with the sender's MAC */
#define PACK_TS 0x04        /* with RFC 7323 timestamps */
#define PACK_WSCALE 0x08    /* offering a window scale */
#define PACK_IP_ID 0x10     /* with a nonzero IP ID */
#define PACK_LINK 0x20      /* on Ethernet: the link's MACs are known */
#define PACK_POINT_TTL 0x40 /* not on Ethernet: the point is told by its TTL */
#define PACK_NO_SYN 0x80    /* the opener's segment was no SYN: no handshake seen */

static int64_t time_of(const struct rst_conn_small *sm)
{
    return (int64_t)(((uint64_t)sm->time_us[1] << 32) | sm->time_us[0]);
}

/* What a SYN (or SYN-ACK) adds to its sender's side (rst_learn.c
 * note_handshake) and to the connection: the anchor of the side's
 * baseline, its offers, and who the client is. */
static void expand_syn(const struct rst_conn_small *sm, unsigned o, struct rst_conn *c)
{
    struct rst_side *x = &c->side[o];
    x->syn_frame = sm->frame;
    x->isn = sm->isn;
    x->syn_time = time_of(sm);
    x->ts_offered = (sm->bits & PACK_TS) != 0;
    x->syn_ttl = sm->ttl;
    memcpy(x->syn_mac, sm->mac, 6);
    x->wscale = sm->wscale;
    x->wscale_offered = (sm->bits & PACK_WSCALE) != 0;
    c->client = (int8_t)((sm->flags & RST_TH_ACK) ? !o : o);
}

/* What the opener's segment leaves in its side and the connection
 * (rst_learn.c): a SYN, a SYN-ACK, or with PACK_NO_SYN any other segment
 * without payload (an ACK scan's probe). */
static void expand_opener(const struct rst_conn_small *sm, unsigned o, struct rst_conn *c)
{
    struct rst_side *x = &c->side[o];
    x->last.frame = x->first_frame = x->ttl_frame = sm->frame;
    x->last.seq = sm->isn;
    x->last.ack = sm->ack;
    x->last.time_us = x->run_time = time_of(sm);
    x->last.window = sm->window;
    x->last.flags = sm->flags;
    x->snd_max = sm->isn + seg_space(sm->flags, 0);
    x->snd_known = true;
    if (sm->flags & RST_TH_ACK) {
        x->max_ack = sm->ack;
        x->ack_known = true;
    }
    if (sm->flags & RST_TH_FIN)
        x->fin_frame = sm->frame;
    if (sm->bits & PACK_NO_SYN) {
        /* RFC 7323: the window of a segment other than a SYN counts. */
        x->win_min = x->win_max = sm->window;
        x->win_known = true;
    } else {
        expand_syn(sm, o, c);
    }
    if (sm->bits & PACK_TS) {
        x->ts_first_time = x->ts_last_time = time_of(sm);
        x->ts_first = x->ts_last = sm->tsval;
        x->ts_seen = true;
    }
    x->ttl_min = x->ttl_max = x->ttl_first = sm->ttl;
    if (sm->bits & PACK_MAC) {
        x->syn_has_mac = !(sm->bits & PACK_NO_SYN);
        x->mac_known = true;
        memcpy(x->mac, sm->mac, 6);
        x->mac_frame = sm->frame;
    }
    if (sm->bits & PACK_IP_ID) {
        x->ip_id = sm->ip_id;
        x->ip_id_known = true;
    }
    c->last_time_us = time_of(sm);
    c->last_frame = sm->frame;
}

/* The full form of a small record: the state the core's own code leaves
 * after the opener's segment, if any (frame 0: none, a lone RST as a
 * capture filtered for RSTs holds), and the peer's RST (rst_records.c).
 * Its key is the one in the store's small record (key). */
static void expand(const struct rst_core *core, const struct rst_conn_small *sm,
                   const struct rst_conn_key *key, struct rst_conn *c)
{
    unsigned o = sm->bits & PACK_OPENER;
    struct rst_side *y = &c->side[!o];
    memset(c, 0, sizeof *c);
    c->key = key;
    c->client = -1;
    c->side[o].host = sm->host[o];
    y->host = sm->host[!o];
    if (sm->frame)
        expand_opener(sm, o, c);
    if (sm->rst && sm->rst <= core->records.count) {
        y->rst_frame = rst_record_frame(core, sm->rst - 1);
        y->last_rst = y->reset_rst = y->pending_rsts = sm->rst;
        c->rst_count = 1;
    }
    c->interface_id = sm->interface_id;
    if (sm->bits & PACK_LINK) {
        memcpy(c->link[o], sm->mac, 6);
        memcpy(c->link[!o], sm->link_peer, 6);
        c->link_known = true;
    }
    if (sm->bits & PACK_POINT_TTL) {
        c->point_ttl[o] = sm->ttl;
        c->point_ttl_known[o] = true;
    }
    c->last_data = -1;
}

/* The small record of a full state, if one holds it. */
static bool pack(const struct rst_core *core, const struct rst_conn *c, struct rst_conn_small *sm)
{
    if (c->side[0].first_frame && c->side[1].first_frame)
        return false; /* both sides' segments: past the handshake */
    /* The opener: the side whose segment was seen, or where none was, the
     * side the RST went to. */
    unsigned o = c->side[1].first_frame || (!c->side[0].first_frame && c->side[0].last_rst);
    const struct rst_side *x = &c->side[o], *y = &c->side[!o];
    bool syn = x->syn_frame != 0;
    struct rst_conn_small p = { .key = sm->key, .full = sm->full };
    p.bits = (uint8_t)(o | (x->mac_known ? PACK_MAC : 0) | (x->ts_seen ? PACK_TS : 0)
                       | (x->wscale_offered ? PACK_WSCALE : 0) | (x->ip_id_known ? PACK_IP_ID : 0)
                       | (c->link_known ? PACK_LINK : 0)
                       | (c->point_ttl_known[o] ? PACK_POINT_TTL : 0) | (syn ? 0 : PACK_NO_SYN));
    p.time_us[0] = (uint32_t)x->last.time_us;
    p.time_us[1] = (uint32_t)((uint64_t)x->last.time_us >> 32);
    p.host[o] = x->host;
    p.host[!o] = y->host;
    p.interface_id = c->interface_id;
    p.frame = x->first_frame;
    p.isn = x->last.seq;
    p.ack = x->last.ack;
    p.tsval = x->ts_first;
    p.rst = y->last_rst;
    p.ip_id = x->ip_id;
    p.window = x->last.window;
    memcpy(p.link_peer, c->link[!o], 6);
    /* The SYN's MAC; without a SYN, the opener's (the same as the link's at
     * its end where both are known). */
    memcpy(p.mac, syn ? x->syn_mac : x->mac_known ? x->mac : c->link[o], 6);
    p.ttl = x->ttl_first;
    p.wscale = x->wscale;
    p.flags = x->last.flags;
    struct rst_conn check;
    expand(core, &p, &sm->key, &check);
    if (memcmp(&check, c, sizeof check) != 0)
        return false;
    *sm = p;
    return true;
}

/* Appends to a growable array of indexes; false when memory runs out. */
static bool push_index(uint32_t **v, size_t *n, size_t *cap, uint32_t value)
{
    if (*n == *cap) {
        size_t grown_cap = *cap ? 2 * *cap : 256;
        uint32_t *grown = realloc(*v, grown_cap * sizeof *grown);
        if (!grown)
            return false;
        *v = grown;
        *cap = grown_cap;
    }
    (*v)[(*n)++] = value;
    return true;
}

/* Drops the first done of a list of indexes (push_index's); the rest move
 * to the front. */
static void drop_first(uint32_t *v, size_t *n, size_t done)
{
    *n -= done;
    memmove(v, v + done, *n * sizeof *v);
}

/* A zeroed element of fulls (its number, index + 1), the space of one
 * freed if there is any; 0 when memory runs out.  Full forms, and the
 * small records of RSTs. */
static uint32_t take_full(struct chunked *fulls, const uint32_t *free_list, size_t *n_free)
{
    if (*n_free) {
        uint32_t f = free_list[--*n_free];
        memset(chunked_at(fulls, f - 1), 0, fulls->elem_size);
        return f;
    }
    return rst_chunked_push(fulls) ? (uint32_t)fulls->count : 0;
}

/* Gives a small record its full form, to be packed again with the next
 * batch.  Out of memory, the full form stays for good, or
 * (none to be had) the connection is seen through a spare the core keeps. */
static struct rst_conn *give_full(struct rst_core *core, struct rst_conn_small *sm, uint32_t index)
{
    uint32_t f = take_full(&core->fulls, core->free_fulls, &core->n_free_fulls);
    if (!f)
        return &core->spare_conn;
    sm->full = f;
    /* Unlisted (out of memory), it is not packed again: it stays full. */
    (void)push_index(&core->expanded, &core->n_expanded, &core->cap_expanded, index);
    return chunked_at(&core->fulls, f - 1);
}

struct rst_conn *rst_core_conn(const struct rst_core *core, uint32_t index)
{
    struct rst_conn_small *sm = chunked_at(&core->conns, index);
    if (sm->full)
        return chunked_at(&core->fulls, sm->full - 1);
    /* Expanding is a cache fill, not a change: callers that hold the core
     * as const see the same state either way (the core itself is never a
     * const object). */
    struct rst_core *m = (struct rst_core *)core;
    struct rst_conn *c = give_full(m, sm, index);
    expand(core, sm, &sm->key, c);
    return c;
}

struct rst_conn *rst_conn_new(struct rst_core *core, const struct rst_conn_key *key,
                              uint32_t *index)
{
    struct rst_conn_small *sm = rst_chunked_push(&core->conns);
    if (!sm)
        return NULL;
    sm->key = *key;
    *index = (uint32_t)core->conns.count - 1;
    struct rst_conn *c = give_full(core, sm, *index);
    if (c == &core->spare_conn)
        memset(c, 0, sizeof *c);
    c->key = &sm->key;
    return c;
}

/* RST records.  A port scan's refusal sets a few fields of its record
 * (rst_records.c: its header, what it answers, its cause); the rest stay
 * zero unless a later packet races it, it comes in a burst or as a copy,
 * states something or throws data away.  Such records are kept small,
 * packed and checked as connections are.  A RST's id finds its record
 * through a reference (core->records), so that a record that stays full
 * costs no small one besides. */

/* The record's flags, a bit each of rst_record_small.bits, in this order;
 * then whether it has each of the two earlier times. */
#define RECORD_FLAGS(X) \
    X(has_mac) \
    X(has_ts) \
    X(has_ip_id) \
    X(has_prev_ip_id) \
    X(seq_zero_forbidden) \
    X(seq_zero_after_synack) \
    X(mid_connection) \
    X(ack_mismatch) \
    X(keeps_connection) \
    X(burst_seq) \
    X(burst_window) \
    X(burst_ttl) \
    X(ip_id_repeat) \
    X(window_cut) \
    X(options_cut) \
    X(before_established) \
    X(sequence_gap)
#define RECORD_TRIGGER_TIME (1u << 17)
#define RECORD_RUN_TIME (1u << 18)

/* t + d, d a 32-bit difference (two's complement), without overflow. */
static int64_t plus_difference(int64_t t, uint32_t d)
{
    int64_t signed_d = d >= 0x80000000u ? (int64_t)d - 0x100000000LL : (int64_t)d;
    return (int64_t)((uint64_t)t + (uint64_t)signed_d);
}

static uint32_t difference(int64_t later, int64_t t)
{
    return (uint32_t)((uint64_t)later - (uint64_t)t);
}

static void expand_record(const struct rst_record_small *sm, struct rst_record *r)
{
    uint32_t bits = sm->bits[0] | (uint32_t)sm->bits[1] << 8 | (uint32_t)sm->bits[2] << 16;
    unsigned n = 0;
    memset(r, 0, sizeof *r);
#define GET_FLAG(f) r->f = (bits >> n++) & 1;
    RECORD_FLAGS(GET_FLAG)
#undef GET_FLAG
    r->time_us = (int64_t)(((uint64_t)sm->time_us[1] << 32) | sm->time_us[0]);
    if (bits & RECORD_TRIGGER_TIME)
        r->trigger_time_us = plus_difference(r->time_us, sm->trigger_dt);
    if (bits & RECORD_RUN_TIME)
        r->trigger_run_us = plus_difference(r->time_us, sm->run_dt);
    r->frame = sm->frame;
    r->conn = sm->conn;
    r->answers_frame = sm->answers_frame;
    r->trigger_frame = sm->trigger_frame;
    r->seq = sm->seq;
    r->ack = sm->ack;
    r->tsval = sm->tsval;
    r->window = sm->window;
    r->ip_id = sm->ip_id;
    memcpy(r->mac, sm->mac, 6);
    r->flags = sm->flags;
    r->ttl = sm->ttl;
    r->from = sm->from;
    r->wire_cause = sm->wire_cause;
    r->answered_flags = sm->answered_flags;
    r->wire_case = sm->wire_case;
    r->shape = sm->shape_accept & 0x0f;
    r->accept = sm->shape_accept >> 4;
}

/* The small record of a full one, if one holds it (checked as pack's). */
static bool pack_record(const struct rst_record *r, struct rst_record_small *sm)
{
    struct rst_record_small p = { .frame = r->frame };
    uint32_t bits = 0;
    unsigned n = 0;
#define PUT_FLAG(f) bits |= (uint32_t)r->f << n++;
    RECORD_FLAGS(PUT_FLAG)
#undef PUT_FLAG
    bits |=
        (r->trigger_time_us ? RECORD_TRIGGER_TIME : 0) | (r->trigger_run_us ? RECORD_RUN_TIME : 0);
    p.bits[0] = (uint8_t)bits, p.bits[1] = (uint8_t)(bits >> 8), p.bits[2] = (uint8_t)(bits >> 16);
    p.time_us[0] = (uint32_t)r->time_us;
    p.time_us[1] = (uint32_t)((uint64_t)r->time_us >> 32);
    p.trigger_dt = difference(r->trigger_time_us, r->time_us);
    p.run_dt = difference(r->trigger_run_us, r->time_us);
    p.conn = r->conn;
    p.answers_frame = r->answers_frame;
    p.trigger_frame = r->trigger_frame;
    p.seq = r->seq;
    p.ack = r->ack;
    p.tsval = r->tsval;
    p.window = r->window;
    p.ip_id = r->ip_id;
    memcpy(p.mac, r->mac, 6);
    p.flags = r->flags;
    p.ttl = r->ttl;
    p.from = r->from;
    p.wire_cause = r->wire_cause;
    p.answered_flags = r->answered_flags;
    p.wire_case = r->wire_case;
    p.shape_accept = (uint8_t)((r->shape & 0x0f) | r->accept << 4);
    struct rst_record check;
    expand_record(&p, &check);
    if (memcmp(&check, r, sizeof check) != 0)
        return false;
    *sm = p;
    return true;
}

static uint32_t *record_ref(const struct rst_core *core, uint32_t rst_id)
{
    return chunked_at(&core->records, rst_id - 1);
}

static struct rst_record *full_record(const struct rst_core *core, uint32_t number)
{
    return chunked_at(&core->rst_fulls, number - 1);
}

static struct rst_record_small *small_record(const struct rst_core *core, uint32_t number)
{
    return chunked_at(&core->rst_smalls, number - 1);
}

/* A full form for the RST id, to be packed again with the next batch; out
 * of memory, the spare (as for connections). */
static struct rst_record *give_record_full(struct rst_core *core, uint32_t rst_id)
{
    uint32_t f = take_full(&core->rst_fulls, core->free_rst_fulls, &core->n_free_rst_fulls);
    if (!f)
        return &core->spare_record;
    *record_ref(core, rst_id) = f << 1 | 1;
    /* Unlisted (out of memory), it is not packed again: it stays full. */
    (void)push_index(&core->expanded_rsts, &core->n_expanded_rsts, &core->cap_expanded_rsts,
                     rst_id);
    return full_record(core, f);
}

struct rst_record *rst_store_record(const struct rst_core *core, uint32_t rst_id)
{
    if (rst_id == 0 || rst_id > core->records.count)
        return NULL;
    uint32_t ref = *record_ref(core, rst_id);
    if (!ref)
        return NULL; /* memory ran out when it was made: it has no record */
    if (ref & 1)
        return full_record(core, ref >> 1);
    /* A cache fill, as rst_core_conn's; the small record's space goes to
     * the next one packed. */
    struct rst_core *m = (struct rst_core *)core;
    struct rst_record *r = give_record_full(m, rst_id);
    expand_record(small_record(core, ref >> 1), r);
    if (r != &m->spare_record)
        (void)push_index(&m->free_rst_smalls, &m->n_free_rst_smalls, &m->cap_free_rst_smalls,
                         ref >> 1);
    return r;
}

struct rst_record *rst_record_new(struct rst_core *core, uint32_t *id)
{
    if (!rst_chunked_push(&core->records))
        return NULL;
    *id = (uint32_t)core->records.count;
    struct rst_record *r = give_record_full(core, *id);
    if (r == &core->spare_record)
        memset(r, 0, sizeof *r);
    return r;
}

uint32_t rst_record_frame(const struct rst_core *core, size_t i)
{
    uint32_t ref = *record_ref(core, (uint32_t)i + 1);
    if (!ref)
        return 0; /* its record never had room */
    return ref & 1 ? full_record(core, ref >> 1)->frame : small_record(core, ref >> 1)->frame;
}

static void pack_one_record(struct rst_core *m, uint32_t rst_id)
{
    uint32_t ref = *record_ref(m, rst_id);
    struct rst_record_small p;
    if (!(ref & 1) || !pack_record(full_record(m, ref >> 1), &p))
        return;
    /* Room to free the full form first, so that nothing can fail after
     * the small record is written. */
    if (!push_index(&m->free_rst_fulls, &m->n_free_rst_fulls, &m->cap_free_rst_fulls, ref >> 1))
        return;
    uint32_t sm = take_full(&m->rst_smalls, m->free_rst_smalls, &m->n_free_rst_smalls);
    if (!sm) {
        m->n_free_rst_fulls--; /* no room: it stays full */
        return;
    }
    *small_record(m, sm) = p;
    *record_ref(m, rst_id) = sm << 1;
}

/* Packs the first n of the RSTs expanded; the rest move to the front. */
static void pack_records(struct rst_core *m, size_t n)
{
    for (size_t i = 0; i < n; i++)
        pack_one_record(m, m->expanded_rsts[i]);
    drop_first(m->expanded_rsts, &m->n_expanded_rsts, n);
}

void rst_conns_enter(const struct rst_core *core)
{
    ((struct rst_core *)core)->depth++;
}

/* Packs the first n of the connections expanded, once no caller can hold
 * a full form; the rest move to the front. */
static void pack_conns(struct rst_core *m, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct rst_conn_small *sm = chunked_at(&m->conns, m->expanded[i]);
        uint32_t f = sm->full;
        /* Packed, its full form's space goes to the next one expanded
         * (unless there is no room to note it: then it stays full). */
        if (f && pack(m, chunked_at(&m->fulls, f - 1), sm)
            && push_index(&m->free_fulls, &m->n_free_fulls, &m->cap_free_fulls, f))
            sm->full = 0;
    }
    drop_first(m->expanded, &m->n_expanded, n);
}

/* What the outermost calls expanded is packed in batches, a batch only
 * once the next one has filled too: every form stays full for at least a
 * batch of expansions after its own.  A scan's connection is made by its
 * SYN and refused a round trip later (at a scanner's pace of a SYN every
 * 10 us and a 20 ms round trip, 2,000 connections on): the RST finds it
 * still full (one expansion and one check instead of two).  Two batches'
 * full forms are a few megabytes. */
#define PACK_BATCH 4096

void rst_conns_leave(const struct rst_core *core)
{
    struct rst_core *m = (struct rst_core *)core;
    if (--m->depth)
        return;
    if (m->n_expanded - m->n_older >= PACK_BATCH
        || m->n_expanded_rsts - m->n_older_rsts >= PACK_BATCH) {
        pack_records(m, m->n_older_rsts);
        pack_conns(m, m->n_older);
        m->n_older_rsts = m->n_expanded_rsts;
        m->n_older = m->n_expanded;
    }
}

/* Packs everything expanded (for the counts below). */
static void pack_expanded(struct rst_core *m)
{
    pack_records(m, m->n_expanded_rsts);
    pack_conns(m, m->n_expanded);
    m->n_older_rsts = m->n_older = 0;
}

size_t rst_conns_full(struct rst_core *core)
{
    if (!core->depth)
        pack_expanded(core);
    return core->fulls.count - core->n_free_fulls;
}

size_t rst_records_full(struct rst_core *core)
{
    if (!core->depth)
        pack_expanded(core);
    return core->rst_fulls.count - core->n_free_rst_fulls;
}
