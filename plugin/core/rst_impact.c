/* rst_impact.c: what a RST cost.
 *
 * A RST ends a connection at once (RFC 9293 3.10.7.4): whatever either side
 * had sent that the other had not acknowledged is gone, and data the
 * sender's TCP had received but its application never read is thrown away
 * (RFC 1122 4.2.2.13; RFC 9293 3.6).  Most RSTs lose nothing: a finished
 * exchange closed with a RST instead of a FIN (browsers and Windows clients
 * abort after the last response; servers that set SO_LINGER to 0), or a
 * host answering late packets after a connection was already reset.  What
 * the capture shows decides which, in bytes and frames:
 *  - the receiver's bytes its sender never acknowledged (before the RST,
 *    or still arriving after it while the sender sends nothing but RSTs);
 *  - bytes the RST acknowledges for the first time: the sender's TCP had
 *    them, its application closed without reading them (Linux sends the
 *    RST with the ACK it would have sent, tcp_close);
 *  - the sender's own bytes its peer never acknowledged (and, after a
 *    forged RST, those the real sender goes on sending);
 *  - the connection's last data, a request (the client's), that got no
 *    answer: a server that received a request and aborted without a word
 *    most likely never read it, whatever its kernel acknowledged.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst_impact.h"

#include <string.h>

/* More than this between two sequence numbers is no loss but a rewrite on
 * the path or a capture that joined two connections. */
#define MAX_LOSS (1u << 30)

static uint32_t add_saturating(uint32_t a, uint32_t b)
{
    return a > UINT32_MAX - b ? UINT32_MAX : a + b;
}

/* Data bytes of side x between sequence numbers from and to: its SYN and
 * FIN take sequence space but carry none. */
static uint32_t data_bytes(const struct rst_side *x, uint32_t from, uint32_t to)
{
    if (!seq_gt(to, from))
        return 0;
    uint32_t n = to - from;
    if (x->fin_frame && to == x->snd_max)
        n--;
    if (x->syn_frame && from == x->isn && n)
        n--;
    return n < MAX_LOSS ? n : 0;
}

/* The bytes of s its sender had not sent before (retransmissions and
 * keepalive probes have none). */
static uint32_t fresh_bytes(const struct rst_side *x, const struct rst_segment *s)
{
    uint32_t start = s->seq + ((s->flags & RST_TH_SYN) ? 1 : 0);
    uint32_t end = start + s->payload_len;
    if (!s->payload_len || !x->snd_known || !seq_lt(start, x->snd_max))
        return s->payload_len;
    return seq_gt(end, x->snd_max) ? end - x->snd_max : 0;
}

/* An earlier RST its receiver would take (RFC 5961 3.2) ended the
 * connection; one it would not take left it open. */
static bool took_effect(const struct rst_record *r)
{
    return r->accept == RST_ACCEPT_UNKNOWN || r->accept == RST_ACCEPT_ACKS_SYN
        || r->accept == RST_ACCEPT_RCV_NXT;
}

/* RSTs walked back: a censor's burst is three or four. */
#define ENDING_WALK 6

/* The first of the RSTs in one sender's name that ended the connection,
 * walking back from the ending RST `id`: it counts everything the
 * connection lost, the later ones nothing more.  NULL if none took effect. */
static struct rst_record *first_ending(const struct rst_core *core, uint32_t id)
{
    struct rst_record *r = rst_store_record(core, id);
    /* The first of the chain, in one step (a long run of late replies). */
    struct rst_record *first = r ? rst_store_record(core, r->first_reset) : NULL;
    if (first && took_effect(first))
        return first;
    struct rst_record *found = NULL;
    for (unsigned walked = 0; r && walked < ENDING_WALK; walked++) {
        if (took_effect(r))
            found = r;
        r = rst_store_record(core, r->own_reset);
    }
    return found;
}

/* The RST in side `rst_side`'s name that ended connection `index`, if side
 * `quiet` has sent nothing but RSTs since it: bytes sent after it then are
 * lost with the connection.  NULL if none. */
static struct rst_record *rst_before(struct rst_core *core, uint32_t index,
                                     const struct rst_side *rst_side, const struct rst_side *quiet)
{
    struct rst_record *r = first_ending(core, rst_side->reset_rst);
    if (!r || r->conn != index || quiet->last.frame > r->frame)
        return NULL;
    return r;
}

/* The record's loss entry, made on first need. */
static struct rst_loss *loss_of(struct rst_core *core, struct rst_record *r)
{
    if (!r->loss) {
        struct rst_loss none = { 0 };
        r->loss = rst_store_loss(core, &none);
    }
    return rst_store_loss_at(core, r->loss);
}

/* Fresh bytes of side `from` after a RST: the peer's RST (its receiver
 * still sending: in flight when the RST left) or its own RST (a forger's
 * in its name: the real sender still sending). */
