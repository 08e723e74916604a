/* rst_track.c: following TCP connections segment by segment.
 *
 * Connections are found by (capture point, addresses, ports) and kept in
 * fixed-size chunks, so memory grows with connections, never with packets;
 * only RST segments get a record of their own.
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

static void chunked_free(struct chunked *v)
{
    for (size_t i = 0; i < v->n_chunks; i++)
        free(v->chunks[i]);
    free(v->chunks);
    memset(v, 0, sizeof *v);
}

struct rst_core {
    struct chunked conns;      /* struct rst_conn */
    struct chunked records;    /* struct rst_record */
    uint32_t *table;           /* open addressing: connection index + 1, 0 = empty */
    size_t table_size;         /* a power of two */
    size_t table_used;
};

struct rst_core *rst_core_new(void)
{
    struct rst_core *core = calloc(1, sizeof *core);
    if (!core)
        return NULL;
    core->conns.elem_size = sizeof(struct rst_conn);
    core->records.elem_size = sizeof(struct rst_record);
    return core;
}

void rst_core_free(struct rst_core *core)
{
    if (!core)
        return;
    chunked_free(&core->conns);
    chunked_free(&core->records);
    free(core->table);
    free(core);
}

struct rst_conn *rst_core_conn(const struct rst_core *core, uint32_t index)
{
    return chunked_at(&core->conns, index);
}

const struct rst_record *rst_core_record(const struct rst_core *core, uint32_t rst_id)
{
    if (rst_id == 0 || rst_id > core->records.count)
        return NULL;
    return chunked_at(&core->records, rst_id - 1);
}

size_t rst_core_memory(const struct rst_core *core)
{
    return core->conns.n_chunks * CHUNK_SIZE * core->conns.elem_size
         + core->records.n_chunks * CHUNK_SIZE * core->records.elem_size
         + (core->conns.cap_chunks + core->records.cap_chunks) * sizeof(void *)
         + core->table_size * sizeof *core->table + sizeof *core;
}

size_t rst_core_connections(const struct rst_core *core)
{
    return core->conns.count;
}

/* ------------------------------------------------------------ lookup */

/* Endpoint order is canonical, so both directions find one connection.
 * Returns the side index of the segment's source. */
static unsigned make_key(const struct rst_segment *s, struct rst_conn_key *key)
{
    size_t alen = s->ip_version == 6 ? 16 : 4;
    int order = memcmp(s->src, s->dst, alen);
    unsigned from = (order > 0 || (order == 0 && s->sport > s->dport)) ? 1 : 0;

    memset(key, 0, sizeof *key);   /* padding too: keys are hashed as bytes */
    key->view = s->view;
    key->ip_version = s->ip_version;
    memcpy(key->addr[from], s->src, alen);
    memcpy(key->addr[!from], s->dst, alen);
    key->port[from] = s->sport;
    key->port[!from] = s->dport;
    return from;
}

