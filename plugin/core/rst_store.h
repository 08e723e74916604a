/* rst_store.h: where the core keeps its state.
 *
 * Connections, hosts and RST records live in arrays of fixed-size chunks
 * that never move their elements, found through open-addressing indexes;
 * memory grows with connections, never with packets (rst_store.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RST_STORE_H
#define RST_STORE_H

#include "rst_state.h"

#define RST_CHUNK_BITS 10
#define RST_CHUNK_SIZE (1u << RST_CHUNK_BITS)

/* A growable array that never moves its elements. */
struct chunked {
    void **chunks;
    size_t n_chunks, cap_chunks;
    size_t count;
    size_t elem_size;
};

static inline void *chunked_at(const struct chunked *v, size_t i)
{
    return (char *)v->chunks[i >> RST_CHUNK_BITS] + (i & (RST_CHUNK_SIZE - 1)) * v->elem_size;
}

/* Appends a zeroed element; NULL when memory runs out. */
void *rst_chunked_push(struct chunked *v);

/* The key of the indexes' hash (rst_hash.c). */
struct rst_hash_key {
    uint64_t k0, k1;
};
uint64_t rst_hash(const struct rst_hash_key *key, const void *bytes, size_t len);

/* Open addressing over indexes into a chunked store.  A slot holds the
 * entry's index + 1 (0: empty) and its key's hash, so that a probe compares
 * keys only where the hashes agree and a table that doubles moves its
 * entries without hashing them again (a SYN flood's indexes double some
 * twenty times).  The store's element starts with its key. */
struct index_slot {
    uint32_t ref;
    uint32_t hash;
};

struct index {
    struct index_slot *slots;
    size_t size; /* a power of two */
    size_t used;
    const struct rst_hash_key *hash_key; /* the core's */
};

/* The slot holding the key, or the empty slot where it goes; *hash (if not
 * NULL) gets the key's hash, for rst_index_put. */
size_t rst_index_find(const struct index *ix, const struct chunked *store, const void *key,
                      size_t key_len, uint32_t *hash);
bool rst_index_grow(struct index *ix);

/* Puts an entry (index + 1) in the slot rst_index_find gave for its key,
 * whose hash it gave too; counts the slot if it was empty. */
static inline void rst_index_put(struct index *ix, size_t slot, uint32_t ref, uint32_t hash)
{
    if (!ix->slots[slot].ref)
        ix->used++;
    ix->slots[slot] = (struct index_slot){ ref, hash };
}

/* Keeps the table at most half full, so probes stay short and end.  Asked
 * on every segment: the test stays inline, the growth does not. */
static inline bool rst_index_reserve(struct index *ix)
{
    return (ix->used + 1) * 2 <= ix->size || rst_index_grow(ix);
}

/* A connection as the store keeps it (rst_pack.c): its key, and either
 * its full form (full) or, for one that never left its handshake (or never
 * got one), the fields of its opener's one segment (a SYN, or without a
 * handshake any segment without payload; none for a lone RST) and its
 * peer's RST, from which the full form follows.  Fields by size, so that
 * it has no padding. */
struct rst_conn_small {
    struct rst_conn_key key; /* first: the indexes compare it */
    uint32_t full;           /* its full form (index + 1), 0: packed */
    uint32_t time_us[2];     /* the opener's segment: low and high words,
                              * so that the record needs no 8-byte alignment */
    uint32_t host[2];
    uint32_t interface_id;
    uint32_t frame, isn, ack, tsval; /* frame 0: no segment; isn: its seq, a SYN's ISN */
    uint32_t rst;                    /* the peer's RST (id), 0: none */
    uint16_t ip_id, window;
    uint8_t link_peer[6]; /* the link's MAC at the peer's end (the opener's is mac) */
    uint8_t mac[6];
    uint8_t ttl, wscale, flags, bits;
};

/* A RST's record while it holds no more than a plain refusal's fields (a
 * port scan has one a connection): those fields, half the full record's
 * size (rst_pack.c).  The times besides the RST's own as
 * differences from it.  No padding. */
struct rst_record_small {
    uint32_t frame;
    uint32_t time_us[2];         /* low and high words, as rst_conn_small's */
    uint32_t trigger_dt, run_dt; /* trigger_time_us, trigger_run_us - time_us */
    uint32_t conn, answers_frame, trigger_frame, seq, ack, tsval;
    uint16_t window, ip_id;
    uint8_t mac[6];
    uint8_t flags, ttl, from, wire_cause, answered_flags, wire_case;
    uint8_t shape_accept; /* shape, and accept in the high nibble */
    uint8_t bits[3];      /* the record's flags, and which times it has */
};