static void note_after_rst(struct rst_core *core, struct rst_conn *c, uint32_t index, unsigned from,
                           const struct rst_segment *s, uint32_t fresh)
{
    const struct rst_side *x = &c->side[from];
    const struct rst_side *y = &c->side[!from];
    uint32_t start = x->snd_known && seq_gt(x->snd_max, s->seq) ? x->snd_max : s->seq;
    struct rst_record *r = rst_before(core, index, y, y);
    struct rst_loss *l;
    if (r && (l = loss_of(core, r)) != NULL) {
        if (!l->receiver_unacked)
            l->receiver_seq = start;
        l->receiver_unacked = add_saturating(l->receiver_unacked, fresh);
        l->receiver_frame = s->frame;
    }
    r = rst_before(core, index, x, y);
    if (r && (l = loss_of(core, r)) != NULL) {
        if (!l->sender_unacked)
            l->sender_seq = start;
        l->sender_unacked = add_saturating(l->sender_unacked, fresh);
        l->sender_frame = s->frame;
    }
}

/* Bytes of side x from *from on that an ACK after the RST acknowledges:
 * they arrived after all (an ACK that crossed the RST on the wire, or the
 * real sender's after a forged RST), so they come off the count. */
static void take_off_acked(const struct rst_side *x, uint32_t ack, uint32_t *count, uint32_t *from)
{
    if (!*count || !seq_gt(ack, *from) || !seq_leq(ack, x->snd_max))
        return;
    uint32_t arrived = data_bytes(x, *from, ack);
    *count -= arrived < *count ? arrived : *count;
    *from = ack;
}

void rst_impact_note_ack(struct rst_core *core, struct rst_conn *c, uint32_t index, unsigned from,
                         const struct rst_segment *s)
{
    const struct rst_side *x = &c->side[from];
    struct rst_side *y = &c->side[!from];
    if (!(s->flags & RST_TH_ACK) || !y->snd_known)
        return;
    if (y->gap && !seq_lt(s->ack, y->gap_end))
        y->gap = false; /* the hole arrived: only the capture missed it */
    if (!c->rst_count)
        return;
    /* The peer's RST: its own bytes; a RST in this side's name: the peer's. */
    struct rst_record *r = first_ending(core, y->reset_rst);
    struct rst_loss *l;
    if (r && r->conn == index && (l = rst_store_loss_at(core, r->loss)) != NULL)
        take_off_acked(y, s->ack, &l->sender_unacked, &l->sender_seq);
    r = first_ending(core, x->reset_rst);
    if (r && r->conn == index && (l = rst_store_loss_at(core, r->loss)) != NULL) {
        /* Still acknowledging after a RST in its name: the RST was not its
         * TCP's, and what the RST acknowledged first its TCP has now. */
        if (l->first_acked && !seq_lt(s->ack, l->receiver_seq))
            l->first_acked = 0;
        take_off_acked(y, s->ack, &l->receiver_unacked, &l->receiver_seq);
    }
}

void rst_impact_note_data(struct rst_core *core, struct rst_conn *c, uint32_t index, unsigned from,
                          const struct rst_segment *s)
{
    struct rst_side *x = &c->side[from];
    if (x->snd_known && !(s->flags & RST_TH_SYN) && seq_gt(s->seq, x->snd_max)) {
        if (!x->gap || seq_gt(s->seq, x->gap_end))
            x->gap_end = s->seq;
        x->gap = true;
    }
    uint32_t fresh = fresh_bytes(x, s);
    if (!fresh)
        return;
    if (c->last_data != (int8_t)from) {
        /* The other side spoke last: this starts a request, or an answer. */
        x->run_bytes = 0;
        x->run_frame = s->frame;
        c->last_data = (int8_t)from;
    }
    x->run_bytes = add_saturating(x->run_bytes, fresh);
    x->data_frame = s->frame;
    note_after_rst(core, c, index, from, s, fresh);
}

/* The client's last request, if nothing answered it before the RST. */
static void note_unanswered(const struct rst_conn *c, struct rst_loss *l)
{
    if (c->client < 0 || c->last_data != c->client)
        return;
    const struct rst_side *asker = &c->side[c->client];
    l->unanswered = asker->run_bytes;
    l->unanswered_frame = asker->run_bytes ? asker->run_frame : 0;
    l->unanswered_seq = asker->snd_max - asker->run_bytes - (asker->fin_frame ? 1 : 0);
    l->unanswered_from = RST_ROLE_CLIENT;
}

/* A host without the connection answers a data segment (no-connection):
 * whatever else the capture shows, that segment's bytes were refused. */
static void note_refused_data(const struct rst_side *x, const struct rst_record *rec,
                              struct rst_loss *l)
{
    if (x->ack_known || rec->wire_cause != RST_CAUSE_NO_CONNECTION || !rec->answered_len)
        return;
    l->receiver_unacked = rec->answered_len;
    l->receiver_frame = rec->answers_frame;
}

