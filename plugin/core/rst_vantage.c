/* rst_vantage.c: a RST at two capture points.
 *
 * The strongest evidence of a forged RST is a second capture: at the client
 * the RST arrives "from the server", while at a point nearer the server,
 * where the server's packets pass, it never appears.  A genuine RST travels
 * the path its sender's other packets travel, so it passes every capture
 * point between its sender and the first one: one that saw the sender's
 * packets before and after, but not the RST, proves that something between
 * the two points made it.
 *
 * A connection's entries at the capture points of one file (the interfaces
 * of `mergecap -I none`, the links of a merge that collapsed them) form a
 * ring (rst_points.c); so do a host's.  Which point is nearer the sender is
 * read from the sender's TTL or hop limit at each (a point where it is
 * higher is fewer hops from the sender: Q lies between the sender and P),
 * or, with equal TTLs (a bridge between the points), from which point saw
 * the sender's SYN first.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst_vantage.h"

#include <string.h>

/* How far apart the two points' clocks and the path may put the two
 * sightings of one RST. */
#define TWIN_WINDOW_US 5000000LL

/* A sender's RSTs are walked newest first, back to the twin window before
 * the RST and at most this many: a storm of RSTs in one connection costs a
 * bounded walk per verdict (pairing the identical ones of a storm beyond it
 * in order is not attempted). */
#define RST_WALK_MAX 256

/* Times at another point are shifted by the lag measured between the two
 * points (rst_points.c rst_points_note_lag: path delay and clock offset), where known. */

/* Whether the walk over a sender's RSTs, newest first, may go past r. */
static bool walk_on(const struct rst_record *r, const struct rst_record *rec, int64_t shift,
                    unsigned walked)
{
    return walked < RST_WALK_MAX && r->time_us + shift > rec->time_us - TWIN_WINDOW_US;
}

/* Two sightings of one RST: the same header fields a router leaves alone
 * (not the TTL, not the MACs), within the window. */
static bool is_twin(const struct rst_record *r, const struct rst_record *rec, int64_t shift)
{
    int64_t apart = r->time_us + shift - rec->time_us;
    return r->seq == rec->seq && r->flags == rec->flags
        && (!(rec->flags & RST_TH_ACK) || r->ack == rec->ack) && r->has_ip_id == rec->has_ip_id
        && r->ip_id == rec->ip_id && apart < TWIN_WINDOW_US && -apart < TWIN_WINDOW_US;
}

/* How many sightings of the sender's RSTs from `first` back (newest first)
 * look exactly like rec, with their mirrored copies (rst_records.c), times
 * shifted by `shift`.  *cut set: the walk ended at its bound. */
static unsigned count_alike(const struct rst_core *core, uint32_t first,
                            const struct rst_record *rec, int64_t shift, bool *cut)
{
    unsigned count = 0, walked = 0;
    for (uint32_t id = first; id; walked++) {
        const struct rst_record *r = rst_core_record(core, id);
        if (!r)
            break;
        if (!walk_on(r, rec, shift, walked)) {
            *cut = *cut || walked >= RST_WALK_MAX;
            break;
        }
        if (is_twin(r, rec, shift))
            count += 1u + r->copies;
        id = r->prev_rst;
    }
    return count;
}

/* rec's rank among the sightings alike before it: a host without the
 * connection answers several segments with the same bare RST, and the n-th
 * at one point is the n-th at the other.  A point where two of them pass
 * within a millisecond, nothing between, keeps the second as a copy of the
 * first. */
static unsigned rank_among_alike(const struct rst_core *core, const struct rst_record *rec,
                                 bool *cut)
{
    return count_alike(core, rec->prev_rst, rec, 0, cut);
}

/* The frame of the k-th copy of record `id` (k >= 1): copies follow their
 * original within a millisecond, so within the next few records. */
#define COPY_SCAN 64

static uint32_t copy_frame(const struct rst_core *core, uint32_t id, unsigned k)
{
    for (uint32_t next = id + 1; next <= id + COPY_SCAN; next++) {
        const struct rst_record *r = rst_core_record(core, next);
        if (!r)
            break;
        if (r->copy_of == id && r->copies == k)
            return r->frame;
    }
    return 0;
}

