/* rst_store.c: the core's state: connections, hosts and RST records in
 * chunks that never move, the indexes that find them, and what RST payloads
 * state.  Memory grows with connections, never with packets; only RST
 * segments get a record of their own.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst_store.h"

#include <stdlib.h>
#include <string.h>

void *rst_chunked_push(struct chunked *v)
{
    if ((v->count >> RST_CHUNK_BITS) == v->n_chunks) {
        if (v->n_chunks == v->cap_chunks) {
            size_t cap = v->cap_chunks ? 2 * v->cap_chunks : 16;
            void **grown = realloc(v->chunks, cap * sizeof *grown);
            if (!grown)
                return NULL;
            v->chunks = grown;
            v->cap_chunks = cap;
        }
        v->chunks[v->n_chunks] = calloc(RST_CHUNK_SIZE, v->elem_size);
        if (!v->chunks[v->n_chunks])
            return NULL;
        v->n_chunks++;
    }
    return chunked_at(v, v->count++);
}

static size_t chunked_bytes(const struct chunked *v)
{
    return v->n_chunks * RST_CHUNK_SIZE * v->elem_size + v->cap_chunks * sizeof(void *);
}

static void chunked_free(struct chunked *v)
{
    for (size_t i = 0; i < v->n_chunks; i++)
        free(v->chunks[i]);
    free(v->chunks);
    memset(v, 0, sizeof *v);
}

size_t rst_index_find(const struct index *ix, const struct chunked *store, const void *key,
                      size_t key_len, uint32_t *hash)
{
    size_t mask = ix->size - 1;
    uint32_t h = (uint32_t)rst_hash(ix->hash_key, key, key_len);
    if (hash)
        *hash = h;
    size_t i = h & mask;
    while (ix->slots[i].ref) {
        if (ix->slots[i].hash == h
            && memcmp(chunked_at(store, ix->slots[i].ref - 1), key, key_len) == 0)
            return i;
        i = (i + 1) & mask;
    }
    return i;
}

/* Doubles the table (at first: makes it), moving every entry to where its
 * kept hash places it: the keys are all different, so none is compared. */
bool rst_index_grow(struct index *ix)
{
    size_t size = ix->size ? 2 * ix->size : 1024;
    struct index grown = { calloc(size, sizeof *grown.slots), size, ix->used, ix->hash_key };
    if (!grown.slots)
        return false;
    for (size_t i = 0; i < ix->size; i++) {
        if (!ix->slots[i].ref)
            continue;
        size_t j = ix->slots[i].hash & (size - 1);
        while (grown.slots[j].ref)
            j = (j + 1) & (size - 1);
        grown.slots[j] = ix->slots[i];
    }
    free(ix->slots);
    *ix = grown;
    return true;
}

/* A RST's statement, kept only for RSTs that make one. */
struct diag_entry {
    uint8_t format; /* enum rst_diag_format */
    uint8_t vendor; /* enum rst_diag_vendor */
    bool text_truncated;
    bool has_code;
    uint16_t code;
    uint32_t pen;
    uint16_t text_len;
    uint32_t uncaptured;
    uint8_t mptcp_flags;
    bool fastclose_by_peer;
    bool f5_peer;
    uint8_t cause_offset;
    uint32_t fastclose_frame;
    uint16_t f5_line;
    uint64_t f5_value;
    uint8_t text[RST_DIAG_TEXT_MAX];
};

struct rst_core *rst_core_new(void)
{
    struct rst_core *core = calloc(1, sizeof *core);
    if (!core)
        return NULL;
    core->conns.elem_size = sizeof(struct rst_conn_small);
    core->fulls.elem_size = sizeof(struct rst_conn);
    core->hosts.elem_size = sizeof(struct rst_host);
    core->records.elem_size = sizeof(uint32_t);
    core->rst_smalls.elem_size = sizeof(struct rst_record_small);
    core->rst_fulls.elem_size = sizeof(struct rst_record);
    core->diags.elem_size = sizeof(struct diag_entry);
    core->losses.elem_size = sizeof(struct rst_loss);
    core->runs.elem_size = sizeof(struct rst_runs);
    core->conn_index.hash_key = core->host_index.hash_key = &core->hash_key;
    core->tuple_index.hash_key = core->host_tuple_index.hash_key = &core->hash_key;
    return core;
}

