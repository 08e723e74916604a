/* rst_points.c: which connection a segment belongs to, at which capture point.
 *
 * A connection is found by its tuple (addresses and ports; inside tunnels
 * the tunnel's own identity), its view (the capture interface and the
 * tunnels around it) and its point: the link within the view, where a merge
 * collapsed the interfaces of several captures into one (docs/two-points.md).
 * Hosts are found alike.  One connection's entries at several points, and
 * one address's host entries, form rings.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst_points.h"

#include <string.h>

/* Endpoint order is canonical, so both directions find one connection.
 * Returns the side index of the segment's source. */
static unsigned make_key(const struct rst_segment *s, struct rst_conn_key *key)
{
    bool v6 = s->ip_version == 6;
    int order = memcmp(s->src, s->dst, v6 ? 16 : 4);
    unsigned from = (order > 0 || (order == 0 && s->sport > s->dport)) ? 1 : 0;

    memset(key, 0, sizeof *key); /* padding too: keys are hashed as bytes */
    key->group = s->group;
    key->view = s->view;
    key->ip_version = s->ip_version;
    /* Copies of a fixed size, which the compiler writes out as moves. */
    if (v6) {
        memcpy(key->addr[from], s->src, 16);
        memcpy(key->addr[!from], s->dst, 16);
    } else {
        memcpy(key->addr[from], s->src, 4);
        memcpy(key->addr[!from], s->dst, 4);
    }
    key->port[from] = s->sport;
    key->port[!from] = s->dport;
    return from;
}

/* A SYN reusing the port pair of an earlier connection starts a new one
 * (RFC 9293 3.4.1 lets a new incarnation reuse the pair).  The same ISN
 * again is a retransmission of the SYN. */
static bool starts_new_connection(const struct rst_conn *c, unsigned from,
                                  const struct rst_segment *s)
{
    const struct rst_side *x = &c->side[from];
    if ((s->flags & (RST_TH_SYN | RST_TH_ACK | RST_TH_RST)) != RST_TH_SYN)
        return false;
    if (x->syn_frame)
        return s->seq != x->isn;
    bool ended = c->rst_count > 0 || (c->side[0].fin_frame && c->side[1].fin_frame);
    return ended || x->first_frame != 0;
}

/* Adds element `index` (from 0) of a store to the ring of another capture
 * point's entry `other` (rings of connections and of hosts alike). */
static void join_ring(uint32_t *other_next, uint32_t other, uint32_t *next, uint32_t index)
{
    if (!*other_next)
        *other_next = other + 1;
    *next = *other_next;
    *other_next = index + 1;
}

/* The two host entries found last, the newer first: a new connection
 * looks up both its ends, and a scanner's or a flooded server's is the
 * same each time (a comparison instead of a hash).  Entries never move or
 * go, so a remembered one stays right. */
static uint32_t recent_host(struct rst_core *core, const struct rst_host *key)
{
    for (unsigned k = 0; k < 2; k++) {
        uint32_t h = core->recent_hosts[k];
        if (h && memcmp(rst_store_host(core, h), key, HOST_KEY_LEN) == 0) {
            core->recent_hosts[k] = core->recent_hosts[0];
            core->recent_hosts[0] = h;
            return h;
        }
    }
    return 0;
}

static uint32_t note_recent_host(struct rst_core *core, uint32_t h)
{
    core->recent_hosts[1] = core->recent_hosts[0];
    core->recent_hosts[0] = h;
    return h;
}

/* The host entry of an endpoint, created on first sight; 0 when out of
 * memory.  link_mac: the MAC at its end of the link, where the view holds
 * several links, else NULL. */
