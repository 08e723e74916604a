/* rst_classify.c: why a RST was sent, if its claimed sender sent it.
 *
 * Every stack builds a RST in one of two ways (RFC 9293 3.10.7.1, Linux
 * tcp_v4_send_reset / tcp_send_active_reset):
 *
 *  - as a reply to a segment it will not accept ("passive"): if that segment
 *    carried an ACK, <SEQ=SEG.ACK><CTL=RST> (a bare RST); otherwise
 *    <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>, which is what answers a SYN
 *    to a closed port;
 *  - on its own initiative in a live connection ("active"): RST/ACK with
 *    seq = SND.NXT and ack = RCV.NXT, when the application aborts or a timer
 *    gives up.
 *
 * So the RST's shape says which segment it answers, and the sender's state
 * just before it (its FIN, its SYN-ACK, the peer's unanswered probes...) says
 * why.  This file decides the wire cause; rst_score.c decides whether the
 * claimed sender sent it at all (and has already marked a seq 0 that no
 * reply of the sender's could carry, rst_score_note_rst: such a RST is no
 * active one either).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst_classify.h"

#include "rst_store.h"

/* Bytes an ACK may run ahead of what the sender sent and still be read as
 * a count of unsent bytes; further ahead it is near nothing the sender sent. */
#define ACK_ELSEWHERE_BYTES (1u << 30)

/* The sequence number right after a segment (what a RST/ACK acknowledges). */
static uint32_t seg_end(const struct rst_last_seg *seg)
{
    return seg->seq + seg_space(seg->flags, seg->len);
}

static bool is_syn(const struct rst_last_seg *seg)
{
    return (seg->flags & (RST_TH_SYN | RST_TH_ACK)) == RST_TH_SYN;
}

static bool is_syn_ack(const struct rst_last_seg *seg)
{
    return (seg->flags & (RST_TH_SYN | RST_TH_ACK)) == (RST_TH_SYN | RST_TH_ACK);
}

/* <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>: a reply to a segment without ACK. */
static bool acks_segment(const struct rst_segment *rst, const struct rst_last_seg *seg)
{
    return (rst->flags & RST_TH_ACK) && rst->ack == seg_end(seg);
}

/* <SEQ=SEG.ACK><CTL=RST>: the reply to an ACK-bearing segment the sender
 * does not accept.  Linux and the BSDs leave the ACK flag off. */
static bool bare_reply_to(const struct rst_segment *rst, const struct rst_last_seg *seg)
{
    return !(rst->flags & RST_TH_ACK) && (seg->flags & RST_TH_ACK) && rst->seq == seg->ack;
}

/* A RST at the sender's own next sequence number: not a reply but the end
 * of a connection the sender had.  RFC 9293 3.10.4 ABORT sends
 * <SEQ=SND.NXT><CTL=RST>; Linux (tcp_send_active_reset) adds the ACK. */
static bool is_active(const struct rst_side *x, const struct rst_side *y,
                      const struct rst_segment *rst)
{
    if (x->snd_known)
        return seq_leq(x->last.seq, rst->seq) && seq_leq(rst->seq, x->snd_max);
    /* The sender said nothing yet: its SND.NXT is what the peer acknowledged. */
    return (rst->flags & RST_TH_ACK) && y->ack_known && rst->seq == y->max_ack;
}

static void answer(struct rst_record *rec, const struct rst_last_seg *seg, enum rst_cause cause)
{
    rec->answers_frame = seg->frame;
    rec->answered_flags = seg->flags;
    rec->answered_len = seg->len;
    rec->wire_cause = (uint8_t)cause;
}

/* No connection accepts the segment; a RST the sender had accepted for
 * it earlier is why. */
static void answer_no_connection(const struct rst_side *y, const struct rst_last_seg *seg,
                                 struct rst_record *rec)
{
    answer(rec, seg, RST_CAUSE_NO_CONNECTION);
    if (y->rst_frame) {
        rec->wire_case = RST_WIRE_PEER_RESET;
        rec->cites.reset_frame = y->rst_frame;
    }
}

/* The sender's connection attempt is pending: it sent a SYN, the peer has
 * not sent its SYN-ACK before. */
static bool in_syn_sent(const struct rst_conn *c, unsigned from)
{
    return c->client == (int)from && !c->side[!from].syn_frame;
}

/* A reply to the SYN-ACK (or, in SYN-SENT, to any ACK-bearing segment): the
 * host no longer has that connection attempt (it was reset, or it never sent
 * the SYN), or the segment acknowledges something other than its SYN
 * (RFC 9293 3.10.7.3: SYN-SENT, unacceptable ACK -> <SEQ=SEG.ACK><CTL=RST>). */