bool rst_core_set_hash_key(struct rst_core *core, uint64_t k0, uint64_t k1)
{
    if (!core || core->conns.count || core->hosts.count)
        return false; /* the tables' slots were placed with the old key */
    core->hash_key = (struct rst_hash_key){ k0, k1 };
    return true;
}

void rst_core_free(struct rst_core *core)
{
    if (!core)
        return;
    chunked_free(&core->conns);
    chunked_free(&core->fulls);
    free(core->expanded);
    free(core->free_fulls);
    chunked_free(&core->hosts);
    chunked_free(&core->records);
    chunked_free(&core->rst_smalls);
    chunked_free(&core->rst_fulls);
    free(core->expanded_rsts);
    free(core->free_rst_fulls);
    free(core->free_rst_smalls);
    chunked_free(&core->diags);
    chunked_free(&core->losses);
    chunked_free(&core->runs);
    free(core->conn_index.slots);
    free(core->host_index.slots);
    free(core->tuple_index.slots);
    free(core->host_tuple_index.slots);
    free(core);
}

uint32_t rst_conn_ring_next(const struct rst_core *core, uint32_t start, uint32_t m)
{
    uint32_t next = rst_core_conn(core, m - 1)->next_point;
    return next == start ? 0 : next;
}

struct rst_host *rst_store_host(const struct rst_core *core, uint32_t host)
{
    return host ? chunked_at(&core->hosts, host - 1) : NULL;
}

const struct rst_host *rst_core_host(const struct rst_core *core, uint32_t host)
{
    return rst_store_host(core, host);
}

const struct rst_record *rst_core_record(const struct rst_core *core, uint32_t rst_id)
{
    return rst_store_record(core, rst_id);
}

/* The first record at or after the frame (bisection). */
static size_t first_record_from(const struct rst_core *core, uint32_t frame)
{
    size_t lo = 0, hi = core->records.count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (rst_record_frame(core, mid) < frame)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

uint32_t rst_core_rst_of_frame(struct rst_core *core, uint32_t frame)
{
    size_t n = core->records.count, i = core->frame_cursor;
    if (n == 0 || frame == 0)
        return 0;
    if (i >= n)
        i = n - 1;
    /* In frame order: the frame is the cursor's record, the next one, or
     * falls between the two. */
    if (rst_record_frame(core, i) != frame) {
        bool after = rst_record_frame(core, i) < frame;
        if (after && i + 1 < n && rst_record_frame(core, i + 1) == frame)
            i++;
        else if (after && (i + 1 == n || rst_record_frame(core, i + 1) > frame))
            return 0;
        else
            i = first_record_from(core, frame);
    }
    if (i == n) { /* past the last record */
        core->frame_cursor = n - 1;
        return 0;
    }
    core->frame_cursor = i;
    return rst_record_frame(core, i) == frame ? (uint32_t)i + 1 : 0;
}

size_t rst_core_memory(const struct rst_core *core)
{
    return chunked_bytes(&core->conns) + chunked_bytes(&core->fulls)
        + (core->cap_expanded + core->cap_free_fulls) * sizeof(uint32_t)
        + chunked_bytes(&core->hosts) + chunked_bytes(&core->records)
        + chunked_bytes(&core->rst_smalls) + chunked_bytes(&core->rst_fulls)
        + (core->cap_expanded_rsts + core->cap_free_rst_fulls + core->cap_free_rst_smalls)
        * sizeof(uint32_t)
        + chunked_bytes(&core->diags) + chunked_bytes(&core->losses) + chunked_bytes(&core->runs)
        + (core->conn_index.size + core->host_index.size + core->tuple_index.size
           + core->host_tuple_index.size)
        * sizeof(struct index_slot)
        + sizeof *core;
}

size_t rst_core_connections(const struct rst_core *core)
{
    return core->conns.count;
}

size_t rst_core_hosts(const struct rst_core *core)
{
    return core->hosts.count;
}

/* Its longest run of occupied slots, wrapping round the end. */
static size_t longest_cluster(const struct index *ix)
{
    size_t longest = 0, run = 0, first = 0;
    for (size_t i = 0; i < ix->size; i++) {
        run = ix->slots[i].ref ? run + 1 : 0;
        if (run == i + 1)
            first = run; /* the run that starts at slot 0 */
        if (run > longest)
            longest = run;
    }
    if (run && run < ix->size && run + first > longest)
        longest = run + first; /* the last run goes on at slot 0 */
    return longest;
}

size_t rst_core_longest_cluster(const struct rst_core *core)
{
    const struct index *all[] = { &core->conn_index, &core->host_index, &core->tuple_index,
                                  &core->host_tuple_index };
    size_t longest = 0;
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        size_t n = longest_cluster(all[i]);
        longest = n > longest ? n : longest;
    }
    return longest;
}