static uint32_t find_host(struct rst_core *core, uint32_t group, uint32_t view, uint8_t ip_version,
                          const uint8_t *addr, const uint8_t *link_mac)
{
    struct rst_host key;
    memset(&key, 0, sizeof key);
    key.group = group;
    key.view = view;
    key.ip_version = ip_version;
    memcpy(key.addr, addr, ip_version == 6 ? 16 : 4);
    if (link_mac)
        memcpy(key.link_mac, link_mac, 6);
    uint32_t known = recent_host(core, &key);
    if (known)
        return known;
    if (!rst_index_reserve(&core->host_index)
        || (core->places > 1 && !rst_index_reserve(&core->host_tuple_index)))
        return 0;
    uint32_t hash;
    size_t slot = rst_index_find(&core->host_index, &core->hosts, &key, HOST_KEY_LEN, &hash);
    if (core->host_index.slots[slot].ref)
        return note_recent_host(core, core->host_index.slots[slot].ref);
    struct rst_host *h = rst_chunked_push(&core->hosts);
    if (!h)
        return 0;
    *h = key;
    uint32_t index = (uint32_t)core->hosts.count - 1;
    note_recent_host(core, index + 1);
    rst_index_put(&core->host_index, slot, index + 1, hash);
    if (core->places < 2)
        return index + 1; /* one place: no other capture point to find */
    /* The same address at other capture points. */
    struct index *tx = &core->host_tuple_index;
    size_t tslot = rst_index_find(tx, &core->hosts, &key, HOST_TUPLE_LEN, &hash);
    if (tx->slots[tslot].ref) {
        struct rst_host *other = rst_store_host(core, tx->slots[tslot].ref);
        join_ring(&other->next_point, tx->slots[tslot].ref - 1, &h->next_point, index);
    }
    rst_index_put(tx, tslot, index + 1, hash);
    return index + 1;
}

static struct rst_conn *conn_at_slot(const struct rst_core *core, size_t slot)
{
    uint32_t i = core->conn_index.slots[slot].ref;
    return i ? rst_core_conn(core, i - 1) : NULL;
}

/* A frame that names neither end of a connection's link (MACs) was captured
 * on another link: a second capture point in the same interface, as when
 * mergecap collapses the interfaces of two captures into one.  At a single
 * point every frame to an end carries that end's MAC as its destination (a
 * forged frame too, or it would not be received), so a frame matches the
 * link by its destination, or by its source.  A mirror's delivery carries
 * both directions in one outer header, from the mirror source to the
 * collector: a frame that carries the link's two ends the other way round
 * is on it too. */
static bool on_ethernet(const struct rst_segment *s)
{
    return s->has_link && !(s->link_dst[0] & 1); /* not multicast */
}

static bool on_link(const struct rst_conn *c, unsigned from, const struct rst_segment *s)
{
    return !c->link_known || memcmp(s->link_dst, c->link[!from], 6) == 0
        || memcmp(s->link_src, c->link[from], 6) == 0
        || (memcmp(s->link_src, c->link[!from], 6) == 0
            && memcmp(s->link_dst, c->link[from], 6) == 0);
}

/* Without MACs (raw IP, Linux cooked captures) two points of one interface
 * show as the same segment twice with another TTL, a path's delay apart.
 * Only a segment that identifies itself counts (an IPv4 ID or an RFC 7323
 * timestamp: a retransmission carries new ones). */
#define SIGHTING_WINDOW_US 1000000

static bool sighted(const struct rst_core *core, const struct rst_conn *c, unsigned from,
                    const struct rst_segment *s)
{
    bool ip_id = s->has_ip_id && s->ip_id != 0;
    if (!ip_id && !s->has_timestamps)
        return false;
    if (s->flags & RST_TH_RST) {
        const struct rst_record *r = rst_store_record(core, c->side[from].last_rst);
        return r && r->seq == s->seq && r->ack == s->ack && r->flags == s->flags && r->ttl != s->ttl
            && r->ip_id == s->ip_id && s->time_us - r->time_us < SIGHTING_WINDOW_US;
    }
    const struct rst_side *x = &c->side[from];
    const struct rst_last_seg *l = &x->last;
    return l->frame && l->seq == s->seq && l->ack == s->ack && l->flags == s->flags
        && l->len == s->payload_len && s->time_us - l->time_us < SIGHTING_WINDOW_US
        && c->point_ttl_known[from] && c->point_ttl[from] != s->ttl
        && (!ip_id || (x->ip_id_known && x->ip_id == s->ip_id))
        && (!s->has_timestamps || (x->ts_seen && x->ts_last == s->tsval));
}