static void answer_handshake(const struct rst_side *x, const struct rst_side *y,
                             const struct rst_last_seg *seg, struct rst_record *rec)
{
    if (x->syn_frame && seg->ack != x->isn + 1) {
        answer(rec, seg, RST_CAUSE_INVALID_SEGMENT);
        rec->wire_case = RST_WIRE_ACK_NOT_SYN;
        return;
    }
    /* A pending attempt drops a non-SYN segment with an acceptable ACK, or
     * resets it when another check fails (Linux: the timestamp echo,
     * TCP_RFC7323_PAWS); only a SYN-ACK it cannot take says it is gone. */
    if (!is_syn_ack(seg)) {
        answer(rec, seg, RST_CAUSE_INVALID_SEGMENT);
        rec->wire_case = RST_WIRE_NOT_SYN_ACK;
        return;
    }
    answer_no_connection(y, seg, rec);
}

/* A bare RST answering an ACK-bearing segment: the sender had no connection
 * that accepts it. */
static void answer_rejected(const struct rst_conn *c, unsigned from, const struct rst_last_seg *seg,
                            struct rst_record *rec)
{
    const struct rst_side *x = &c->side[from], *y = &c->side[!from];

    /* The segment acknowledges data the sender never sent: a little, or
     * so much that nothing the sender sent is near it. */
    if (x->snd_known && seq_gt(seg->ack, x->snd_max)) {
        answer(rec, seg, RST_CAUSE_INVALID_SEGMENT);
        uint32_t unsent = seg->ack - x->snd_max;
        rec->wire_case =
            unsent < ACK_ELSEWHERE_BYTES ? RST_WIRE_ACK_UNSENT : RST_WIRE_ACK_ELSEWHERE;
        rec->cites.unsent_bytes = unsent;
        return;
    }
    /* SYN-RECEIVED (the server sent its SYN-ACK, the handshake is not
     * complete): an ACK outside (ISS, SND.NXT] is unacceptable and draws
     * <SEQ=SEG.ACK><CTL=RST>, and the connection stays (RFC 9293 3.10.7.4). */
    if (c->client == (int)!from && x->syn_frame && !y->acked_peer_syn
        && !(seq_gt(seg->ack, x->isn) && seq_leq(seg->ack, x->snd_max))) {
        answer(rec, seg, RST_CAUSE_INVALID_SEGMENT);
        rec->wire_case = RST_WIRE_SYN_RECEIVED;
        return;
    }
    /* The server sent its SYN-ACK and nothing since; the RST answers the
     * client's very next segment, a plain ACK or data, and nobody reset the
     * connection before: the handshake completed at the client but the server
     * dropped it (Linux: accept queue full, tcp_abort_on_overflow). */
    if (c->client == (int)!from && x->syn_frame && x->last.frame == x->syn_frame
        && seg->frame == c->first_after_synack && c->rst_count == 0
        && !(seg->flags & (RST_TH_SYN | RST_TH_FIN))) {
        answer(rec, seg, RST_CAUSE_ACCEPT_QUEUE_OVERFLOW);
        rec->cites.synack_frame = x->syn_frame;
        return;
    }
    /* After a RST of its own the sender's verdict names that RST
     * (rst_verdict.c after_own_reset): only then is it known not forged. */
    answer_no_connection(y, seg, rec);
}

/* An active RST: which timer, if any, ended the connection. */
static void classify_active(const struct rst_conn *c, unsigned from, const struct rst_segment *rst,
                            const struct rst_params *params, struct rst_record *rec)
{
    const struct rst_side *x = &c->side[from], *y = &c->side[!from];

    if (params->keepalive_probes && x->keepalives >= params->keepalive_probes) {
        /* Linux tcp_keepalive_timer: tcp_keepalive_probes unanswered -> RST. */
        rec->wire_cause = RST_CAUSE_KEEPALIVE_TIMEOUT;
        rec->cites.unanswered.count = x->keepalives;
        rec->cites.unanswered.last_frame = x->last.frame;
        return;
    }
    if (params->retransmissions && x->retransmissions >= params->retransmissions) {
        rec->wire_cause = RST_CAUSE_RETRANSMISSION_TIMEOUT;
        rec->cites.unanswered.count = x->retransmissions;
        rec->cites.unanswered.last_frame = x->last.frame;
        return;
    }
    if (c->last_frame && params->idle_seconds
        && rst->time_us - c->last_time_us >= (int64_t)params->idle_seconds * 1000000) {
        rec->wire_cause = RST_CAUSE_IDLE_TIMEOUT;
        rec->cites.silence.seconds = (uint32_t)((rst->time_us - c->last_time_us) / 1000000);
        rec->cites.silence.last_frame = c->last_frame;
        return;
    }
    rec->wire_cause = RST_CAUSE_ABORT;
    /* close() with unread data (Linux TCP_ABORT_ON_CLOSE): the RST acknowledges
     * data the sender had never acknowledged.  A FIN takes a sequence number
     * but carries no data (RFC 9293 3.4): a RST/ACK that newly acknowledges
     * only the peer's FIN left nothing unread. */
    uint32_t data_acked = rst->ack;
    if (y->fin_frame && y->snd_known && rst->ack == y->snd_max)
        data_acked--;
    if (x->ack_known && y->snd_known && seq_gt(data_acked, x->max_ack))
        rec->wire_case = RST_WIRE_UNREAD_DATA;
}

