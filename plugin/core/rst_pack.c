/* rst_pack.c: connections that never left their handshake, kept small.
 *
 * Most connections of a port scan or a SYN flood are one SYN, perhaps a
 * RST/ACK: everything the core knows of them follows from those two
 * segments.  Each connection is a small record (struct rst_conn_small):
 * its key and, while it is that simple, those segments' fields.  Code
 * works on the full form (struct rst_conn) alone: rst_core_conn expands a
 * small record into a full one on first use, and when the outermost call
 * into the core returns, each connection expanded during it is packed
 * again if its state is still what the small record can hold.  "Can hold"
 * is checked, not reasoned about: a state packs only if expanding the
 * packed record gives it back byte for byte, so no verdict can differ
 * from the full form's.  A connection that grows past its handshake keeps
 * its full form from then on.
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

static int64_t time_of(const struct rst_conn_small *sm)
{
    return (int64_t)(((uint64_t)sm->time_us[1] << 32) | sm->time_us[0]);
}

/* The full form of a small record: the state the core's own code leaves
 * after the opener's SYN (rst_learn.c) and the peer's RST (rst_records.c).
 * Its key is the one in the store's small record (key). */
static void expand(const struct rst_core *core, const struct rst_conn_small *sm,
                   const struct rst_conn_key *key, struct rst_conn *c)
{
    unsigned o = sm->bits & PACK_OPENER;
    struct rst_side *x = &c->side[o], *y = &c->side[!o];
    memset(c, 0, sizeof *c);
    c->key = key;
    x->host = sm->host[o];
    y->host = sm->host[!o];
    x->last.frame = x->first_frame = x->syn_frame = x->ttl_frame = sm->frame;
    x->last.seq = x->isn = sm->isn;
    x->last.ack = sm->ack;
    x->last.time_us = x->run_time = x->syn_time = time_of(sm);
    x->last.window = sm->window;
    x->last.flags = sm->flags;
    x->snd_max = sm->isn + 1;
    x->snd_known = true;
    if (sm->flags & RST_TH_ACK) {
        x->max_ack = sm->ack;
        x->ack_known = true;
    }
    if (sm->bits & PACK_TS) {
        x->ts_first_time = x->ts_last_time = time_of(sm);
        x->ts_first = x->ts_last = sm->tsval;
        x->ts_offered = x->ts_seen = true;
    }
    x->ttl_min = x->ttl_max = x->ttl_first = x->syn_ttl = sm->ttl;
    memcpy(x->syn_mac, sm->mac, 6);
    if (sm->bits & PACK_MAC) {
        x->syn_has_mac = x->mac_known = true;
        memcpy(x->mac, sm->mac, 6);
        x->mac_frame = sm->frame;
    }
    x->wscale = sm->wscale;
    x->wscale_offered = (sm->bits & PACK_WSCALE) != 0;
    if (sm->bits & PACK_IP_ID) {
        x->ip_id = sm->ip_id;
        x->ip_id_known = true;
    }
    const struct rst_record *rst = rst_store_record(core, sm->rst);
    if (rst) {
        y->rst_frame = rst->frame;
        y->last_rst = y->reset_rst = y->pending_rsts = sm->rst;
        c->rst_count = 1;
    }
    c->last_time_us = time_of(sm);
    c->last_frame = sm->frame;
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
    c->client = (int8_t)((sm->flags & RST_TH_ACK) ? !o : o);
    c->last_data = -1;
}

/* The small record of a full state, if one holds it. */
static bool pack(const struct rst_core *core, const struct rst_conn *c, struct rst_conn_small *sm)
{
    if (!c->side[0].syn_frame == !c->side[1].syn_frame)
        return false; /* no SYN, or both sides': past the handshake */
    unsigned o = c->side[1].syn_frame ? 1 : 0;
    const struct rst_side *x = &c->side[o], *y = &c->side[!o];
    struct rst_conn_small p = { .key = sm->key, .full = sm->full };
    p.bits =
        (uint8_t)(o | (x->mac_known ? PACK_MAC : 0) | (x->ts_seen ? PACK_TS : 0)
                  | (x->wscale_offered ? PACK_WSCALE : 0) | (x->ip_id_known ? PACK_IP_ID : 0)
                  | (c->link_known ? PACK_LINK : 0) | (c->point_ttl_known[o] ? PACK_POINT_TTL : 0));
    p.time_us[0] = (uint32_t)x->syn_time;
    p.time_us[1] = (uint32_t)((uint64_t)x->syn_time >> 32);
    p.host[o] = x->host;
    p.host[!o] = y->host;
    p.interface_id = c->interface_id;
    p.frame = x->syn_frame;
    p.isn = x->isn;
    p.ack = x->last.ack;
    p.tsval = x->ts_first;
    p.rst = y->last_rst;
    p.ip_id = x->ip_id;
    p.window = x->last.window;
    memcpy(p.link_peer, c->link[!o], 6);
    memcpy(p.mac, x->syn_mac, 6);
    p.ttl = x->syn_ttl;
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

/* A zeroed full form (its number, index + 1), the space of a packed one
 * if there is any; 0 when memory runs out. */
static uint32_t take_full(struct rst_core *core)
{
    if (core->n_free_fulls) {
        uint32_t f = core->free_fulls[--core->n_free_fulls];
        memset(chunked_at(&core->fulls, f - 1), 0, sizeof(struct rst_conn));
        return f;
    }
    return rst_chunked_push(&core->fulls) ? (uint32_t)core->fulls.count : 0;
}

/* Gives a small record its full form, to be packed again when the
 * outermost call returns.  Out of memory, the full form stays for good, or
 * (none to be had) the connection is seen through a spare the core keeps. */
static struct rst_conn *give_full(struct rst_core *core, struct rst_conn_small *sm, uint32_t index)
{
    uint32_t f = take_full(core);
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

void rst_conns_enter(const struct rst_core *core)
{
    ((struct rst_core *)core)->depth++;
}

/* Packs what the call expanded, once no caller can hold a full form. */
void rst_conns_leave(const struct rst_core *core)
{
    struct rst_core *m = (struct rst_core *)core;
    if (--m->depth)
        return;
    for (size_t i = 0; i < m->n_expanded; i++) {
        struct rst_conn_small *sm = chunked_at(&m->conns, m->expanded[i]);
        uint32_t f = sm->full;
        /* Packed, its full form's space goes to the next one expanded
         * (unless there is no room to note it: then it stays full). */
        if (f && pack(m, chunked_at(&m->fulls, f - 1), sm)
            && push_index(&m->free_fulls, &m->n_free_fulls, &m->cap_free_fulls, f))
            sm->full = 0;
    }
    m->n_expanded = 0;
}

size_t rst_conns_full(const struct rst_core *core)
{
    return core->fulls.count - core->n_free_fulls;
}