/* The point of a segment without MACs: where the sender's packets have its
 * TTL; else, if another point just saw the same segment, a point that has
 * not seen the sender yet (or a new one); else the most recently active
 * point that has not seen the sender; else the first.  A forged packet with
 * a TTL of its own thus stays at the point it was captured on, unless it
 * takes the TTL the sender has at the other point (docs/two-points.md). */
static uint8_t choose_point_by_ttl(const struct rst_core *core, struct rst_conn_key *key,
                                   unsigned from, const struct rst_segment *s)
{
    const struct rst_conn *c[RST_POINTS_MAX];
    uint8_t n = 0;
    for (; n < RST_POINTS_MAX; n++) {
        key->point = n;
        c[n] = conn_at_slot(
            core, rst_index_find(&core->conn_index, &core->conns, key, sizeof *key, NULL));
        if (!c[n])
            break;
    }
    for (uint8_t p = 0; p < n; p++)
        if (c[p]->point_ttl_known[from] && c[p]->point_ttl[from] == s->ttl)
            return p;
    int seen_at = -1, fresh = -1;
    for (uint8_t p = 0; p < n && seen_at < 0; p++)
        if (sighted(core, c[p], from, s))
            seen_at = p;
    for (uint8_t p = 0; p < n; p++)
        if ((int)p != seen_at && !c[p]->point_ttl_known[from]
            && (fresh < 0 || c[p]->last_time_us > c[fresh]->last_time_us))
            fresh = p;
    if (fresh >= 0)
        return (uint8_t)fresh;
    if (seen_at >= 0 && n < RST_POINTS_MAX)
        return n;
    return 0;
}

/* The link (point) of the view the segment was captured on: the first whose
 * newest connection of this tuple it matches, or the first without one.
 * Sets key->point; returns the index slot of that key, and its hash. */
static size_t choose_point(const struct rst_core *core, struct rst_conn_key *key, unsigned from,
                           const struct rst_segment *s, uint32_t *hash)
{
    if (on_ethernet(s)) {
        for (uint8_t p = 0; p < RST_POINTS_MAX; p++) {
            key->point = p;
            size_t slot = rst_index_find(&core->conn_index, &core->conns, key, sizeof *key, hash);
            const struct rst_conn *c = conn_at_slot(core, slot);
            if (!c || on_link(c, from, s))
                return slot;
        }
        key->point = 0;
    } else {
        key->point = choose_point_by_ttl(core, key, from, s);
    }
    return rst_index_find(&core->conn_index, &core->conns, key, sizeof *key, hash);
}

/* What a host entry learns from a side's packets so far (when the side's
 * host becomes the entry of its link). */
static void absorb_side(struct rst_host *h, const struct rst_side *x)
{
    if (x->ttl_frame) {
        if (!h->ttl_frame) {
            h->ttl_frame = x->ttl_frame;
            h->ttl_min = x->ttl_min, h->ttl_max = x->ttl_max;
        }
        if (x->ttl_min < h->ttl_min)
            h->ttl_min = x->ttl_min;
        if (x->ttl_max > h->ttl_max)
            h->ttl_max = x->ttl_max;
    }
    if (x->mac_known && !h->mac_known) {
        memcpy(h->mac, x->mac, 6);
        h->mac_known = true;
        h->mac_frame = x->mac_frame;
        h->mac_varies = x->mac_varies;
    } else if (x->mac_known && (x->mac_varies || memcmp(h->mac, x->mac, 6) != 0)) {
        h->mac_varies = true;
    }
    if (x->response_frame && (!h->response_frame || x->response_us < h->response_us)) {
        h->response_us = x->response_us;
        h->response_frame = x->response_frame;
    }
}