/* The segment of y a reply would answer: normally y's latest; a bare RST
 * whose seq is the ACK of one of y's earlier runs answers that run, late (a
 * host without the connection replies to every segment in flight, in turn,
 * while y's ACK has moved on).  An earlier run is unpacked into *scratch. */
static const struct rst_last_seg *reply_candidate(const struct rst_core *core,
                                                  const struct rst_side *y,
                                                  const struct rst_segment *rst,
                                                  struct rst_last_seg *scratch, int64_t *run_time)
{
    *run_time = y->run_time;
    if (!y->last.frame)
        return NULL;
    if (bare_reply_to(rst, &y->last))
        return &y->last;
    const struct rst_runs *runs = rst_store_runs(core, y->runs);
    for (unsigned i = 0; runs && i < RST_RUNS && runs->run[i].frame; i++) {
        const struct rst_run *run = &runs->run[i];
        *scratch = (struct rst_last_seg){ .frame = run->frame,
                                          .ack = run->ack,
                                          .len = run->len,
                                          .time_us = run->last_us,
                                          .flags = run->flags };
        if (bare_reply_to(rst, scratch)) {
            *run_time = run->last_us - run->span_us;
            return scratch;
        }
    }
    return &y->last;
}

/* A bare reply to an ACK-bearing segment while the sender's own handshake is
 * incomplete: RFC 9293 3.10.7.3 (SYN-SENT) and 3.10.7.4 (SYN-RECEIVED) send
 * it and keep the connection, so the sender's later packets are expected. */
static bool keeps_connection(const struct rst_conn *c, unsigned from, const struct rst_segment *rst,
                             const struct rst_last_seg *seg)
{
    const struct rst_side *x = &c->side[from], *y = &c->side[!from];
    if (!seg || !bare_reply_to(rst, seg) || !x->syn_frame)
        return false;
    bool syn_sent =
        c->client == (int)from && !(y->syn_frame && y->syn_frame < seg->frame) && !is_syn_ack(seg);
    bool syn_received = c->client == (int)!from && !y->acked_peer_syn;
    return syn_sent || syn_received;
}

/* Which of the two generation rules built this RST (the header comment). */
static enum rst_shape shape_of(const struct rst_side *x, const struct rst_side *y,
                               const struct rst_segment *rst, const struct rst_last_seg *seg)
{
    if (seg && bare_reply_to(rst, seg))
        return RST_SHAPE_REPLY;
    if (seg && rst->seq == 0 && !(seg->flags & RST_TH_ACK) && acks_segment(rst, seg))
        return RST_SHAPE_REPLY;
    if (is_active(x, y, rst))
        return RST_SHAPE_ACTIVE;
    return RST_SHAPE_OTHER;
}

/* The segment the RST reacts to, for the timing test: the one it replies to,
 * or the one whose receipt its ACK acknowledges.  An active RST that
 * acknowledges nothing new may have been sent before the last segment
 * arrived (the two cross on the wire), so it has none. */
static void note_trigger(const struct rst_last_seg *seg, int64_t run_time,
                         const struct rst_segment *rst, struct rst_record *rec)
{
    if (!seg)
        return;
    if (rec->shape == RST_SHAPE_REPLY) {
        rec->trigger_frame = seg->frame;
        rec->trigger_time_us = seg->time_us;
        rec->trigger_run_us = run_time;
    } else if ((rst->flags & RST_TH_ACK) && seg_space(seg->flags, seg->len) > 0
               && rst->ack == seg_end(seg)) {
        /* Only that segment's receipt explains this ACK. */
        rec->trigger_frame = seg->frame;
        rec->trigger_time_us = rec->trigger_run_us = seg->time_us;
    }
}