/* The frame of the same RST among the sender's sightings in the connection
 * at another point: the rank-th (from 0, oldest first) of those alike.
 * *cut: absence says nothing (the walk ended at its bound, or the point
 * holds alike RSTs, only fewer: which one it missed is unknown). */
static uint32_t find_twin(const struct rst_core *core, const struct rst_conn *q,
                          const struct rst_record *rec, int64_t shift, unsigned rank, bool *cut)
{
    /* First the sightings alike there, then the one wanted, newest first. */
    unsigned total = count_alike(core, q->side[rec->from].last_rst, rec, shift, cut);
    if (rank >= total) {
        *cut = *cut || total > 0;
        return 0;
    }
    unsigned from_newest = total - 1 - rank;
    for (uint32_t id = q->side[rec->from].last_rst; id;) {
        const struct rst_record *r = rst_core_record(core, id);
        if (is_twin(r, rec, shift)) {
            if (from_newest <= r->copies) /* its copies are newer than itself */
                return from_newest == r->copies ? r->frame
                                                : copy_frame(core, id, r->copies - from_newest);
            from_newest -= 1u + r->copies;
        }
        id = r->prev_rst;
    }
    return 0;
}

/* Whether both points saw the side's SYN (or SYN-ACK). */
static bool same_syn(const struct rst_side *a, const struct rst_side *b)
{
    return a->syn_frame && b->syn_frame && a->isn == b->isn;
}

/* 1: the sender's packets reach q's point in fewer hops than p's; 0: not;
 * -1: unknown.  With equal TTLs (a bridge between the points), its SYN
 * reaches the nearer point first and its peer's SYN the other one first:
 * the two delays add up to twice the path's whatever the clocks' offset. */
static int nearer_sender(const struct rst_conn *q, const struct rst_conn *p, unsigned from)
{
    const struct rst_side *xq = &q->side[from], *xp = &p->side[from];
    const struct rst_side *yq = &q->side[!from], *yp = &p->side[!from];
    if (!xq->first_frame || !xp->first_frame)
        return -1;
    if (xq->ttl_first != xp->ttl_first)
        return xq->ttl_first > xp->ttl_first;
    if (same_syn(xq, xp) && same_syn(yq, yp)) {
        int64_t twice_path = (xp->syn_time - xq->syn_time) + (yq->syn_time - yp->syn_time);
        if (twice_path != 0)
            return twice_path > 0;
    }
    return -1;
}

static int host_nearer(const struct rst_host *q, const struct rst_host *p)
{
    if (!q || !p || !q->ttl_frame || !p->ttl_frame)
        return -1;
    if (q->ttl_min > p->ttl_max)
        return 1;
    return q->ttl_max < p->ttl_min ? 0 : -1;
}

static void name_point(struct rst_vantage *v, const struct rst_conn *q, unsigned from)
{
    v->other_interface = q->interface_id;
    v->other_mac_known = q->split && q->link_known;
    if (v->other_mac_known)
        memcpy(v->other_mac, q->link[from], 6);
}

/* The RST at the connection's other points: seen there (its twin), or
 * absent where it must have passed.  True if that settles it: the
 * connection has entries at other points and either holds the answer, or a
 * storm of RSTs there is too long to tell. */