/* The view turned out to hold several links: the connection's hosts become
 * the entries of its own link, so that two capture points' TTLs and MACs of
 * one host never mix. */
static void split_conn(struct rst_core *core, struct rst_conn *c)
{
    c->split = true;
    for (unsigned side = 0; side < 2; side++) {
        uint32_t plain = find_host(core, c->key->group, c->key->view, c->key->ip_version,
                                   c->key->addr[side], NULL);
        if (plain)
            rst_store_host(core, plain)->split = true;
        uint32_t h = find_host(core, c->key->group, c->key->view, c->key->ip_version,
                               c->key->addr[side], c->link[side]);
        if (h)
            absorb_side(rst_store_host(core, h), &c->side[side]);
        c->side[side].host = h;
    }
}

/* The same connection at another capture point: its newest entry there, if
 * no newer connection of the tuple started since (a SYN with another ISN,
 * or a minute apart). */
#define SAME_CONNECTION_GAP_US 60000000LL

static bool same_connection(const struct rst_core *core, uint32_t other,
                            const struct rst_conn_key *key, unsigned from,
                            const struct rst_segment *s)
{
    const struct rst_conn *o = rst_core_conn(core, other);
    RST_FOR_EACH_POINT (r, core, other, true) {
        const struct rst_conn *x = rst_ring_conn(&r);
        if (x->key->view == key->view && x->key->point == key->point)
            return false; /* it has this point already: an older connection */
    }
    if ((s->flags & RST_TH_SYN) && o->side[from].syn_frame && o->side[from].isn != s->seq)
        return false;
    int64_t gap = s->time_us - o->last_time_us;
    return !o->last_frame || (gap < SAME_CONNECTION_GAP_US && -gap < SAME_CONNECTION_GAP_US);
}

static struct rst_conn *new_conn(struct rst_core *core, const struct rst_conn_key *key, size_t slot,
                                 uint32_t hash, uint32_t *index, unsigned from,
                                 const struct rst_segment *s)
{
    const struct rst_conn *previous = conn_at_slot(core, slot);
    bool split = key->point > 0 || (previous && previous->split);
    struct rst_conn *c = rst_conn_new(core, key, index);
    if (!c)
        return NULL;
    c->client = -1;
    c->last_data = -1;
    c->interface_id = s->interface_id;
    rst_index_put(&core->conn_index, slot, *index + 1, hash);
    if (on_ethernet(s)) {
        memcpy(c->link[from], s->link_src, 6);
        memcpy(c->link[!from], s->link_dst, 6);
        c->link_known = true;
    }
    uint32_t plain[2];
    for (unsigned side = 0; side < 2; side++) {
        /* Where an address is seen on several links of the view, even a
         * connection seen on one of them uses its link's entry. */
        plain[side] =
            find_host(core, key->group, key->view, key->ip_version, key->addr[side], NULL);
        split = split || (plain[side] && c->link_known && rst_core_host(core, plain[side])->split);
    }
    c->split = split;
    for (unsigned side = 0; side < 2; side++)
        c->side[side].host = split ? find_host(core, key->group, key->view, key->ip_version,
                                               key->addr[side], c->link[side])
                                   : plain[side];
    if (key->point > 0) {
        /* The view's first link is split from now on as well. */
        struct rst_conn_key first = *key;
        first.point = 0;
        struct rst_conn *c0 = conn_at_slot(
            core, rst_index_find(&core->conn_index, &core->conns, &first, sizeof first, NULL));
        if (c0 && !c0->split)
            split_conn(core, c0);
    }
    if (core->places < 2)
        return c; /* one place: no other capture point to find */
    struct index *tx = &core->tuple_index;
    size_t tslot = rst_index_find(tx, &core->conns, key, TUPLE_KEY_LEN, &hash);
    if (tx->slots[tslot].ref) {
        uint32_t other = tx->slots[tslot].ref - 1;
        if (same_connection(core, other, key, from, s))
            join_ring(&rst_core_conn(core, other)->next_point, other, &c->next_point, *index);
    }
    rst_index_put(tx, tslot, *index + 1, hash);
    return c;
}