/* Keeps what the RST says about itself: RFC 1122 4.2.2.12 lets a RST carry
 * text, RFC 8684 gives MPTCP reset options; most RSTs say nothing.  An
 * MP_FASTCLOSE earlier in the connection (fastclose_frame, 0: none) explains
 * the RST too (RFC 8684 3.5: the RSTs that answer or follow it). */
uint32_t rst_store_diag(struct rst_core *core, const struct rst_segment *s,
                        uint32_t fastclose_frame, bool fastclose_by_peer)
{
    struct rst_diag d;
    rst_diag_read(s, &d);
    if (fastclose_frame && !d.fastclose_frame && d.format <= RST_DIAG_MALFORMED) {
        /* Nothing stated of its own: the fast close speaks (beside an
         * MP_TCPRST of the RST's own, below, it joins it). */
        memset(&d, 0, sizeof d);
        d.format = RST_DIAG_MPTCP;
    }
    if (fastclose_frame && d.format == RST_DIAG_MPTCP && !d.fastclose_frame) {
        d.fastclose_frame = fastclose_frame;
        d.fastclose_by_peer = fastclose_by_peer;
    }
    if (d.format == RST_DIAG_NONE)
        return 0;
    struct diag_entry *e = rst_chunked_push(&core->diags);
    if (!e)
        return 0;
    *e = (struct diag_entry){
        .format = (uint8_t)d.format,
        .vendor = (uint8_t)d.vendor,
        .text_truncated = d.text_truncated,
        .has_code = d.has_code,
        .code = d.code,
        .pen = d.pen,
        .text_len = (uint16_t)d.text_len,
        .uncaptured = d.uncaptured,
        .mptcp_flags = d.mptcp_flags,
        .fastclose_by_peer = d.fastclose_by_peer,
        .f5_peer = d.f5_peer,
        .cause_offset = d.cause_offset,
        .fastclose_frame = d.fastclose_frame,
        .f5_line = d.f5_line,
        .f5_value = d.f5_value,
    };
    if (d.text_len)
        memcpy(e->text, d.text, d.text_len);
    return (uint32_t)core->diags.count;
}

void rst_store_get_diag(const struct rst_core *core, uint32_t diag, struct rst_diag *d)
{
    memset(d, 0, sizeof *d);
    if (diag == 0 || diag > core->diags.count)
        return;
    const struct diag_entry *e = chunked_at(&core->diags, diag - 1);
    *d = (struct rst_diag){
        .format = (enum rst_diag_format)e->format,
        .vendor = (enum rst_diag_vendor)e->vendor,
        .has_code = e->has_code,
        .code = e->code,
        .pen = e->pen,
        .text = e->text_len ? e->text : NULL,
        .text_len = e->text_len,
        .text_truncated = e->text_truncated,
        .uncaptured = e->uncaptured,
        .mptcp_flags = e->mptcp_flags,
        .fastclose_frame = e->fastclose_frame,
        .fastclose_by_peer = e->fastclose_by_peer,
        .f5_value = e->f5_value,
        .f5_line = e->f5_line,
        .f5_peer = e->f5_peer,
        .cause_offset = e->cause_offset,
    };
}

struct rst_runs *rst_store_runs(const struct rst_core *core, uint32_t runs)
{
    if (runs == 0 || runs > core->runs.count)
        return NULL;
    return chunked_at(&core->runs, runs - 1);
}

uint32_t rst_store_new_runs(struct rst_core *core)
{
    return rst_chunked_push(&core->runs) ? (uint32_t)core->runs.count : 0;
}

uint32_t rst_store_loss(struct rst_core *core, const struct rst_loss *loss)
{
    struct rst_loss *e = rst_chunked_push(&core->losses);
    if (!e)
        return 0;
    *e = *loss;
    return (uint32_t)core->losses.count;
}

struct rst_loss *rst_store_loss_at(const struct rst_core *core, uint32_t loss)
{
    if (loss == 0 || loss > core->losses.count)
        return NULL;
    return chunked_at(&core->losses, loss - 1);
}