/* Would the receiver y accept it?  RFC 9293 3.10.7.3: in SYN-SENT only if it
 * acknowledges the SYN.  RFC 5961 3.2: otherwise only if seq = RCV.NXT; in
 * the window it draws a challenge ACK, outside it is dropped.  RCV.NXT is
 * what x sent, or what y acknowledged. */
static enum rst_accept acceptance(const struct rst_conn *c, unsigned from,
                                  const struct rst_segment *rst)
{
    const struct rst_side *x = &c->side[from], *y = &c->side[!from];
    if (c->client == (int)!from && y->syn_frame && !x->syn_frame) {
        if (!(rst->flags & RST_TH_ACK) || rst->ack != y->isn + 1)
            return RST_ACCEPT_SYN_SENT_NO;
        /* Linux (tcp_rcv_synsent_state_process) also drops one whose
         * timestamp echo is not a timestamp it sent since its SYN. */
        if (rst->has_timestamps && rst->tsecr && y->ts_seen
            && (seq_lt(rst->tsecr, y->ts_first) || seq_gt(rst->tsecr, y->ts_last)))
            return RST_ACCEPT_SYN_SENT_TSECR;
        return RST_ACCEPT_ACKS_SYN;
    }
    if (!x->snd_known && !y->ack_known)
        return RST_ACCEPT_UNKNOWN;
    if ((x->snd_known && rst->seq == x->snd_max) || (y->ack_known && rst->seq == y->max_ack))
        return RST_ACCEPT_RCV_NXT;
    if (!y->last.frame || !(y->last.flags & RST_TH_ACK))
        return RST_ACCEPT_NOT_RCV_NXT;
    /* RFC 7323 2.2: windows are scaled when both SYNs offered it, except in SYNs. */
    unsigned shift =
        (x->wscale_offered && y->wscale_offered && !(y->last.flags & RST_TH_SYN)) ? y->wscale : 0;
    uint32_t rcv_nxt = y->ack_known ? y->max_ack : x->snd_max;
    uint32_t window = (uint32_t)y->last.window << shift;
    return seq_gt(rst->seq, rcv_nxt) && seq_lt(rst->seq, rcv_nxt + window)
        ? RST_ACCEPT_IN_WINDOW
        : RST_ACCEPT_OUT_OF_WINDOW;
}

void rst_classify(const struct rst_core *core, const struct rst_conn *c, unsigned from,
                  const struct rst_segment *rst, const struct rst_params *params,
                  struct rst_record *rec)
{
    const struct rst_side *x = &c->side[from], *y = &c->side[!from];
    int64_t run_time;
    struct rst_last_seg earlier;
    const struct rst_last_seg *trigger = reply_candidate(core, y, rst, &earlier, &run_time);

    rec->wire_cause = RST_CAUSE_UNKNOWN;
    rec->mid_connection = !c->side[0].syn_frame && !c->side[1].syn_frame;
    rec->shape = (uint8_t)shape_of(x, y, rst, trigger);
    rec->accept = (uint8_t)acceptance(c, from, rst);
    rec->keeps_connection = keeps_connection(c, from, rst, trigger);
    note_trigger(trigger, run_time, rst, rec);

    if (trigger && is_syn(trigger) && acks_segment(rst, trigger)) {
        answer(rec, trigger, RST_CAUSE_REFUSED);
        return;
    }
    if (trigger && (is_syn_ack(trigger) || in_syn_sent(c, from)) && bare_reply_to(rst, trigger)) {
        answer_handshake(x, y, trigger, rec);
        return;
    }
    /* RFC 1122 4.2.2.13: a host that has closed (sent its FIN, or closed its
     * read side) and then receives data must reset. */
    if (trigger && x->fin_frame && trigger->frame > x->fin_frame && trigger->len > 0
        && (bare_reply_to(rst, trigger) || acks_segment(rst, trigger))) {
        answer(rec, trigger, RST_CAUSE_DATA_AFTER_CLOSE);
        rec->cites.fin_frame = x->fin_frame;
        return;
    }
    if (trigger && bare_reply_to(rst, trigger)) {
        answer_rejected(c, from, trigger, rec);
        return;
    }
    /* RST/ACK with seq 0 answering a non-SYN segment without ACK (a bare FIN,
     * a NULL probe): the sender has no connection for it. */
    if (trigger && !(trigger->flags & RST_TH_ACK) && acks_segment(rst, trigger)) {
        answer(rec, trigger, RST_CAUSE_NO_CONNECTION);
        return;
    }
    if (!rec->seq_zero_forbidden && is_active(x, y, rst)) {
        classify_active(c, from, rst, params, rec);
        return;
    }
    rec->wire_case = trigger ? RST_WIRE_NO_MATCH : RST_WIRE_NO_PEER_SEGMENT;
}