/* Indexes every entry by its tuple (the newest entry of a tuple last), as
 * if each had been indexed when made. */
static bool index_tuples(struct index *tx, const struct chunked *store, size_t tuple_len)
{
    for (size_t i = 0; i < store->count; i++) {
        if (!rst_index_reserve(tx))
            return false;
        uint32_t hash;
        size_t slot = rst_index_find(tx, store, chunked_at(store, i), tuple_len, &hash);
        rst_index_put(tx, slot, (uint32_t)i + 1, hash);
    }
    return rst_index_reserve(tx); /* and room for the entry being made */
}

/* The tuple indexes find a connection's or an address's entries at other
 * places (capture points, views): a file with one place needs none (what
 * they would find there is an older entry at the same place, which joins no
 * ring).  They are made when a second place first shows, from every entry
 * so far in the order they were made: what they would hold had they been
 * kept all along.  False when memory runs out. */
static bool note_place(struct rst_core *core, const struct rst_conn_key *key)
{
    if (core->places == 0) {
        core->places = 1;
        core->place_view = key->view;
        return true;
    }
    if (core->places > 1 || (key->view == core->place_view && key->point == 0))
        return true;
    core->places = 2;
    return index_tuples(&core->tuple_index, &core->conns, TUPLE_KEY_LEN)
        && index_tuples(&core->host_tuple_index, &core->hosts, HOST_TUPLE_LEN);
}

struct rst_conn *rst_points_lookup(struct rst_core *core, const struct rst_segment *s,
                                   unsigned *from, uint32_t *index)
{
    struct rst_conn_key key;
    *from = make_key(s, &key);
    if (!rst_index_reserve(&core->conn_index)
        || (core->places > 1 && !rst_index_reserve(&core->tuple_index)))
        return NULL;
    uint32_t hash;
    size_t slot = choose_point(core, &key, *from, s, &hash);
    if (!note_place(core, &key))
        return NULL;
    struct rst_conn *c = NULL;
    if (core->conn_index.slots[slot].ref) {
        *index = core->conn_index.slots[slot].ref - 1;
        c = rst_core_conn(core, *index);
        if (starts_new_connection(c, *from, s))
            c = NULL;
    }
    if (!c)
        c = new_conn(core, &key, slot, hash, index, *from, s);
    if (c && !on_ethernet(s) && !(s->flags & RST_TH_RST) && !c->point_ttl_known[*from]) {
        c->point_ttl[*from] = s->ttl;
        c->point_ttl_known[*from] = true;
    }
    return c;
}

/* The same SYN (or SYN-ACK) seen at another point of the connection: how
 * much later the sender's packets are seen here than there, path and clock
 * offset together.  Each host entry keeps the first such lag, so that a
 * connection that never reached the other point can still be placed on its
 * clock (rst_vantage.c). */
void rst_points_note_lag(struct rst_core *core, uint32_t index, unsigned from)
{
    const struct rst_side *x = &rst_core_conn(core, index)->side[from];
    RST_FOR_EACH_POINT (r, core, index, false) {
        const struct rst_side *xq = &rst_ring_conn(&r)->side[from];
        if (xq->syn_frame && xq->isn == x->isn && x->host && xq->host && x->host != xq->host) {
            struct rst_host *h = rst_store_host(core, x->host);
            struct rst_host *hq = rst_store_host(core, xq->host);
            if (!h->lag_host) {
                h->lag_host = xq->host;
                h->lag_us = x->syn_time - xq->syn_time;
            }
            if (!hq->lag_host) {
                hq->lag_host = x->host;
                hq->lag_us = xq->syn_time - x->syn_time;
            }
        }
    }
}
