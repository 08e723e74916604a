/* rst_track.c: following TCP connections and hosts segment by segment.
 *
 * Connections are found by (capture point, addresses, ports), hosts by
 * (capture point, address); both live in fixed-size chunks, so memory grows
 * with connections, never with packets; only RST segments get a record of
 * their own.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst_internal.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ storage */

#define CHUNK_BITS 10
#define CHUNK_SIZE (1u << CHUNK_BITS)

/* A growable array that never moves its elements. */
struct chunked {
    void **chunks;
    size_t n_chunks, cap_chunks;
    size_t count;
    size_t elem_size;
};

static void *chunked_at(const struct chunked *v, size_t i)
{
    return (char *)v->chunks[i >> CHUNK_BITS] + (i & (CHUNK_SIZE - 1)) * v->elem_size;
}

/* Appends a zeroed element; NULL when memory runs out. */
static void *chunked_push(struct chunked *v)
{
    if ((v->count >> CHUNK_BITS) == v->n_chunks) {
        if (v->n_chunks == v->cap_chunks) {
            size_t cap = v->cap_chunks ? 2 * v->cap_chunks : 16;
            void **grown = realloc(v->chunks, cap * sizeof *grown);
            if (!grown)
                return NULL;
            v->chunks = grown;
            v->cap_chunks = cap;
        }
        v->chunks[v->n_chunks] = calloc(CHUNK_SIZE, v->elem_size);
        if (!v->chunks[v->n_chunks])
            return NULL;
        v->n_chunks++;
    }
    return chunked_at(v, v->count++);
}

static size_t chunked_bytes(const struct chunked *v)
{
    return v->n_chunks * CHUNK_SIZE * v->elem_size + v->cap_chunks * sizeof(void *);
}

static void chunked_free(struct chunked *v)
{
    for (size_t i = 0; i < v->n_chunks; i++)
        free(v->chunks[i]);
    free(v->chunks);
    memset(v, 0, sizeof *v);
}

/* Open addressing over indexes into a chunked store: slot = index + 1, 0 = empty.
 * The store's element starts with its key. */
struct index {
    uint32_t *slots;
    size_t size;             /* a power of two */
    size_t used;
    const struct rst_hash_key *hash_key;   /* the core's */
};

