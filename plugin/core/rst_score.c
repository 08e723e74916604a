/* rst_score.c: did the claimed sender send this RST, or a device on the path?
 *
 * A forger writes the RST in the name of one endpoint but with its own IP
 * stack, its own network port, its own timing and without that endpoint's
 * state, so the RST differs from the endpoint's genuine packets.  Every
 * fact of forgery is decided here: some when the RST is fed (what only the
 * state just before it shows: seq 0, the ACK, bursts, copies, the race
 * that later packets settle), the rest, and every weight, when its verdict
 * is asked for (preferences; docs/evidence.md lists them with their
 * sources).  The
 * claimed sender's genuine packets are the non-RST ones fed so far,
 * including those after the RST: a real SYN-ACK that arrives after a forged
 * RST is the best witness there is.  Where the connection has none (a RST
 * answering a SYN), the host's packets in other connections serve.
 *
 * Every rule is written so that a genuine Linux, Windows or BSD stack does
 * not trip it; the project's captures test that for each cause.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst_score.h"

#include "rst_store.h"

#include <string.h>

#define TIMING_MIN_RESPONSE_US 1000 /* a sender nearer than this: timing says nothing */
#define IP_ID_MAX_STEP 1024         /* a counting sender's next ID lies within this */
#define TS_TICKS_PER_SECOND 1000    /* fastest RFC 7323 clock in use (Linux, BSD) */
#define TS_SLACK 2

/* ------------------------------------------------------------ when a RST is fed
 *
 * Facts only the moment of the RST shows (the connection's state just
 * before it, its sender's RSTs before it); the weights come at verdict
 * time. */

/* seq 0 is what a host without the connection puts in its reply to a SYN;
 * it is wrong where the sender knows its own sequence numbers (it sent its
 * SYN or SYN-ACK already) or where the answered segment carried an ACK (the
 * reply must then take SEG.ACK as its seq). */
static void note_seq_zero(const struct rst_side *x, const struct rst_side *y,
                          const struct rst_segment *rst, struct rst_record *rec)
{
    if (rst->seq != 0)
        return;
    /* A reply to a segment whose ACK field is 0 takes seq 0: the rule itself. */
    if (y->last.frame && (y->last.flags & RST_TH_ACK) && y->last.ack == 0)
        return;
    if (x->syn_frame && x->isn + 1 != 0) {
        rec->seq_zero_forbidden = true;
        rec->seq_zero_after_synack = true;
        rec->seq_zero_ref = x->syn_frame;
    } else if (y->last.frame && (y->last.flags & RST_TH_ACK)) {
        rec->seq_zero_forbidden = true;
        rec->seq_zero_ref = y->last.frame;
    }
}

/* A RST/ACK acknowledges what its receiver sent: not below its ISN + 1
 * (the SYN occupies the ISN), not beyond what it sent. */
static bool ack_matches_nothing(const struct rst_side *y, const struct rst_segment *rst)
{
    if (!(rst->flags & RST_TH_ACK))
        return false;
    if (y->syn_frame && seq_lt(rst->ack, y->isn + 1))
        return true;
    return y->snd_known && seq_gt(rst->ack, y->snd_max);
}

void rst_score_note_rst(const struct rst_conn *c, unsigned from, const struct rst_segment *rst,
                        struct rst_record *rec)
{
    const struct rst_side *x = &c->side[from], *y = &c->side[!from];
    rec->ack_mismatch = ack_matches_nothing(y, rst);
    note_seq_zero(x, y, rst, rec);
}

/* Several RSTs of one sender in quick succession: what genuine stacks do not
 * change between them (Weaver et al. NDSS 2009 RST_SEQ_CHANGE; the GFW's
 * RST + 3 RST/ACK at X, X+1460, X+4380, Wang et al. IMC 2017; consecutive
 * windows 1980-1982, GFW Report 2025).  Both RSTs are marked. */