static bool vantage_of_connection(const struct rst_core *core, const struct rst_record *rec,
                                  unsigned copy, struct rst_vantage *v)
{
    const struct rst_conn *c = rst_core_conn(core, rec->conn);
    const struct rst_side *x = &c->side[rec->from];
    if (!c->next_point)
        return false;
    bool rank_cut = false, cut = false;
    unsigned rank = rank_among_alike(core, rec, &rank_cut) + copy;
    if (rank_cut)
        return true;
    /* The earliest sighting elsewhere: where a RST is seen at several points
     * (raw and through mirror sessions), each names the first, and the
     * first names the next. */
    RST_FOR_EACH_POINT (r, core, rec->conn, false) {
        const struct rst_conn *q = rst_ring_conn(&r);
        int64_t lag =
            same_syn(&q->side[rec->from], x) ? x->syn_time - q->side[rec->from].syn_time : 0;
        uint32_t twin = find_twin(core, q, rec, lag, rank, &cut);
        if (twin && (!v->peer_frame || twin < v->peer_frame)) {
            v->peer_frame = twin;
            name_point(v, q, rec->from);
        }
    }
    if (v->peer_frame || cut)
        return true;
    RST_FOR_EACH_POINT (r, core, rec->conn, false) {
        const struct rst_conn *q = rst_ring_conn(&r);
        const struct rst_side *xq = &q->side[rec->from];
        const struct rst_host *hq = rst_core_host(core, xq->host);
        /* Only on q's clock: the sender's SYN (or SYN-ACK) at both points
         * gives the lag between them (path and clock offset). */
        if (!same_syn(xq, x))
            continue;
        int64_t lag = x->syn_time - xq->syn_time;
        /* The sender's packets pass q's point, which was still capturing
         * when the RST had passed it on its way (it passes q first). */
        bool covers =
            q->last_time_us + lag >= rec->time_us || (hq && hq->last_us + lag >= rec->time_us);
        if (xq->first_frame && covers && nearer_sender(q, c, rec->from) == 1) {
            v->unseen = true;
            v->ref_frame = xq->last.frame;
            name_point(v, q, rec->from);
            return true;
        }
    }
    return false;
}

static bool zero_mac(const uint8_t *mac)
{
    static const uint8_t zero[6];
    return memcmp(mac, zero, 6) == 0;
}

/* An entry of the connection's own view without a link is the mixture from
 * before the view was seen to hold several links: no capture point. */
static bool is_mixture(const struct rst_conn *c, const struct rst_host *h)
{
    return h->view == c->key->view && c->split && zero_mac(h->link_mac);
}

/* Whether the receiver's packets pass the point of `at` too. */
static bool receiver_passes(const struct rst_core *core, const struct rst_conn *c,
                            uint32_t receiver, const struct rst_host *at)
{
    const struct rst_host *h = rst_core_host(core, receiver);
    uint32_t m = h ? h->next_point : 0;
    for (unsigned n = 0; m && m != receiver && n < RST_RING_MAX; n++) {
        const struct rst_host *o = rst_core_host(core, m);
        if (o->view == at->view && o->last_frame && !is_mixture(c, o))
            return true;
        m = o->next_point;
    }
    return false;
}

/* A connection never seen at another point where both its hosts' packets
 * pass, before and after the RST: the segments it answers never got there,
 * nor did the RST. */
static void vantage_of_hosts(const struct rst_core *core, const struct rst_record *rec,
                             struct rst_vantage *v)
{
    const struct rst_conn *c = rst_core_conn(core, rec->conn);
    uint32_t sender = c->side[rec->from].host, receiver = c->side[!rec->from].host;
    const struct rst_host *hp = rst_core_host(core, sender);
    if (!hp)
        return;
    uint32_t m = hp->next_point;
    for (unsigned n = 0; m && m != sender && n < RST_RING_MAX; n++) {
        const struct rst_host *hq = rst_core_host(core, m);
        /* hq's clock: the lag measured on a SYN of the host seen at both. */
        int64_t lag = hp->lag_us;
        if (hp->lag_host == m && !is_mixture(c, hq) && hq->last_frame
            && hq->first_us + lag <= rec->time_us && hq->last_us + lag >= rec->time_us
            && host_nearer(hq, hp) == 1 && receiver_passes(core, c, receiver, hq)) {
            v->unseen = true;
            v->ref_frame = hq->last_frame;
            v->other_interface = hq->interface_id;
            v->other_mac_known = !zero_mac(hq->link_mac);
            memcpy(v->other_mac, hq->link_mac, 6);
            return;
        }
        m = hq->next_point;
    }
}

void rst_vantage(const struct rst_core *core, const struct rst_record *rec, unsigned copy,
                 struct rst_vantage *v)
{
    memset(v, 0, sizeof *v);
    if (!vantage_of_connection(core, rec, copy, v))
        vantage_of_hosts(core, rec, v);
}