uint32_t rst_fnv1a(uint32_t h, const void *bytes, size_t len)
{
    const uint8_t *p = bytes;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

/* The slot holding the key, or the empty slot where it goes. */
static size_t index_find(const struct index *ix, const struct chunked *store,
                         const void *key, size_t key_len)
{
    size_t mask = ix->size - 1;
    size_t i = (size_t)rst_hash(ix->hash_key, key, key_len) & mask;
    while (ix->slots[i]) {
        if (memcmp(chunked_at(store, ix->slots[i] - 1), key, key_len) == 0)
            return i;
        i = (i + 1) & mask;
    }
    return i;
}

/* Doubles the table (at first: makes it), moving every entry. */
static bool index_grow(struct index *ix, const struct chunked *store, size_t key_len)
{
    struct index grown = { calloc(ix->size ? 2 * ix->size : 1024, sizeof(uint32_t)),
                           ix->size ? 2 * ix->size : 1024, ix->used, ix->hash_key };
    if (!grown.slots)
        return false;
    for (size_t i = 0; i < ix->size; i++)
        if (ix->slots[i])
            grown.slots[index_find(&grown, store, chunked_at(store, ix->slots[i] - 1),
                                   key_len)] = ix->slots[i];
    free(ix->slots);
    *ix = grown;
    return true;
}

/* Keeps the table at most half full, so probes stay short and end.  Asked
 * on every segment: the test stays inline, the growth does not. */
static inline bool index_reserve(struct index *ix, const struct chunked *store, size_t key_len)
{
    return (ix->used + 1) * 2 <= ix->size || index_grow(ix, store, key_len);
}

/* A RST payload's statement, kept only for RSTs that carry one. */
struct diag_entry {
    uint8_t format;          /* enum rst_diag_format */
    bool text_truncated;
    uint16_t code;
    uint32_t pen;
    uint16_t text_len;
    uint32_t uncaptured;
    uint8_t text[RST_DIAG_TEXT_MAX];
};

struct rst_core {
    struct chunked conns;      /* struct rst_conn */
    struct chunked hosts;      /* struct rst_host */
    struct chunked records;    /* struct rst_record */
    struct chunked diags;      /* struct diag_entry */
    struct index conn_index, host_index;
    struct index tuple_index;       /* a connection's tuple -> its newest connection */
    struct index host_tuple_index;  /* an address -> its newest host entry */
    struct rst_hash_key hash_key;   /* of all four indexes (rst_hash.c) */
};

struct rst_core *rst_core_new(void)
{
    struct rst_core *core = calloc(1, sizeof *core);
    if (!core)
        return NULL;
    core->conns.elem_size = sizeof(struct rst_conn);
    core->hosts.elem_size = sizeof(struct rst_host);
    core->records.elem_size = sizeof(struct rst_record);
    core->diags.elem_size = sizeof(struct diag_entry);
    core->conn_index.hash_key = core->host_index.hash_key = &core->hash_key;
    core->tuple_index.hash_key = core->host_tuple_index.hash_key = &core->hash_key;
    return core;
}

void rst_core_free(struct rst_core *core)
{
    if (!core)
        return;
    chunked_free(&core->conns);
    chunked_free(&core->hosts);
    chunked_free(&core->records);
    chunked_free(&core->diags);
    free(core->conn_index.slots);
    free(core->host_index.slots);
    free(core->tuple_index.slots);
    free(core->host_tuple_index.slots);
    free(core);
}

struct rst_conn *rst_core_conn(const struct rst_core *core, uint32_t index)
{
    return chunked_at(&core->conns, index);
}

uint32_t rst_conn_ring_next(const struct rst_core *core, uint32_t start, uint32_t m)
{
    uint32_t next = rst_core_conn(core, m - 1)->next_point;
    return next == start ? 0 : next;
}

const struct rst_host *rst_core_host(const struct rst_core *core, uint32_t host)
{
    return host ? chunked_at(&core->hosts, host - 1) : NULL;
}

static struct rst_record *record_at(const struct rst_core *core, uint32_t rst_id)
{
    if (rst_id == 0 || rst_id > core->records.count)
        return NULL;
    return chunked_at(&core->records, rst_id - 1);
}

const struct rst_record *rst_core_record(const struct rst_core *core, uint32_t rst_id)
{
    return record_at(core, rst_id);
}

size_t rst_core_memory(const struct rst_core *core)
{
    return chunked_bytes(&core->conns) + chunked_bytes(&core->hosts)
         + chunked_bytes(&core->records) + chunked_bytes(&core->diags)
         + (core->conn_index.size + core->host_index.size + core->tuple_index.size
            + core->host_tuple_index.size) * sizeof(uint32_t) + sizeof *core;
}

size_t rst_core_connections(const struct rst_core *core)
{
    return core->conns.count;
}

size_t rst_core_hosts(const struct rst_core *core)
{
    return core->hosts.count;
}

/* ------------------------------------------------------------ lookup */

/* Endpoint order is canonical, so both directions find one connection.
 * Returns the side index of the segment's source. */
static unsigned make_key(const struct rst_segment *s, struct rst_conn_key *key)
{
    bool v6 = s->ip_version == 6;
    int order = memcmp(s->src, s->dst, v6 ? 16 : 4);
    unsigned from = (order > 0 || (order == 0 && s->sport > s->dport)) ? 1 : 0;

    memset(key, 0, sizeof *key);   /* padding too: keys are hashed as bytes */
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

/* The host entry of an endpoint, created on first sight; 0 when out of
 * memory.  link_mac: the MAC at its end of the link, where the view holds
 * several links, else NULL. */
static uint32_t find_host(struct rst_core *core, uint32_t group, uint32_t view,
                          uint8_t ip_version, const uint8_t *addr, const uint8_t *link_mac)
{
    struct rst_host key;
    memset(&key, 0, sizeof key);
    key.group = group;
    key.view = view;
    key.ip_version = ip_version;
    memcpy(key.addr, addr, ip_version == 6 ? 16 : 4);
    if (link_mac)
        memcpy(key.link_mac, link_mac, 6);
    if (!index_reserve(&core->host_index, &core->hosts, HOST_KEY_LEN)
        || !index_reserve(&core->host_tuple_index, &core->hosts, HOST_TUPLE_LEN))
        return 0;
    size_t slot = index_find(&core->host_index, &core->hosts, &key, HOST_KEY_LEN);
    if (core->host_index.slots[slot])
        return core->host_index.slots[slot];
    struct rst_host *h = chunked_push(&core->hosts);
    if (!h)
        return 0;
    *h = key;
    uint32_t index = (uint32_t)core->hosts.count - 1;
    core->host_index.slots[slot] = index + 1;
    core->host_index.used++;
    /* The same address at other capture points. */
    struct index *tx = &core->host_tuple_index;
    size_t tslot = index_find(tx, &core->hosts, &key, HOST_TUPLE_LEN);
    if (tx->slots[tslot]) {
        struct rst_host *other = chunked_at(&core->hosts, tx->slots[tslot] - 1);
        join_ring(&other->next_point, tx->slots[tslot] - 1, &h->next_point, index);
    } else {
        tx->used++;
    }
    tx->slots[tslot] = index + 1;
    return index + 1;
}

static struct rst_conn *conn_at_slot(const struct rst_core *core, size_t slot)
{
    uint32_t i = core->conn_index.slots[slot];
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
    return s->has_link && !(s->link_dst[0] & 1);   /* not multicast */
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
        const struct rst_record *r = record_at(core, c->side[from].last_rst);
        return r && r->seq == s->seq && r->ack == s->ack && r->flags == s->flags
            && r->ttl != s->ttl && r->ip_id == s->ip_id
            && s->time_us - r->time_us < SIGHTING_WINDOW_US;
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
        c[n] = conn_at_slot(core, index_find(&core->conn_index, &core->conns, key, sizeof *key));
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
 * Sets key->point; returns the index slot of that key. */
static size_t choose_point(const struct rst_core *core, struct rst_conn_key *key, unsigned from,
                           const struct rst_segment *s)
{
    if (on_ethernet(s)) {
        for (uint8_t p = 0; p < RST_POINTS_MAX; p++) {
            key->point = p;
            size_t slot = index_find(&core->conn_index, &core->conns, key, sizeof *key);
            const struct rst_conn *c = conn_at_slot(core, slot);
            if (!c || on_link(c, from, s))
                return slot;
        }
        key->point = 0;
    } else {
        key->point = choose_point_by_ttl(core, key, from, s);
    }
    return index_find(&core->conn_index, &core->conns, key, sizeof *key);
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
        uint32_t plain = find_host(core, c->key.group, c->key.view, c->key.ip_version,
                                   c->key.addr[side], NULL);
        if (plain)
            ((struct rst_host *)chunked_at(&core->hosts, plain - 1))->split = true;
        uint32_t h = find_host(core, c->key.group, c->key.view, c->key.ip_version,
                               c->key.addr[side], c->link[side]);
        if (h)
            absorb_side(chunked_at(&core->hosts, h - 1), &c->side[side]);
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
    uint32_t start = other + 1;
    for (uint32_t m = start, n = 0; m && n < RST_RING_MAX;
         m = rst_conn_ring_next(core, start, m), n++) {
        const struct rst_conn *x = rst_core_conn(core, m - 1);
        if (x->key.view == key->view && x->key.point == key->point)
            return false;   /* it has this point already: an older connection */
    }
    if ((s->flags & RST_TH_SYN) && o->side[from].syn_frame && o->side[from].isn != s->seq)
        return false;
    int64_t gap = s->time_us - o->last_time_us;
    return !o->last_frame || (gap < SAME_CONNECTION_GAP_US && -gap < SAME_CONNECTION_GAP_US);
}

static struct rst_conn *new_conn(struct rst_core *core, const struct rst_conn_key *key,
                                 size_t slot, uint32_t *index, unsigned from,
                                 const struct rst_segment *s)
{
    const struct rst_conn *previous = conn_at_slot(core, slot);
    bool split = key->point > 0 || (previous && previous->split);
    struct rst_conn *c = chunked_push(&core->conns);
    if (!c)
        return NULL;
    c->key = *key;
    c->client = -1;
    c->interface_id = s->interface_id;
    *index = (uint32_t)(core->conns.count - 1);
    if (!core->conn_index.slots[slot])
        core->conn_index.used++;
    core->conn_index.slots[slot] = *index + 1;
    if (on_ethernet(s)) {
        memcpy(c->link[from], s->link_src, 6);
        memcpy(c->link[!from], s->link_dst, 6);
        c->link_known = true;
    }
    uint32_t plain[2];
    for (unsigned side = 0; side < 2; side++) {
        /* Where an address is seen on several links of the view, even a
         * connection seen on one of them uses its link's entry. */
        plain[side] = find_host(core, key->group, key->view, key->ip_version, key->addr[side],
                                NULL);
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
        struct rst_conn *c0 = conn_at_slot(core, index_find(&core->conn_index, &core->conns,
                                                            &first, sizeof first));
        if (c0 && !c0->split)
            split_conn(core, c0);
    }
    struct index *tx = &core->tuple_index;
    size_t tslot = index_find(tx, &core->conns, key, TUPLE_KEY_LEN);
    if (tx->slots[tslot]) {
        uint32_t other = tx->slots[tslot] - 1;
        if (same_connection(core, other, key, from, s))
            join_ring(&rst_core_conn(core, other)->next_point, other, &c->next_point, *index);
    } else {
        tx->used++;
    }
    tx->slots[tslot] = *index + 1;
    return c;
}

static struct rst_conn *lookup(struct rst_core *core, const struct rst_segment *s,
                               unsigned *from, uint32_t *index)
{
    struct rst_conn_key key;
    *from = make_key(s, &key);
    if (!index_reserve(&core->conn_index, &core->conns, sizeof key)
        || !index_reserve(&core->tuple_index, &core->conns, TUPLE_KEY_LEN))
        return NULL;
    size_t slot = choose_point(core, &key, *from, s);
    struct rst_conn *c = NULL;
    if (core->conn_index.slots[slot]) {
        *index = core->conn_index.slots[slot] - 1;
        c = rst_core_conn(core, *index);
        if (starts_new_connection(c, *from, s))
            c = NULL;
    }
    if (!c)
        c = new_conn(core, &key, slot, index, *from, s);
    if (c && !on_ethernet(s) && !(s->flags & RST_TH_RST) && !c->point_ttl_known[*from]) {
        c->point_ttl[*from] = s->ttl;
        c->point_ttl_known[*from] = true;
    }
    return c;
}

/* ------------------------------------------------------------ updates */

/* Linux and Windows probe with one byte (or none) just below SND.NXT
 * (RFC 1122 4.2.3.6); Wireshark uses the same test. */
static bool is_keepalive(const struct rst_side *x, const struct rst_segment *s)
{
    return x->snd_known && (s->flags & (RST_TH_SYN | RST_TH_FIN | RST_TH_RST)) == 0
        && s->payload_len <= 1 && s->seq == x->snd_max - 1;
}

static void note_ttl_mac(uint8_t *ttl_min, uint8_t *ttl_max, uint32_t *ttl_frame,
                         uint8_t *mac, bool *mac_known, bool *mac_varies, uint32_t *mac_frame,
                         const struct rst_segment *s)
{
    if (!*ttl_frame) {
        *ttl_frame = s->frame;
        *ttl_min = *ttl_max = s->ttl;
    } else {
        if (s->ttl < *ttl_min)
            *ttl_min = s->ttl;
        if (s->ttl > *ttl_max)
            *ttl_max = s->ttl;
    }
    if (s->has_mac) {
        if (!*mac_known) {
            memcpy(mac, s->src_mac, 6);
            *mac_known = true;
            *mac_frame = s->frame;
        } else if (memcmp(mac, s->src_mac, 6) != 0) {
            *mac_varies = true;
        }
    }
}

/* IP IDs: Linux counts per connection (DF packets of a socket), Windows and
 * FreeBSD count per host; a sender "counts" when consecutive IDs are close. */
static void note_ip_id(struct rst_side *x, const struct rst_segment *s)
{
    if (!s->has_ip_id || s->ip_id == 0)
        return;   /* Linux sends 0 from sockets without a peer (SYN-ACKs, replies) */
    if (x->ip_id_known) {
        uint16_t step = (uint16_t)(s->ip_id - x->ip_id);
        if (step >= 1 && step <= 64) {
            if (x->ip_id_steps_ok < UINT8_MAX)
                x->ip_id_steps_ok++;
        } else if (x->ip_id_steps_bad < UINT8_MAX) {
            x->ip_id_steps_bad++;
        }
    }
    x->ip_id = s->ip_id;
    x->ip_id_known = true;
}

static void note_clock_and_window(struct rst_side *x, const struct rst_segment *s)
{
    if (s->has_timestamps) {
        if (!x->ts_seen) {
            x->ts_first = s->tsval;
            x->ts_first_time = s->time_us;
            x->ts_seen = true;
        }
        x->ts_last = s->tsval;
        x->ts_last_time = s->time_us;
    }
    if (!(s->flags & RST_TH_SYN) && !s->window_cut) {   /* RFC 7323: SYNs are never scaled */
        if (!x->win_known || s->window < x->win_min)
            x->win_min = s->window;
        if (!x->win_known || s->window > x->win_max)
            x->win_max = s->window;
        x->win_known = true;
    }
}

static void note_handshake(struct rst_conn *c, unsigned from, const struct rst_segment *s)
{
    struct rst_side *x = &c->side[from];
    if (s->flags & RST_TH_SYN) {
        if (!x->syn_frame) {
            x->syn_frame = s->frame;
            x->syn_time = s->time_us;
            x->syn_ttl = s->ttl;
            x->syn_has_mac = s->has_mac;
            memcpy(x->syn_mac, s->src_mac, 6);
            x->isn = s->seq;
            x->ts_offered = s->has_timestamps;
            x->wscale_offered = s->has_wscale;
            x->wscale = s->wscale;
        }
        if (!(s->flags & RST_TH_ACK))
            c->client = (int8_t)from;
        else if (c->client < 0)
            c->client = (int8_t)!from;
    } else if (c->client == (int)from && c->side[!from].syn_frame && !c->first_after_synack) {
        c->first_after_synack = s->frame;
    }
}

/* The same SYN (or SYN-ACK) seen at another point of the connection: how
 * much later the sender's packets are seen here than there, path and clock
 * offset together.  Each host entry keeps the first such lag, so that a
 * connection that never reached the other point can still be placed on its
 * clock (rst_vantage.c). */
static void note_lag(struct rst_core *core, uint32_t index, unsigned from)
{
    const struct rst_side *x = &rst_core_conn(core, index)->side[from];
    uint32_t start = index + 1;
    for (uint32_t m = rst_conn_ring_next(core, start, start), n = 0; m && n < RST_RING_MAX;
         m = rst_conn_ring_next(core, start, m), n++) {
        const struct rst_conn *q = rst_core_conn(core, m - 1);
        const struct rst_side *xq = &q->side[from];
        if (xq->syn_frame && xq->isn == x->isn && x->host && xq->host && x->host != xq->host) {
            struct rst_host *h = chunked_at(&core->hosts, x->host - 1);
            struct rst_host *hq = chunked_at(&core->hosts, xq->host - 1);
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

/* Counts what the sender repeats while the peer stays silent: keepalive probes
 * and retransmissions of one segment (Windows resets after
 * TcpMaxDataRetransmissions, 5 by default). */
static void note_repeats(struct rst_side *x, struct rst_side *y, const struct rst_segment *s)
{
    uint32_t space = seg_space(s->flags, s->payload_len);
    bool keepalive = is_keepalive(x, s);

    x->keepalives = keepalive ? (uint16_t)(x->keepalives + 1) : 0;
    if (!keepalive && space > 0 && x->snd_known && !(s->flags & RST_TH_SYN)
        && seq_leq(s->seq + space, x->snd_max)) {
        if (x->retransmissions && s->seq == x->retrans_seq) {
            if (x->retransmissions < UINT16_MAX)
                x->retransmissions++;
        } else {
            x->retrans_seq = s->seq;
            x->retransmissions = 1;
        }
    } else if (space > 0 && !keepalive) {
        x->retransmissions = 0;
    }
    /* Anything from x answers y's probes; an ACK past y's data ends its retries. */
    y->keepalives = 0;
    if ((s->flags & RST_TH_ACK) && y->retransmissions && seq_gt(s->ack, y->retrans_seq))
        y->retransmissions = 0;
}

/* How fast x answers y at this capture point: the time from y's segment to
 * x's first segment acknowledging it (SYN -> SYN-ACK, data -> ACK).  The
 * fastest such answer bounds how soon any genuine reply of x can arrive.
 * A "reply" seconds later is an application's, not the path's (a scanner
 * completing handshakes from user space): no round trip takes that long. */
#define MAX_RESPONSE_US 3000000
static void note_response(struct rst_core *core, struct rst_side *x, const struct rst_side *y,
                          const struct rst_segment *s)
{
    const struct rst_last_seg *asked = &y->last;
    if (!asked->frame || !(s->flags & RST_TH_ACK) || seg_space(asked->flags, asked->len) == 0
        || s->ack != asked->seq + seg_space(asked->flags, asked->len)
        || (x->ack_known && !seq_gt(s->ack, x->max_ack) && !(s->flags & RST_TH_SYN)))
        return;
    int64_t took = s->time_us - asked->time_us;
    if (took < 0 || took > MAX_RESPONSE_US)
        return;
    if (!x->response_frame || (uint32_t)took < x->response_us) {
        x->response_us = (uint32_t)took;
        x->response_frame = s->frame;
    }
    struct rst_host *h = x->host ? chunked_at(&core->hosts, x->host - 1) : NULL;
    if (h && (!h->response_frame || (uint32_t)took < h->response_us)) {
        h->response_us = (uint32_t)took;
        h->response_frame = s->frame;
    }
}

/* Traffic of x after its own RSTs: the race (rst_score.c). */
static void settle_race(struct rst_core *core, struct rst_side *x, uint32_t frame)
{
    for (uint32_t id = x->pending_rsts; id;) {
        struct rst_record *r = record_at(core, id);
        r->race_frame = frame;
        id = r->prev_pending;
    }
    x->pending_rsts = 0;
}

/* A host without the connection answers every segment, each alike when they
 * carry the same ACK (or, without ACK, the same seq): the run's first one
 * may be the one a late reply answers. */
static void note_run(struct rst_side *x, const struct rst_segment *s)
{
    const struct rst_last_seg *prev = &x->last;
    bool same = prev->frame && (prev->flags & RST_TH_ACK) == (s->flags & RST_TH_ACK)
                && ((s->flags & RST_TH_ACK) ? prev->ack == s->ack : prev->seq == s->seq);
    if (same)
        return;
    /* Its ACK moved on: a late reply may still answer the runs before. */
    if (prev->frame && (prev->flags & RST_TH_ACK)) {
        memmove(&x->runs[1], &x->runs[0], sizeof x->runs - sizeof x->runs[0]);
        int64_t span = prev->time_us - x->run_time;
        x->runs[0] = (struct rst_run){
            .last_us = prev->time_us, .frame = prev->frame, .ack = prev->ack,
            .span_us = span < 0 ? 0 : span > UINT32_MAX ? UINT32_MAX : (uint32_t)span,
            .len = prev->len > UINT16_MAX ? UINT16_MAX : (uint16_t)prev->len,
            .flags = prev->flags };
    }
    x->run_time = s->time_us;
}

/* A packet more than two hops off the sender's first one does not come from
 * where the sender's packets come from: a forged SYN/ACK or data segment in
 * its name (GFW, QUANTUM INSERT) must not become the sender's baseline.  A
 * route change moves a TTL by a hop or two. */
/* More than two hops apart: another place, not a route change. */
static bool ttl_far(unsigned ttl, unsigned ref)
{
    return ttl > ref + 2 || ttl + 2 < ref;
}

static bool is_outlier(const struct rst_side *x, const struct rst_segment *s)
{
    return x->first_frame && ttl_far(s->ttl, x->ttl_first);
}

/* Whether a packet may join its sender's TTL / MAC baseline: the SYN or
 * SYN-ACK is the sender's own (a forger answers segments, it does not open
 * connections), and a later packet counts only where it agrees with it.  A
 * censor that sends a block page or a FIN in the server's name, then RSTs,
 * must not make its own packets the server's baseline.  Agreeing: within a
 * hop of the handshake's TTL (a route change), and from the handshake's MAC
 * unless at exactly its distance (a second router: ECMP, VRRP failover). */
static bool agrees_with_handshake(const struct rst_side *x, const struct rst_segment *s)
{
    if (!x->syn_frame || (s->flags & RST_TH_SYN))
        return true;
    int hops = (int)s->ttl - (int)x->syn_ttl;
    if (hops > 1 || hops < -1)
        return false;
    return hops == 0 || !s->has_mac || !x->syn_has_mac || memcmp(s->src_mac, x->syn_mac, 6) == 0;
}

static void remember_last(struct rst_conn *c, struct rst_side *x, const struct rst_segment *s)
{
    x->last.frame = s->frame;
    x->last.seq = s->seq;
    x->last.ack = s->ack;
    x->last.len = s->payload_len;
    x->last.flags = s->flags;
    x->last.window = s->window;
    x->last.time_us = s->time_us;
    c->last_time_us = s->time_us;
    c->last_frame = s->frame;
}

/* A tap or SPAN port that mirrors a segment twice, or a capture merged with
 * itself, shows the same frame twice in a row.  A real retransmission comes
 * at least an RTO later (Linux: 200 ms) or after the peer's duplicate ACKs,
 * with a new IP ID on stacks that count: a copy within a millisecond, with
 * nothing from the peer in between, is the same segment. */
#define COPY_WINDOW_US 1000

static bool is_copy(const struct rst_conn *c, const struct rst_side *x,
                    const struct rst_segment *s)
{
    const struct rst_last_seg *l = &x->last;
    return l->frame && c->last_frame == l->frame && s->seq == l->seq && s->ack == l->ack
        && s->flags == l->flags && s->payload_len == l->len && s->window == l->window
        && s->time_us >= l->time_us && s->time_us - l->time_us < COPY_WINDOW_US
        && (!s->has_ip_id || !s->ip_id || (x->ip_id_known && s->ip_id == x->ip_id));
}

static void update_side(struct rst_core *core, struct rst_conn *c, uint32_t index, unsigned from,
                        const struct rst_segment *s)
{
    if (is_copy(c, &c->side[from], s))
        return;

    struct rst_side *x = &c->side[from];
    const struct rst_side *y = &c->side[!from];
    uint32_t end = s->seq + seg_space(s->flags, s->payload_len);

    note_run(x, s);
    if (is_outlier(x, s)) {
        /* Its peer may still answer it: it stays the last segment, no more. */
        remember_last(c, x, s);
        return;
    }
    if ((s->flags & RST_TH_ACK) && y->syn_frame && seq_gt(s->ack, y->isn)
        && seq_leq(s->ack, y->snd_max))
        x->acked_peer_syn = true;

    if (!x->first_frame) {
        x->first_frame = s->frame;
        x->ttl_first = s->ttl;
    }
    /* Sequence state as usual either way; the sender's baseline (TTL, MAC,
     * IP ID, clock, window, answer time) only from its own packets. */
    bool baseline = agrees_with_handshake(x, s);
    if (baseline)
        note_ttl_mac(&x->ttl_min, &x->ttl_max, &x->ttl_frame, x->mac, &x->mac_known,
                     &x->mac_varies, &x->mac_frame, s);
    if (x->host) {
        struct rst_host *h = chunked_at(&core->hosts, x->host - 1);
        if (baseline)
            note_ttl_mac(&h->ttl_min, &h->ttl_max, &h->ttl_frame, h->mac, &h->mac_known,
                         &h->mac_varies, &h->mac_frame, s);
        if (!h->last_frame) {
            h->first_us = s->time_us;
            h->interface_id = s->interface_id;
        }
        h->last_us = s->time_us;
        h->last_frame = s->frame;
    }
    if (baseline) {
        note_ip_id(x, s);
        note_clock_and_window(x, s);
    }
    note_handshake(c, from, s);
    if (c->next_point && x->syn_frame == s->frame)
        note_lag(core, index, from);
    note_repeats(x, &c->side[!from], s);
    if (baseline) {
        /* Nor is it the sender answering fast, or still talking after its RST. */
        note_response(core, x, &c->side[!from], s);
        settle_race(core, x, s->frame);
    }
    if (!x->snd_known || seq_gt(end, x->snd_max)) {
        x->snd_max = end;
        x->snd_known = true;
    }
    if ((s->flags & RST_TH_ACK) && (!x->ack_known || seq_gt(s->ack, x->max_ack))) {
        x->max_ack = s->ack;
        x->ack_known = true;
    }
    if ((s->flags & RST_TH_FIN) && !x->fin_frame)
        x->fin_frame = s->frame;
    remember_last(c, x, s);
}

/* Several RSTs of one sender in quick succession: what genuine stacks do not
 * change between them (Weaver et al. NDSS 2009 RST_SEQ_CHANGE; the GFW's
 * RST + 3 RST/ACK at X, X+1460, X+4380, Wang et al. IMC 2017; consecutive
 * windows 1980-1982, GFW Report 2025).  Both RSTs are marked. */
static void mark_burst(struct rst_record *prev, struct rst_record *rec,
                       struct rst_record *first_of_three, const struct rst_params *params)
{
    if (rec->time_us - prev->time_us > (int64_t)params->burst_ms * 1000)
        return;
    bool linked = false;
    /* A reply's seq is explained by the segment it answers (a genuine host's
     * replies to distinct segments rise with their ACKs): only the RSTs of a
     * rising pair that are not replies are marked. */
    if (seq_gt(rec->seq, prev->seq + 2)) {
        if (rec->shape != RST_SHAPE_REPLY)
            rec->burst_seq = linked = true;
        if (prev->shape != RST_SHAPE_REPLY)
            prev->burst_seq = linked = true;
    }
    if (rec->window && prev->window && (rec->window == prev->window + 1
                                        || prev->window == rec->window + 1)) {
        rec->burst_window = prev->burst_window = linked = true;
    }
    if (rec->ttl != prev->ttl) {
        rec->burst_ttl = prev->burst_ttl = linked = true;
    }
    /* The same ID on two different RSTs.  The same RST twice may be a tap
     * duplicating frames; three times, no stack and no tap does that. */
    if (rec->has_ip_id && prev->has_ip_id && rec->ip_id && rec->ip_id == prev->ip_id) {
        if (rec->seq != prev->seq || rec->ack != prev->ack) {
            rec->ip_id_repeat = prev->ip_id_repeat = linked = true;
        } else {
            rec->copies = (uint8_t)(prev->copies < UINT8_MAX ? prev->copies + 1 : UINT8_MAX);
            if (rec->copies >= 2) {
                rec->ip_id_repeat = prev->ip_id_repeat = linked = true;
                if (first_of_three)
                    first_of_three->ip_id_repeat = true;
            }
        }
    }
    if (linked) {
        rec->burst_frame = prev->frame;
        if (!prev->burst_frame)
            prev->burst_frame = rec->frame;
    }
}

/* Keeps what the RST's payload says; RFC 1122 4.2.2.12 lets a RST carry
 * text, and most RSTs carry nothing. */
static uint32_t add_diag(struct rst_core *core, const struct rst_segment *s)
{
    struct rst_diag d;
    rst_diag_parse(s->payload, s->payload_caplen, s->payload_len, &d);
    if (d.format == RST_DIAG_NONE)
        return 0;
    struct diag_entry *e = chunked_push(&core->diags);
    if (!e)
        return 0;
    e->format = (uint8_t)d.format;
    e->text_truncated = d.text_truncated;
    e->code = d.code;
    e->pen = d.pen;
    e->text_len = (uint16_t)d.text_len;
    e->uncaptured = d.uncaptured;
    if (d.text_len)
        memcpy(e->text, d.text, d.text_len);
    return (uint32_t)core->diags.count;
}

static void get_diag(const struct rst_core *core, uint32_t diag, struct rst_diag *d)
{
    memset(d, 0, sizeof *d);
    if (diag == 0 || diag > core->diags.count)
        return;
    const struct diag_entry *e = chunked_at(&core->diags, diag - 1);
    d->format = (enum rst_diag_format)e->format;
    d->text_truncated = e->text_truncated;
    d->code = e->code;
    d->pen = e->pen;
    d->text = e->text_len ? e->text : NULL;
    d->text_len = e->text_len;
    d->uncaptured = e->uncaptured;
}

/* The same RST as the sender's previous one, within a millisecond, nothing
 * from either side in between (see is_copy). */
static bool same_rst(const struct rst_record *prev, const struct rst_segment *s)
{
    return s->seq == prev->seq && s->ack == prev->ack && s->flags == prev->flags
        && s->window == prev->window && s->ttl == prev->ttl
        && s->time_us >= prev->time_us && s->time_us - prev->time_us < COPY_WINDOW_US
        && s->has_ip_id == prev->has_ip_id && s->ip_id == prev->ip_id;
}

static bool is_rst_copy(const struct rst_conn *c, const struct rst_record *prev,
                        const struct rst_segment *s)
{
    return prev && c->last_frame < prev->frame && same_rst(prev, s);
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
    const struct rst_record *prev = record_at(core, x->last_rst);
    if (is_rst_copy(c, prev, s))
        return x->last_rst;
    if (!s->has_ip_id || !s->ip_id || !prev)
        return 0;
    uint32_t id = prev->prev_rst;
    for (unsigned walked = 0; id && walked < COPY_LOOKBACK; walked++) {
        const struct rst_record *r = record_at(core, id);
        if (!r || s->time_us - r->time_us >= COPY_WINDOW_US)
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
    } else if (!h->far_rst_frame && ttl_far(s->ttl, h->rst_ttl)) {
        h->far_rst_frame = s->frame;
        h->far_rst_ttl = s->ttl;
    }
}

static uint32_t add_rst(struct rst_core *core, struct rst_conn *c, uint32_t conn_index,
                        unsigned from, const struct rst_segment *s,
                        const struct rst_params *params)
{
    struct rst_side *x = &c->side[from];
    struct rst_record *rec = chunked_push(&core->records);
    if (!rec)
        return 0;
    uint32_t id = (uint32_t)core->records.count;
    rec->frame = s->frame;
    rec->conn = conn_index;
    rec->from = (uint8_t)from;
    rec->seq = s->seq;
    rec->ack = s->ack;
    rec->flags = s->flags;
    rec->window = s->window;
    rec->ttl = s->ttl;
    rec->time_us = s->time_us;
    rec->has_mac = s->has_mac;
    memcpy(rec->mac, s->src_mac, 6);
    rec->has_ts = s->has_timestamps;
    rec->window_cut = s->window_cut;
    rec->options_cut = s->options_cut;
    rec->tsval = s->tsval;
    rec->has_ip_id = s->has_ip_id;
    rec->ip_id = s->ip_id;
    rec->has_prev_ip_id = x->ip_id_known;
    rec->prev_ip_id = x->ip_id;
    struct rst_record *prev = record_at(core, x->last_rst);
    uint32_t original = copy_original(core, c, x, s);
    if (original) {
        /* The same RST mirrored twice is one RST: its verdict is the
         * original's, whatever later packets add to it.  Three times, with an
         * IP ID that counts, no tap does that (mark_burst's rule). */
        prev = record_at(core, original);
        rec->copy_of = original;
        prev->copies = (uint8_t)(prev->copies < UINT8_MAX ? prev->copies + 1 : UINT8_MAX);
        rec->copies = prev->copies;   /* which copy it is */
        if (prev->copies >= 2 && prev->has_ip_id && prev->ip_id)
            prev->ip_id_repeat = true;
        return id;
    }
    rec->diag = s->payload_len ? add_diag(core, s) : 0;
    if (x->host)
        note_rst_distance(chunked_at(&core->hosts, x->host - 1), s);
    rst_classify(c, from, s, params, rec);
    rec->own_reset = x->reset_rst;
    if (!rec->keeps_connection)
        x->reset_rst = id;

    if (prev)
        mark_burst(prev, rec, record_at(core, prev->prev_rst), params);
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
    struct rst_conn *c = lookup(core, seg, &from, &index);
    if (!c)
        return 0;
    if (seg->flags & RST_TH_RST)
        return add_rst(core, c, index, from, seg, params);
    update_side(core, c, index, from, seg);
    return 0;
}

/* ------------------------------------------------------------ verdicts */

static const char *accept_reason(enum rst_accept accept)
{
    switch (accept) {
    case RST_ACCEPT_ACKS_SYN:
        return "it acknowledges the SYN (SYN-SENT, RFC 9293 3.10.7.3)";
    case RST_ACCEPT_RCV_NXT:
        return "its seq is RCV.NXT (RFC 5961 3.2)";
    case RST_ACCEPT_SYN_SENT_NO:
        return "in SYN-SENT a RST must acknowledge the SYN (RFC 9293 3.10.7.3)";
    case RST_ACCEPT_SYN_SENT_TSECR:
        return "its timestamp echo is no timestamp the receiver sent (Linux drops it in "
               "SYN-SENT)";
    case RST_ACCEPT_IN_WINDOW:
        return "its seq is in the window but not RCV.NXT: RFC 5961 receivers answer "
               "with a challenge ACK";
    case RST_ACCEPT_OUT_OF_WINDOW:
        return "its seq is outside the receive window (RFC 9293 3.10.7.4)";
    case RST_ACCEPT_NOT_RCV_NXT:
        return "its seq is not RCV.NXT (RFC 5961 3.2)";
    default:
        return NULL;
    }
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
    if (!own || rec->genuine_cause == RST_CAUSE_REFUSED)
        return rec;
    *scratch = *rec;
    scratch->genuine_cause = RST_CAUSE_NO_CONNECTION;
    scratch->note = RST_NOTE_OWN_RESET;
    scratch->context_frame = own->frame;
    scratch->detail = 0;
    if (rec->shape != RST_SHAPE_REPLY || rec->genuine_cause == RST_CAUSE_UNKNOWN)
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
    verdict->wire_cause = (enum rst_cause)rec->genuine_cause;
    get_diag(core, rec->diag, &verdict->diag);
    /* A reason the sender states outranks what the connection suggests. */
    enum rst_cause stated = rst_diag_cause(&verdict->diag);
    verdict->genuine_cause = stated != RST_CAUSE_UNKNOWN ? stated : verdict->wire_cause;
    verdict->answers_frame = rec->answers_frame;
    if (c->client >= 0)
        verdict->sender = c->client == rec->from ? RST_ROLE_CLIENT : RST_ROLE_SERVER;
    rst_format_address(c->key.ip_version, c->key.addr[rec->from], verdict->sender_address,
                       sizeof verdict->sender_address);
    if (rec->note == RST_NOTE_PEER_RESET || rec->note == RST_NOTE_OWN_RESET)
        verdict->after_frame = rec->context_frame;
    verdict->accept_reason = accept_reason((enum rst_accept)rec->accept);
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
    verdict->cause = verdict->injected ? RST_CAUSE_INJECTED : verdict->genuine_cause;
    if (explain)
        rst_explain(c, rec, verdict);
    return true;
}

void rst_params_default(struct rst_params *params)
{
    static const unsigned weights[RST_EV_COUNT] = {
        [RST_EV_TTL] = 40,
        [RST_EV_MAC] = 40,
        [RST_EV_SEQ_ZERO] = 40,
        [RST_EV_RACE] = 50,
        [RST_EV_BURST_SEQ] = 40,
        [RST_EV_BURST_WINDOW] = 20,
        [RST_EV_BURST_TTL] = 30,
        [RST_EV_WINDOW] = 25,
        [RST_EV_ACK] = 30,
        [RST_EV_NO_TIMESTAMPS] = 25,
        [RST_EV_TIMESTAMP] = 30,
        [RST_EV_IP_ID] = 25,
        [RST_EV_TIMING] = 40,
        [RST_EV_CONTRADICTION] = 40,
    };
    params->threshold = 60;
    memcpy(params->weight, weights, sizeof weights);
    params->keepalive_probes = 2;
    params->retransmissions = 3;
    params->idle_seconds = 300;
    params->burst_ms = 2000;
}

const char *rst_cause_name(enum rst_cause cause)
{
    static const char *const names[RST_CAUSE_COUNT] = {
        [RST_CAUSE_UNKNOWN] = "unknown",
        [RST_CAUSE_REFUSED] = "refused",
        [RST_CAUSE_NO_CONNECTION] = "no-connection",
        [RST_CAUSE_ACCEPT_QUEUE_OVERFLOW] = "accept-queue-overflow",
        [RST_CAUSE_ABORT] = "abort",
        [RST_CAUSE_DATA_AFTER_CLOSE] = "data-after-close",
        [RST_CAUSE_INVALID_SEGMENT] = "invalid-segment",
        [RST_CAUSE_KEEPALIVE_TIMEOUT] = "keepalive-timeout",
        [RST_CAUSE_RETRANSMISSION_TIMEOUT] = "retransmission-timeout",
        [RST_CAUSE_IDLE_TIMEOUT] = "idle-timeout",
        [RST_CAUSE_INJECTED] = "injected",
    };
    return (unsigned)cause < RST_CAUSE_COUNT ? names[cause] : "unknown";
}

const char *rst_evidence_name(enum rst_evidence_kind kind)
{
    static const char *const names[RST_EV_COUNT] = {
        [RST_EV_TTL] = "ttl_delta",
        [RST_EV_MAC] = "mac_mismatch",
        [RST_EV_SEQ_ZERO] = "seq_zero",
        [RST_EV_RACE] = "race",
        [RST_EV_BURST_SEQ] = "burst_seq",
        [RST_EV_BURST_WINDOW] = "burst_window",
        [RST_EV_BURST_TTL] = "burst_ttl",
        [RST_EV_WINDOW] = "window",
        [RST_EV_ACK] = "ack_mismatch",
        [RST_EV_NO_TIMESTAMPS] = "no_timestamps",
        [RST_EV_TIMESTAMP] = "timestamp",
        [RST_EV_IP_ID] = "ip_id",
        [RST_EV_TIMING] = "timing",
        [RST_EV_CONTRADICTION] = "contradiction",
    };
    return (unsigned)kind < RST_EV_COUNT ? names[kind] : "unknown";
}

const char *rst_role_name(enum rst_role role)
{
    switch (role) {
    case RST_ROLE_CLIENT:
        return "client";
    case RST_ROLE_SERVER:
        return "server";
    default:
        return "unknown";
    }
}