void rst_score_note_burst(struct rst_record *prev, struct rst_record *rec,
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
    if (rec->window && prev->window
        && (rec->window == prev->window + 1 || prev->window == rec->window + 1)) {
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

/* The same RST three times, with an IP ID that counts: no tap does that
 * (rst_score_note_burst's rule for copies). */
void rst_score_note_copy(struct rst_record *original)
{
    if (original->copies >= 2 && original->has_ip_id && original->ip_id)
        original->ip_id_repeat = true;
}

/* Traffic of x after its own RSTs: the race (score_race). */
void rst_score_note_race(struct rst_core *core, struct rst_side *x, uint32_t frame)
{
    for (uint32_t id = x->pending_rsts; id;) {
        struct rst_record *r = rst_store_record(core, id);
        r->race_frame = frame;
        id = r->prev_pending;
    }
    x->pending_rsts = 0;
}

/* ------------------------------------------------------------ when a verdict is asked for */

static struct rst_evidence *add(struct rst_verdict *v, enum rst_evidence_kind kind, unsigned weight,
                                uint32_t ref_frame)
{
    struct rst_evidence *e = &v->evidence[v->n_evidence++];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->weight = weight;
    e->ref_frame = ref_frame;
    return e;
}

/* The frame the TTL is compared with: the server's SYN-ACK where there is
 * one (the usual reference), else the sender's first genuine packet. */
static uint32_t reference_frame(const struct rst_conn *c, const struct rst_side *x, unsigned from)
{
    if (c->client == (int)!from && x->syn_frame)
        return x->syn_frame;
    return x->ttl_frame;
}

/* TTL / hop limit (Clayton et al. 2006; Weaver et al. 2009): a forger sits at
 * another distance.  A route change can move a TTL by one hop; a forger near
 * one end of a long path moves it by several: one hop counts five eighths. */
static void score_ttl(const struct rst_conn *c, const struct rst_host *h,
                      const struct rst_record *rec, const struct rst_params *p,
                      struct rst_verdict *v)
{
    const struct rst_side *x = &c->side[rec->from];
    unsigned lo, hi;
    uint32_t ref;
    bool other = false;
    if (x->ttl_frame) {
        lo = x->ttl_min, hi = x->ttl_max, ref = reference_frame(c, x, rec->from);
    } else if (h && h->ttl_frame) {
        lo = h->ttl_min, hi = h->ttl_max, ref = h->ttl_frame, other = true;
    } else {
        return;
    }
    if (rec->ttl >= lo && rec->ttl <= hi)
        return;
    int expected = rec->ttl > hi ? (int)hi : (int)lo;
    int delta = (int)rec->ttl - expected;
    unsigned w = p->weight[RST_EV_TTL];
    struct rst_evidence *e = add(v, RST_EV_TTL, (delta == 1 || delta == -1) ? w * 5 / 8 : w, ref);
    e->observed = rec->ttl;
    e->expected = expected;
    e->other_connection = other;
}

/* Source MAC: the forger's frames come from its own port. */
static void score_mac(const struct rst_conn *c, const struct rst_host *h,
                      const struct rst_record *rec, const struct rst_params *p,
                      struct rst_verdict *v)
{
    const struct rst_side *x = &c->side[rec->from];
    const uint8_t *mac;
    uint32_t ref;
    bool other = false;
    if (!rec->has_mac)
        return;
    if (x->mac_known) {
        if (x->mac_varies)
            return;
        mac = x->mac, ref = x->mac_frame;
    } else if (h && h->mac_known && !h->mac_varies) {
        mac = h->mac, ref = h->mac_frame, other = true;
    } else {
        return;
    }
    if (memcmp(rec->mac, mac, 6) == 0)
        return;
    struct rst_evidence *e = add(v, RST_EV_MAC, p->weight[RST_EV_MAC], ref);
    memcpy(e->observed_mac, rec->mac, 6);
    memcpy(e->expected_mac, mac, 6);
    e->other_connection = other;
}

static void score_seq_zero(const struct rst_record *rec, const struct rst_params *p,
                           struct rst_verdict *v)
{
    if (rec->seq_zero_forbidden)
        add(v, RST_EV_SEQ_ZERO, p->weight[RST_EV_SEQ_ZERO], rec->seq_zero_ref);
}

/* The race (Weaver et al. 2009; Suricata stream.suspected_rst_inject): a host
 * that sends a RST has no connection left, so its own packets after it belie
 * the RST.  Not after a reply that keeps the connection (rst_classify.c):
 * Linux in SYN-RECEIVED retransmits its SYN-ACK, in SYN-SENT it goes on
 * waiting for one. */
static void score_race(const struct rst_record *rec, const struct rst_params *p,
                       struct rst_verdict *v)
{
    if (rec->race_frame && !rec->keeps_connection)
        add(v, RST_EV_RACE, p->weight[RST_EV_RACE], rec->race_frame);
}

/* Bursts (marked when fed: rst_score_note_burst). */
/* The RST's TTL is one its claimed sender's packets arrive with: in this
 * connection, or where it sent nothing but RSTs here, in its others. */
static bool ttl_is_senders(const struct rst_side *x, const struct rst_host *h, unsigned ttl)
{
    if (x->ttl_frame)
        return ttl >= x->ttl_min && ttl <= x->ttl_max;
    return h && h->ttl_frame && ttl >= h->ttl_min && ttl <= h->ttl_max;
}

static void score_burst(const struct rst_conn *c, const struct rst_host *h,
                        const struct rst_record *rec, const struct rst_params *p,
                        struct rst_verdict *v)
{
    const struct rst_side *x = &c->side[rec->from];
    if (rec->burst_seq)
        add(v, RST_EV_BURST_SEQ, p->weight[RST_EV_BURST_SEQ], rec->burst_frame);
    if (rec->burst_window)
        add(v, RST_EV_BURST_WINDOW, p->weight[RST_EV_BURST_WINDOW], rec->burst_frame);
    /* The TTL changed between two RSTs: it counts against the one whose TTL
     * is not the sender's (a genuine RST after a forged one keeps its own). */
    if (rec->burst_ttl && !ttl_is_senders(x, h, rec->ttl))
        add(v, RST_EV_BURST_TTL, p->weight[RST_EV_BURST_TTL], rec->burst_frame);
}

/* Window: a reply built without a socket carries window 0 (Linux
 * tcp_v4_send_reset, FreeBSD tcp_respond, Windows); a socket's own RST
 * carries its receive window.  GFW RSTs carry 1980-1982 or random values,
 * Airtel's 16. */
static void score_window(const struct rst_conn *c, const struct rst_record *rec,
                         const struct rst_params *p, struct rst_verdict *v)
{
    const struct rst_side *x = &c->side[rec->from];
    if (rec->window == 0 || rec->window_cut)
        return;
    if (rec->shape == RST_SHAPE_REPLY) {
        struct rst_evidence *e = add(v, RST_EV_WINDOW, p->weight[RST_EV_WINDOW], 0);
        e->observed = rec->window;
        e->expected = 0;
        return;
    }
    if (x->win_known && ((uint32_t)rec->window * 2 < x->win_min || rec->window > 2u * x->win_max)) {
        struct rst_evidence *e = add(v, RST_EV_WINDOW, p->weight[RST_EV_WINDOW], x->last.frame);
        e->observed = rec->window;
        e->expected = x->win_max;
        e->window_sign = RST_WINDOW_OFF_SENDER;
    }
}

static void score_ack(const struct rst_record *rec, const struct rst_params *p,
                      struct rst_verdict *v)
{
    if (rec->ack_mismatch) {
        struct rst_evidence *e = add(v, RST_EV_ACK, p->weight[RST_EV_ACK], 0);
        e->observed = rec->ack;
    }
}

/* Is tsval on x's RFC 7323 clock?  The clock never runs backwards and ticks
 * at most TS_TICKS_PER_SECOND; x's genuine timestamps bound it before and
 * after. */
static bool on_clock(const struct rst_side *x, int64_t t, uint32_t tsval, uint32_t *expected)
{
    if (t <= x->ts_first_time) {
        uint32_t back = (uint32_t)((x->ts_first_time - t) * TS_TICKS_PER_SECOND / 1000000);
        *expected = x->ts_first;
        return seq_leq(tsval, x->ts_first + TS_SLACK)
            && !seq_lt(tsval, x->ts_first - back - TS_SLACK);
    }
    if (t >= x->ts_last_time) {
        uint32_t ahead = (uint32_t)((t - x->ts_last_time) * TS_TICKS_PER_SECOND / 1000000);
        *expected = x->ts_last;
        return !seq_lt(tsval, x->ts_last - TS_SLACK)
            && seq_leq(tsval, x->ts_last + ahead + TS_SLACK);
    }
    *expected = x->ts_last;
    return !seq_lt(tsval, x->ts_first - TS_SLACK) && seq_leq(tsval, x->ts_last + TS_SLACK);
}

/* Timestamps (RFC 7323 5.2: a RST should carry TSopt once negotiated; Linux
 * active RSTs do, socket-less replies do not; Suricata flags forged RSTs
 * with timestamps off the sender's clock as pkt_invalid_timestamp). */
static void score_timestamps(const struct rst_conn *c, const struct rst_record *rec,
                             const struct rst_params *p, struct rst_verdict *v)
{
    const struct rst_side *x = &c->side[rec->from];
    if (!rec->has_ts) {
        /* Options the capture cut off are unknown, not absent. */
        if (rec->options_cut)
            return;
        if (rec->shape != RST_SHAPE_REPLY && c->side[0].ts_offered && c->side[1].ts_offered)
            add(v, RST_EV_NO_TIMESTAMPS, p->weight[RST_EV_NO_TIMESTAMPS], x->syn_frame);
        return;
    }
    uint32_t expected;
    if (x->ts_seen && !on_clock(x, rec->time_us, rec->tsval, &expected)) {
        struct rst_evidence *e =
            add(v, RST_EV_TIMESTAMP, p->weight[RST_EV_TIMESTAMP], x->last.frame);
        e->observed = rec->tsval;
        e->expected = expected;
    }
}

/* IP ID: a sender that counts (Linux per connection, Windows and FreeBSD per
 * host) continues its counter in its own RSTs; Linux replies without a
 * socket carry 0.  Injectors use fixed IDs (Airtel 242, GFW one ID per
 * burst) or their own counter.  A sender counts when its consecutive IDs
 * were 1..64 apart every time (random IDs would be so by chance once in a
 * thousand). */
/* Off the sender's counter: fixed at 0 or 1, or a jump; -1 if on it or
 * the sender does not count. */
static int off_counter(const struct rst_side *x, const struct rst_record *rec)
{
    if (x->ip_id_steps_ok < 1 || x->ip_id_steps_bad > 0 || rec->shape == RST_SHAPE_REPLY)
        return -1;
    if (rec->ip_id <= 1)
        return RST_IP_ID_FIXED;
    /* Replies built without the socket take their ID elsewhere (0 on Linux,
     * a host-wide counter on BSD, macOS and Windows): only a socket's own
     * RST continues the connection's counter. */
    uint16_t step = (uint16_t)(rec->ip_id - rec->prev_ip_id);
    return rec->has_prev_ip_id && (step == 0 || step > IP_ID_MAX_STEP) ? RST_IP_ID_JUMP : -1;
}

static void score_ip_id(const struct rst_conn *c, const struct rst_record *rec,
                        const struct rst_params *p, struct rst_verdict *v)
{
    if (!rec->has_ip_id)
        return;
    int off = off_counter(&c->side[rec->from], rec);
    if (off < 0 && !rec->ip_id_repeat)
        return;
    /* Both off the counter and repeated: two facts, eight fifths. */
    unsigned w = p->weight[RST_EV_IP_ID];
    struct rst_evidence *e = add(v, RST_EV_IP_ID, off >= 0 && rec->ip_id_repeat ? w * 8 / 5 : w,
                                 rec->ip_id_repeat ? rec->burst_frame : 0);
    e->observed = rec->ip_id;
    e->ip_id_sign = off >= 0 ? (enum rst_ip_id_sign)off : RST_IP_ID_REPEATED;
    e->repeated = rec->ip_id_repeat;
    if (off == RST_IP_ID_JUMP)
        e->expected = (uint16_t)(rec->prev_ip_id + 1);
}

/* Timing (rst-forensics: arrival < RTT/2; Weaver et al.): a RST that reacts
 * to a segment cannot reach the capture point sooner than its claimed sender
 * can answer at all.  The sender's fastest answer seen here, in this
 * connection or another, bounds it.  Under a tenth of it counts fully. */
static void score_timing(const struct rst_conn *c, const struct rst_host *h,
                         const struct rst_record *rec, const struct rst_params *p,
                         struct rst_verdict *v)
{
    const struct rst_side *x = &c->side[rec->from];
    if (!rec->trigger_frame)
        return;
    uint32_t response = x->response_us, ref = x->response_frame;
    bool other = false;
    if (h && h->response_frame && (!ref || h->response_us < response)) {
        response = h->response_us, ref = h->response_frame;
        other = h->response_frame != x->response_frame;
    }
    if (!ref || response < TIMING_MIN_RESPONSE_US)
        return;
    int64_t took = rec->time_us - rec->trigger_time_us;
    if (took < 0 || took * 2 >= response)
        return;
    /* A host without the connection answers each segment alike: an earlier
     * one of the run, sent long enough before (but not absurdly long), may be
     * the one answered. */
    int64_t since_run = rec->time_us - rec->trigger_run_us;
    if (since_run * 2 >= response && since_run <= 4 * (int64_t)response + 100000)
        return;
    unsigned w = p->weight[RST_EV_TIMING];
    struct rst_evidence *e = add(v, RST_EV_TIMING, took * 10 < response ? w : w * 5 / 8, ref);
    e->observed = took;
    e->expected = response;
    e->other_connection = other;
}

/* A host that has reset a connection has none (RFC 9293 3.10.7.1): it sends
 * RSTs only in reply to segments, with SEQ = SEG.ACK and no ACK flag or, to
 * a segment without ACK, seq 0.  A RST/ACK in its name at its own next
 * sequence number that replies to none of the peer's segments, an "abort of
 * the live connection" after its refusal say, cannot come from it as well.
 * A bare RST might answer a segment the capture missed, and where the
 * capture holds nothing of the peer nothing says what it answers. */
static void score_contradiction(const struct rst_conn *c, const struct rst_record *rec,
                                const struct rst_record *own, const struct rst_params *p,
                                struct rst_verdict *v)
{
    if (own && rec->shape == RST_SHAPE_ACTIVE && (rec->flags & RST_TH_ACK)
        && c->side[!rec->from].last.frame)
        add(v, RST_EV_CONTRADICTION, p->weight[RST_EV_CONTRADICTION], own->frame);
}

void rst_score(const struct rst_conn *c, const struct rst_host *h, const struct rst_record *rec,
               const struct rst_record *own_reset, const struct rst_params *p,
               struct rst_verdict *v)
{
    unsigned total = 0;
    score_ttl(c, h, rec, p, v);
    score_mac(c, h, rec, p, v);
    score_seq_zero(rec, p, v);
    score_race(rec, p, v);
    score_burst(c, h, rec, p, v);
    score_window(c, rec, p, v);
    score_ack(rec, p, v);
    score_timestamps(c, rec, p, v);
    score_ip_id(c, rec, p, v);
    score_timing(c, h, rec, p, v);
    score_contradiction(c, rec, own_reset, p, v);
    /* A weight of 0 switches a signal off. */
    unsigned kept = 0;
    for (unsigned i = 0; i < v->n_evidence; i++) {
        if (v->evidence[i].weight)
            v->evidence[kept++] = v->evidence[i];
        total += v->evidence[i].weight;
    }
    v->n_evidence = kept;
    v->suspicion = total > 100 ? 100 : total;
    v->injected = v->n_evidence > 0 && v->suspicion >= p->threshold;
}