struct rst_core {
    struct chunked conns; /* struct rst_conn_small */
    struct chunked fulls; /* struct rst_conn: expanded or grown connections (rst_pack.c) */
    struct chunked hosts; /* struct rst_host */
    /* RST records: for each id, in frame order, where its record is
     * (rst_pack.c): a small one (struct rst_record_small) or a full one. */
    struct chunked records; /* uint32_t: number (index + 1) << 1 | full */
    struct chunked rst_smalls, rst_fulls;
    struct chunked diags;  /* what RST payloads state (rst_store.c) */
    struct chunked losses; /* struct rst_loss: what RSTs threw away (rst_impact.c) */
    struct chunked runs;   /* struct rst_runs: sides past their handshake (rst_learn.c) */
    struct index conn_index, host_index;
    struct index tuple_index;      /* a connection's tuple -> its newest connection */
    struct index host_tuple_index; /* an address -> its newest host entry */
    struct rst_hash_key hash_key;  /* of all four indexes (rst_hash.c) */
    size_t frame_cursor;           /* the record rst_core_rst_of_frame found last */
    uint32_t recent_hosts[2];      /* the host entries found last (rst_points.c) */
    /* Places (view and point) seen: 0, 1 (place_view, point 0) or several;
     * the tuple indexes are kept from the second on (rst_points.c). */
    unsigned places;
    uint32_t place_view;
    /* rst_pack.c: connections expanded and not yet packed again (the first
     * n_older of them in the batch before the last), full forms packed
     * again and free, calls into the core under way, and the spare a
     * connection is seen through when memory runs out. */
    uint32_t *expanded, *free_fulls;
    size_t n_expanded, n_older, cap_expanded, n_free_fulls, cap_free_fulls;
    unsigned depth;
    struct rst_conn spare_conn;
    /* The same for RST records (ids). */
    uint32_t *expanded_rsts, *free_rst_fulls, *free_rst_smalls;
    size_t n_expanded_rsts, n_older_rsts, cap_expanded_rsts, n_free_rst_fulls, cap_free_rst_fulls;
    size_t n_free_rst_smalls, cap_free_rst_smalls;
    struct rst_record spare_record;
};

/* A connection's full form, expanded from its small record if need be
 * (rst_pack.c): valid until the outermost call into the core returns. */
struct rst_conn *rst_core_conn(const struct rst_core *core, uint32_t index);
/* A new connection (its index in *index); NULL when memory runs out. */
struct rst_conn *rst_conn_new(struct rst_core *core, const struct rst_conn_key *key,
                              uint32_t *index);
/* Around every call into the core that touches connections: leaving the
 * outermost packs what was expanded, in batches. */
void rst_conns_enter(const struct rst_core *core);
void rst_conns_leave(const struct rst_core *core);
/* Connections in full form, for tests and the benchmark (after packing
 * everything expanded, both batches). */
size_t rst_conns_full(struct rst_core *core);
/* A new RST record (its id in *id), zeroed and in full form at least
 * until the outermost call returns; NULL when memory runs out. */
struct rst_record *rst_record_new(struct rst_core *core, uint32_t *id);
/* The frame of the record at index i (id - 1), in either form. */
uint32_t rst_record_frame(const struct rst_core *core, size_t i);
/* RST records in full form, the same way. */
size_t rst_records_full(struct rst_core *core);
/* A connection's entries at several capture points form a ring: from
 * m = start (index + 1), m = rst_conn_ring_next(core, start, m) visits each
 * once, then gives 0.  A ring holds one entry per point; walks stop at
 * RST_RING_MAX all the same. */
#define RST_RING_MAX (RST_POINTS_MAX * 4)
uint32_t rst_conn_ring_next(const struct rst_core *core, uint32_t start, uint32_t m);

/* The walk over a connection's ring, the only one there is:
 *     RST_FOR_EACH_POINT(r, core, index, false) { ... rst_ring_conn(&r) ... }
 * visits the connection's entries at the other capture points (with_self:
 * its own entry first). */
struct rst_ring {
    const struct rst_core *core;
    uint32_t start, m; /* index + 1 of the first and of the current entry */
    unsigned n;
};

static inline struct rst_ring rst_ring_of(const struct rst_core *core, uint32_t index,
                                          bool with_self)
{
    struct rst_ring r = { core, index + 1, index + 1, 0 };
    if (!with_self)
        r.m = rst_conn_ring_next(core, r.start, r.start);
    return r;
}

static inline bool rst_ring_more(const struct rst_ring *r)
{
    return r->m && r->n < RST_RING_MAX;
}

static inline void rst_ring_step(struct rst_ring *r)
{
    r->m = rst_conn_ring_next(r->core, r->start, r->m);
    r->n++;
}

#define RST_FOR_EACH_POINT(r, core, index, with_self) \
    for (struct rst_ring r = rst_ring_of(core, index, with_self); rst_ring_more(&r); \
         rst_ring_step(&r))

static inline struct rst_conn *rst_ring_conn(const struct rst_ring *r)
{
    return rst_core_conn(r->core, r->m - 1);
}
const struct rst_host *rst_core_host(const struct rst_core *core, uint32_t host);
struct rst_host *rst_store_host(const struct rst_core *core, uint32_t host);
const struct rst_record *rst_core_record(const struct rst_core *core, uint32_t rst_id);
/* A RST's record in full form (rst_pack.c), NULL for id 0 or past the last:
 * valid until the outermost call into the core returns. */
struct rst_record *rst_store_record(const struct rst_core *core, uint32_t rst_id);

/* What a RST's payload states, kept only for RSTs that carry one: its
 * number (index + 1) in the store, 0 for none. */
uint32_t rst_store_diag(struct rst_core *core, const struct rst_segment *seg,
                        uint32_t fastclose_frame, bool fastclose_by_peer);
void rst_store_get_diag(const struct rst_core *core, uint32_t diag, struct rst_diag *d);

/* A side's earlier runs (rst_side.runs), NULL for none; a new, empty set
 * (its number, 0 when memory runs out). */
struct rst_runs *rst_store_runs(const struct rst_core *core, uint32_t runs);
uint32_t rst_store_new_runs(struct rst_core *core);

/* What a RST threw away, kept only for RSTs that threw something away: its
 * number (index + 1) in the store, 0 when memory runs out. */
uint32_t rst_store_loss(struct rst_core *core, const struct rst_loss *loss);
struct rst_loss *rst_store_loss_at(const struct rst_core *core, uint32_t loss);

#endif /* RST_STORE_H */