static uint32_t hash_key(const struct rst_conn_key *key)
{
    /* FNV-1a */
    const uint8_t *p = (const uint8_t *)key;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < sizeof *key; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

/* The slot holding the key's newest connection, or the empty slot where it goes. */
static size_t find_slot(const struct rst_core *core, const struct rst_conn_key *key)
{
    size_t mask = core->table_size - 1;
    size_t i = hash_key(key) & mask;
    while (core->table[i]) {
        const struct rst_conn *c = rst_core_conn(core, core->table[i] - 1);
        if (memcmp(&c->key, key, sizeof *key) == 0)
            return i;
        i = (i + 1) & mask;
    }
    return i;
}

static bool grow_table(struct rst_core *core)
{
    size_t old_size = core->table_size;
    uint32_t *old = core->table;
    size_t size = old_size ? 2 * old_size : 1024;
    core->table = calloc(size, sizeof *core->table);
    if (!core->table) {
        core->table = old;
        return false;
    }
    core->table_size = size;
    for (size_t i = 0; i < old_size; i++) {
        if (old[i]) {
            const struct rst_conn *c = rst_core_conn(core, old[i] - 1);
            core->table[find_slot(core, &c->key)] = old[i];
        }
    }
    free(old);
    return true;
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

static struct rst_conn *new_conn(struct rst_core *core, const struct rst_conn_key *key,
                                 size_t slot, uint32_t *index)
{
    struct rst_conn *c = chunked_push(&core->conns);
    if (!c)
        return NULL;
    c->key = *key;
    c->client = -1;
    *index = (uint32_t)(core->conns.count - 1);
    if (!core->table[slot])
        core->table_used++;
    core->table[slot] = *index + 1;
    return c;
}

static struct rst_conn *lookup(struct rst_core *core, const struct rst_segment *s,
                               unsigned *from, uint32_t *index)
{
    struct rst_conn_key key;
    *from = make_key(s, &key);
    if ((core->table_used + 1) * 2 > core->table_size && !grow_table(core))
        return NULL;
    size_t slot = find_slot(core, &key);
    if (core->table[slot]) {
        *index = core->table[slot] - 1;
        struct rst_conn *c = rst_core_conn(core, *index);
        if (!starts_new_connection(c, *from, s))
            return c;
    }
    return new_conn(core, &key, slot, index);
}

/* ------------------------------------------------------------ updates */

/* Linux and Windows probe with one byte (or none) just below SND.NXT
 * (RFC 1122 4.2.3.6); Wireshark uses the same test. */
static bool is_keepalive(const struct rst_side *x, const struct rst_segment *s)
{
    return x->snd_known && (s->flags & (RST_TH_SYN | RST_TH_FIN | RST_TH_RST)) == 0
        && s->payload_len <= 1 && s->seq == x->snd_max - 1;
}

static void note_baseline(struct rst_side *x, const struct rst_segment *s)
{
    if (!x->first_frame) {
        x->first_frame = s->frame;
        x->ttl_frame = s->frame;
        x->ttl_min = x->ttl_max = s->ttl;
    } else {
        if (s->ttl < x->ttl_min)
            x->ttl_min = s->ttl;
        if (s->ttl > x->ttl_max)
            x->ttl_max = s->ttl;
    }
    if (s->has_mac) {
        if (!x->mac_known) {
            memcpy(x->mac, s->src_mac, 6);
            x->mac_known = true;
            x->mac_frame = s->frame;
        } else if (memcmp(x->mac, s->src_mac, 6) != 0) {
            x->mac_varies = true;
        }
    }
}

static void note_handshake(struct rst_conn *c, unsigned from, const struct rst_segment *s)
{
    struct rst_side *x = &c->side[from];
    if (s->flags & RST_TH_SYN) {
        if (!x->syn_frame) {
            x->syn_frame = s->frame;
            x->isn = s->seq;
            x->ts_offered = s->has_timestamps;
        }
        if (!(s->flags & RST_TH_ACK))
            c->client = (int8_t)from;
        else if (c->client < 0)
            c->client = (int8_t)!from;
    } else if (c->client == (int)from && c->side[!from].syn_frame && !c->first_after_synack) {
        c->first_after_synack = s->frame;
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

static void update_side(struct rst_conn *c, unsigned from, const struct rst_segment *s)
{
    struct rst_side *x = &c->side[from];
    uint32_t end = s->seq + seg_space(s->flags, s->payload_len);

    note_baseline(x, s);
    note_handshake(c, from, s);
    note_repeats(x, &c->side[!from], s);
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
    x->last.frame = s->frame;
    x->last.seq = s->seq;
    x->last.ack = s->ack;
    x->last.len = s->payload_len;
    x->last.flags = s->flags;
    x->last.time_us = s->time_us;
    c->last_time_us = s->time_us;
    c->last_frame = s->frame;
}

static uint32_t add_rst(struct rst_core *core, struct rst_conn *c, uint32_t conn_index,
                        unsigned from, const struct rst_segment *s,
                        const struct rst_params *params)
{
    struct rst_record *rec = chunked_push(&core->records);
    if (!rec)
        return 0;
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
    rst_classify(c, from, s, params, rec);

    if (!c->side[from].rst_frame)
        c->side[from].rst_frame = s->frame;
    c->rst_count++;
    return (uint32_t)core->records.count;
}

uint32_t rst_core_add(struct rst_core *core, const struct rst_segment *seg,
                      const struct rst_params *params)
{
    unsigned from;
    uint32_t index;
    if (seg->ip_version != 4 && seg->ip_version != 6)
        return 0;
    struct rst_conn *c = lookup(core, seg, &from, &index);
    if (!c)
        return 0;
    if (seg->flags & RST_TH_RST)
        return add_rst(core, c, index, from, seg, params);
    update_side(c, from, seg);
    return 0;
}

/* ------------------------------------------------------------ verdicts */

bool rst_core_verdict(const struct rst_core *core, uint32_t rst_id,
                      const struct rst_params *params, struct rst_verdict *verdict)
{
    const struct rst_record *rec = rst_core_record(core, rst_id);
    if (!rec)
        return false;
    const struct rst_conn *c = rst_core_conn(core, rec->conn);

    memset(verdict, 0, sizeof *verdict);
    verdict->genuine_cause = (enum rst_cause)rec->genuine_cause;
    verdict->answers_frame = rec->answers_frame;
    if (c->client >= 0)
        verdict->sender = c->client == rec->from ? RST_ROLE_CLIENT : RST_ROLE_SERVER;
    rst_score(c, rec, params, verdict);
    verdict->cause = verdict->injected ? RST_CAUSE_INJECTED : verdict->genuine_cause;
    rst_explain(c, rec, verdict);
    return true;
}

void rst_params_default(struct rst_params *params)
{
    params->threshold = 60;
    params->weight_ttl = 40;
    params->weight_mac = 40;
    params->weight_seq_zero = 40;
    params->keepalive_probes = 2;
    params->retransmissions = 3;
    params->idle_seconds = 300;
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