void rst_impact_note_rst(struct rst_core *core, const struct rst_conn *c, unsigned from,
                         const struct rst_segment *rst, struct rst_record *rec)
{
    const struct rst_side *x = &c->side[from];
    const struct rst_side *y = &c->side[!from];
    struct rst_loss l = { 0 };
    rec->before_established = c->client >= 0 && !c->side[c->client].acked_peer_syn;
    rec->sequence_gap = x->gap || y->gap;
    if (x->ack_known && y->snd_known) {
        uint32_t upto = x->max_ack;
        if ((rst->flags & RST_TH_ACK) && seq_gt(rst->ack, upto) && seq_leq(rst->ack, y->snd_max)) {
            l.first_acked = data_bytes(y, upto, rst->ack);
            upto = rst->ack;
        }
        l.receiver_unacked = data_bytes(y, upto, y->snd_max);
        l.receiver_seq = upto;
        l.receiver_frame = l.receiver_unacked || l.first_acked ? y->data_frame : 0;
    }
    if (x->snd_known && y->ack_known) {
        l.sender_unacked = data_bytes(x, y->max_ack, x->snd_max);
        l.sender_seq = y->max_ack;
        l.sender_frame = l.sender_unacked ? x->data_frame : 0;
    }
    note_refused_data(x, rec, &l);
    note_unanswered(c, &l);
    if (l.receiver_unacked || l.first_acked || l.sender_unacked || l.unanswered)
        rec->loss = rst_store_loss(core, &l);
}

/* The request's bytes before `counted`, where the counted bytes of its
 * sender begin: those not already among them. */
static uint32_t request_before(const struct rst_loss *l, uint32_t counted)
{
    if (!l->unanswered || !seq_lt(l->unanswered_seq, counted))
        return 0;
    uint32_t n = counted - l->unanswered_seq;
    return n < l->unanswered ? n : l->unanswered;
}

/* All bytes thrown away or left unanswered, each once: an unanswered
 * request may also be its sender's unacknowledged or first-acknowledged
 * data, or have been acknowledged and never answered. */
static uint32_t total_bytes(const struct rst_loss *l, bool asker_is_receiver)
{
    uint32_t receiver = add_saturating(l->receiver_unacked, l->first_acked);
    uint32_t sender = l->sender_unacked;
    if (asker_is_receiver)
        receiver = add_saturating(receiver, request_before(l, l->receiver_seq - l->first_acked));
    else
        sender = add_saturating(sender, request_before(l, l->sender_seq));
    return add_saturating(receiver, sender);
}

/* The RST that had already ended the connection and counts its loss: the
 * one this RST answers late packets after, the original of a copy, or an
 * earlier RST in the same name (a burst).  0: none. */
static uint32_t counted_before(const struct rst_core *core, const struct rst_record *rec,
                               uint32_t copy_of_frame, const struct rst_verdict *v)
{
    if (copy_of_frame)
        return copy_of_frame;
    if (v->after_frame)
        return v->after_frame;
    if (v->face_value == RST_CAUSE_REFUSED)
        return 0; /* a SYN meets the listener anew */
    const struct rst_record *r = first_ending(core, rec->own_reset);
    return r ? r->frame : 0;
}

void rst_impact_decide(const struct rst_core *core, const struct rst_record *rec,
                       uint32_t copy_of_frame, struct rst_verdict *v)
{
    const struct rst_conn *c = rst_core_conn(core, rec->conn);
    const struct rst_loss *l = rst_store_loss_at(core, rec->loss);
    v->impact_frame = counted_before(core, rec, copy_of_frame, v);
    if (v->impact_frame) {
        /* The connection was already gone: nothing more to lose. */
        v->impact = RST_IMPACT_NONE;
        return;
    }
    if (v->face_value == RST_CAUSE_REFUSED || v->face_value == RST_CAUSE_ACCEPT_QUEUE_OVERFLOW
        || rec->before_established) {
        v->impact = RST_IMPACT_CONNECTION_FAILED;
        return;
    }
    if (l) {
        v->loss = *l;
        v->loss.lower_bound = rec->sequence_gap || c->client < 0;
        if (v->injected) {
            /* A forger's ACK says nothing of the claimed sender's TCP: what
             * it acknowledges first, the real sender never acknowledged. */
            v->loss.receiver_unacked = add_saturating(l->receiver_unacked, l->first_acked);
            v->loss.first_acked = 0;
        }
        v->impact_bytes = total_bytes(&v->loss, c->client >= 0 && c->client != rec->from);
    }
    if (v->impact_bytes)
        v->impact = RST_IMPACT_DATA_LOST;
    else if (rec->sequence_gap || c->client < 0)
        v->impact = RST_IMPACT_UNKNOWN; /* a hole, or no handshake: who asked is unknown */
    else
        v->impact = RST_IMPACT_NONE;
}
