/* rst_learn.c: what each side of a connection shows in its non-RST segments.
 *
 * Per side: sequence space (ISN, highest sent, highest acknowledged, FIN),
 * the last segment and the runs before it (what a RST may answer),
 * unanswered keepalives and retransmissions, and the baseline its RSTs are
 * compared with: TTL / hop limit and source MAC, IP ID counter, RFC 7323
 * clock, window, how fast it answers.  The baseline takes only packets that
 * agree with the side's handshake, so that a forger's packets in its name
 * never become its own.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst_learn.h"

#include "rst_impact.h"

#include "rst_points.h"
#include "rst_score.h"

#include <string.h>

/* Linux and Windows probe with one byte (or none) just below SND.NXT
 * (RFC 1122 4.2.3.6); Wireshark uses the same test. */
static bool is_keepalive(const struct rst_side *x, const struct rst_segment *s)
{
    return x->snd_known && (s->flags & (RST_TH_SYN | RST_TH_FIN | RST_TH_RST)) == 0
        && s->payload_len <= 1 && s->seq == x->snd_max - 1;
}

static void note_ttl_mac(uint8_t *ttl_min, uint8_t *ttl_max, uint32_t *ttl_frame, uint8_t *mac,
                         bool *mac_known, bool *mac_varies, uint32_t *mac_frame,
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
        return; /* Linux sends 0 from sockets without a peer (SYN-ACKs, replies) */
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
    if (!(s->flags & RST_TH_SYN) && !s->window_cut) { /* RFC 7323: SYNs are never scaled */
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
    struct rst_host *h = x->host ? rst_store_host(core, x->host) : NULL;
    if (h && (!h->response_frame || (uint32_t)took < h->response_us)) {
        h->response_us = (uint32_t)took;
        h->response_frame = s->frame;
    }
}

/* A host without the connection answers every segment, each alike when they
 * carry the same ACK (or, without ACK, the same seq): the run's first one
 * may be the one a late reply answers. */
static void note_run(struct rst_core *core, struct rst_side *x, const struct rst_segment *s)
{
    const struct rst_last_seg *prev = &x->last;
    bool same = prev->frame && (prev->flags & RST_TH_ACK) == (s->flags & RST_TH_ACK)
        && ((s->flags & RST_TH_ACK) ? prev->ack == s->ack : prev->seq == s->seq);
    if (same)
        return;
    /* Its ACK moved on: a late reply may still answer the runs before
     * (made now: a side that never gets here keeps none; out of memory, it
     * keeps none either, and late replies to them read as unmatched). */
    if (!x->runs && prev->frame && (prev->flags & RST_TH_ACK))
        x->runs = rst_store_new_runs(core);
    struct rst_run *runs = x->runs ? rst_store_runs(core, x->runs)->run : NULL;
    if (runs && prev->frame && (prev->flags & RST_TH_ACK)) {
        memmove(&runs[1], &runs[0], (RST_RUNS - 1) * sizeof runs[0]);
        int64_t span = prev->time_us - x->run_time;
        runs[0] =
            (struct rst_run){ .last_us = prev->time_us,
                              .frame = prev->frame,
                              .ack = prev->ack,
                              .span_us = span < 0     ? 0
                                  : span > UINT32_MAX ? UINT32_MAX
                                                      : (uint32_t)span,
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
bool rst_ttl_far(unsigned ttl, unsigned ref)
{
    return ttl > ref + 2 || ttl + 2 < ref;
}

static bool is_outlier(const struct rst_side *x, const struct rst_segment *s)
{
    return x->first_frame && rst_ttl_far(s->ttl, x->ttl_first);
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
    x->last.fastclose = s->mptcp_fastclose;
    c->last_time_us = s->time_us;
    c->last_frame = s->frame;
}

bool rst_repeats_header(uint32_t seq, uint32_t ack, uint8_t flags, uint16_t window, int64_t time_us,
                        const struct rst_segment *s)
{
    return s->seq == seq && s->ack == ack && s->flags == flags && s->window == window
        && s->time_us >= time_us && s->time_us - time_us < RST_COPY_WINDOW_US;
}

/* The side's last segment again, with nothing from the peer in between and,
 * on stacks that count, the same IP ID: a copy, which changes nothing. */
static bool is_copy(const struct rst_conn *c, const struct rst_side *x, const struct rst_segment *s)
{
    const struct rst_last_seg *l = &x->last;
    return l->frame && c->last_frame == l->frame && s->payload_len == l->len
        && rst_repeats_header(l->seq, l->ack, l->flags, l->window, l->time_us, s)
        && (!s->has_ip_id || !s->ip_id || (x->ip_id_known && s->ip_id == x->ip_id));
}

void rst_learn(struct rst_core *core, struct rst_conn *c, uint32_t index, unsigned from,
               const struct rst_segment *s)
{
    if (is_copy(c, &c->side[from], s))
        return;

    struct rst_side *x = &c->side[from];
    const struct rst_side *y = &c->side[!from];
    uint32_t end = s->seq + seg_space(s->flags, s->payload_len);

    note_run(core, x, s);
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
        note_ttl_mac(&x->ttl_min, &x->ttl_max, &x->ttl_frame, x->mac, &x->mac_known, &x->mac_varies,
                     &x->mac_frame, s);
    if (x->host) {
        struct rst_host *h = rst_store_host(core, x->host);
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
        rst_points_note_lag(core, index, from);
    note_repeats(x, &c->side[!from], s);
    if (baseline) {
        /* Nor is it the sender answering fast, or still talking after its RST. */
        note_response(core, x, &c->side[!from], s);
        rst_score_note_race(core, x, s->frame);
    }
    rst_impact_note_data(core, c, index, from, s);
    if (!x->snd_known || seq_gt(end, x->snd_max)) {
        x->snd_max = end;
        x->snd_known = true;
    }
    rst_impact_note_ack(core, c, index, from, s);
    if ((s->flags & RST_TH_ACK) && (!x->ack_known || seq_gt(s->ack, x->max_ack))) {
        x->max_ack = s->ack;
        x->ack_known = true;
    }
    if ((s->flags & RST_TH_FIN) && !x->fin_frame)
        x->fin_frame = s->frame;
    remember_last(c, x, s);
}
