/* rst_explain.c: the verdict in one or two plain sentences.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst_explain.h"
#include "rst_text.h"

static const char *segment_name(uint8_t flags, uint32_t len)
{
    if ((flags & (RST_TH_SYN | RST_TH_ACK)) == RST_TH_SYN)
        return "SYN";
    if (flags & RST_TH_SYN)
        return "SYN-ACK";
    if (len > 0)
        return "data segment";
    if (flags & RST_TH_FIN)
        return "FIN";
    return (flags & RST_TH_ACK) ? "ACK" : "segment";
}

/* " It had reset this connection itself in frame N; ..." */
static void put_own_reset(struct text *t, const struct rst_record *r)
{
    rst_put(t,
            " It had reset this connection itself in frame %u and has none since (RFC 9293 "
            "3.10.7.1): these are the peer's late packets.",
            r->cites.reset_frame);
}

static void explain_no_connection(struct text *t, const struct rst_conn *c,
                                  const struct rst_record *r)
{
    const char *what = segment_name(r->answered_flags, r->answered_len);
    if (!r->answers_frame) {
        /* After its own RST (rst_verdict.c after_own_reset), no reply to a
         * segment of the capture. */
        rst_put(t, "Sent after ");
        rst_put_endpoint(t, c, r->from);
        rst_put(t,
                " had reset this connection itself in frame %u: a host without the "
                "connection sends RSTs only in reply to segments (RFC 9293 3.10.7.1), ",
                r->cites.reset_frame);
        rst_put(t,
                r->shape == RST_SHAPE_ACTIVE && (r->flags & RST_TH_ACK)
                    ? "and has nothing to abort."
                    : "here to one the capture does not show.");
        return;
    }
    if ((r->answered_flags & (RST_TH_SYN | RST_TH_ACK)) == (RST_TH_SYN | RST_TH_ACK)) {
        rst_put(t, "Answers the SYN-ACK in frame %u: ", r->answers_frame);
        rst_put_endpoint(t, c, r->from);
        rst_put(t, " has no such connection attempt");
        if (r->wire_case == RST_WIRE_PEER_RESET)
            rst_put(t, " any more: it accepted the RST in frame %u", r->cites.reset_frame);
        else if (r->wire_case == RST_WIRE_OWN_RESET)
            rst_put(t, " any more: it had reset it itself in frame %u", r->cites.reset_frame);
        rst_put(t, " (bare RST, seq = the SYN-ACK's ACK).");
        return;
    }
    rst_put(t, "Answers the %s in frame %u: ", what, r->answers_frame);
    rst_put_endpoint(t, c, r->from);
    if (!(r->answered_flags & RST_TH_ACK) || (r->flags & RST_TH_ACK)) {
        rst_put(t, " has no connection for this segment (RST/ACK acknowledging it).");
        if (r->wire_case == RST_WIRE_OWN_RESET)
            put_own_reset(t, r);
        return;
    }
    rst_put(t, " has no connection that accepts it (bare RST, seq = that segment's ACK).");
    if (r->wire_case == RST_WIRE_OWN_RESET)
        put_own_reset(t, r);
    else if (r->wire_case == RST_WIRE_PEER_RESET)
        rst_put(t, " The connection was reset in frame %u; these are late packets.",
                r->cites.reset_frame);
    else
        rst_put(t,
                " The host lost the connection: restart, NAT or address change, or a half-open "
                "connection.");
}

/* A segment the sender does not accept: which rule of RFC 9293 it breaks. */
static void explain_invalid_segment(struct text *t, const struct rst_conn *c,
                                    const struct rst_record *r)
{
    const char *what = segment_name(r->answered_flags, r->answered_len);
    if (r->wire_case == RST_WIRE_SYN_RECEIVED) {
        rst_put(t,
                "Answers the %s in frame %u, whose ACK does not acknowledge the SYN-ACK: "
                "unacceptable in SYN-RECEIVED, which resets and keeps the connection "
                "(RFC 9293 3.10.7.4).",
                what, r->answers_frame);
    } else if (r->wire_case == RST_WIRE_NOT_SYN_ACK) {
        rst_put(t,
                "Answers the %s in frame %u while its connection attempt is pending: "
                "not the SYN-ACK it waits for, so it rejects that segment and keeps "
                "waiting (RFC 9293 3.10.7.3; Linux also for a failed timestamp check).",
                what, r->answers_frame);
    } else if (r->wire_case == RST_WIRE_ACK_NOT_SYN) {
        rst_put(t,
                "Answers the %s in frame %u, which does not acknowledge the SYN: "
                "unacceptable in SYN-SENT (RFC 9293 3.10.7.3).",
                what, r->answers_frame);
    } else if (r->wire_case == RST_WIRE_ACK_UNSENT) {
        rst_put(t, "Answers the %s in frame %u, which acknowledges %u bytes ", what,
                r->answers_frame, r->cites.unsent_bytes);
        rst_put_endpoint(t, c, r->from);
        rst_put(t, " never sent: an unacceptable ACK (RFC 9293 3.10.7.4).");
    } else {
        rst_put(t, "Answers the %s in frame %u, whose ACK matches nothing ", what,
                r->answers_frame);
        rst_put_endpoint(t, c, r->from);
        rst_put(t,
                " sent (sequence numbers rewritten on the path?): an unacceptable ACK "
                "(RFC 9293 3.10.7.4).");
    }
}

/* The wire cause in words. */
static void explain_wire_cause(struct text *t, const struct rst_conn *c, const struct rst_record *r)
{
    switch ((enum rst_cause)r->wire_cause) {
    case RST_CAUSE_REFUSED:
        rst_put(t, "Answers the SYN in frame %u: nothing accepts connections on ",
                r->answers_frame);
        rst_put_host_port(t, c, r->from);
        rst_put(t,
                " (no listener, or the host's firewall rejects; RST/ACK, seq %u, ack = SYN + 1).",
                r->seq);
        break;
    case RST_CAUSE_NO_CONNECTION:
        explain_no_connection(t, c, r);
        break;
    case RST_CAUSE_ACCEPT_QUEUE_OVERFLOW:
        rst_put(t,
                "Answers the client's first segment after the handshake (frame %u): the server "
                "sent its SYN-ACK (frame %u), then dropped the connection, as Linux does when the "
                "accept queue is full and tcp_abort_on_overflow is set.",
                r->answers_frame, r->cites.synack_frame);
        break;
    case RST_CAUSE_ABORT:
        rst_put_endpoint_as(t, c, r->from, true);
        rst_put(t,
                " aborted the live connection: RST/ACK at its own next sequence number, not a "
                "reply to a segment (SO_LINGER 0, close() with unread data, or process exit).");
        if (r->wire_case == RST_WIRE_UNREAD_DATA)
            rst_put(t,
                    " It acknowledges data it had not acknowledged before: close() with unread "
                    "data.");
        break;
    case RST_CAUSE_DATA_AFTER_CLOSE:
        rst_put(t, "Answers the data in frame %u, which arrived after ", r->answers_frame);
        rst_put_endpoint(t, c, r->from);
        rst_put(t,
                " had closed its side (FIN in frame %u): a closed socket resets new data "
                "(RFC 1122 4.2.2.13).",
                r->cites.fin_frame);
        break;
    case RST_CAUSE_INVALID_SEGMENT:
        explain_invalid_segment(t, c, r);
        break;
    case RST_CAUSE_KEEPALIVE_TIMEOUT:
        rst_put(t, "Ends %u unanswered keepalive probes from ", r->cites.unanswered.count);
        rst_put_endpoint(t, c, r->from);
        rst_put(t, " (the last in frame %u): the peer stopped answering.",
                r->cites.unanswered.last_frame);
        break;
    case RST_CAUSE_RETRANSMISSION_TIMEOUT:
        rst_put(t,
                "Ends %u retransmissions of the same data (the last in frame %u) that the peer "
                "never acknowledged.",
                r->cites.unanswered.count, r->cites.unanswered.last_frame);
        break;
    case RST_CAUSE_IDLE_TIMEOUT:
        rst_put(t,
                "Sent after %u s of silence in this connection (last segment in frame %u): an "
                "idle timeout.",
                r->cites.silence.seconds, r->cites.silence.last_frame);
        break;
    default:
        rst_put(t, "Not enough context: %s",
                r->wire_case == RST_WIRE_NO_PEER_SEGMENT
                    ? "nothing from the peer precedes this RST in the capture."
                    : r->seq_zero_forbidden
                    ? "seq 0 fits no reply the sender could make here."
                    : "its seq and ack match no segment of this connection seen so far.");
        break;
    }
    if (r->mid_connection && r->wire_cause != RST_CAUSE_UNKNOWN)
        rst_put(t, " (The capture starts mid-connection: no handshake seen.)");
    else if (r->mid_connection)
        rst_put(t, " The capture starts mid-connection.");
}

/* The face value: the wire cause, with what the RST states about itself: a registered
 * reason code speaks first and wins; text is quoted after. */
static void explain_face_value(struct text *t, const struct rst_conn *c, const struct rst_record *r,
                               const struct rst_verdict *v)
{
    enum rst_cause stated = v->stated_cause;
    if (stated == RST_CAUSE_UNKNOWN) {
        explain_wire_cause(t, c, r);
        if (v->diag.format > RST_DIAG_DATA || v->diag.uncaptured || v->window_code_unread)
            rst_put(t, " ");
        rst_explain_statement(t, c, r, v);
        return;
    }
    rst_explain_statement(t, c, r, v);
    if (stated != v->wire_cause)
        rst_put(t, " From the connection alone it would be %s:", rst_cause_name(v->wire_cause));
    rst_put(t, " ");
    explain_wire_cause(t, c, r);
}

static void put_mac(struct text *t, const uint8_t *m)
{
    rst_put(t, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

/* "(frame 3)" or "(frame 3, another connection)" */
static void put_ref(struct text *t, const struct rst_evidence *e)
{
    if (e->ref_frame)
        rst_put(t, " (frame %u%s)", e->ref_frame,
                e->other_connection ? ", another connection" : "");
}

/* The claimed sender, named by address when the evidence comes from other
 * connections of that host. */
static void put_claimed(struct text *t, const struct rst_conn *c, const struct rst_record *r,
                        const struct rst_evidence *e)
{
    if (e->other_connection) {
        char addr[64];
        rst_format_address(c->key->ip_version, c->key->addr[r->from], addr, sizeof addr);
        rst_put(t, "%s", addr);
    } else {
        rst_put_endpoint(t, c, r->from);
    }
}

/* The signs that compare the RST with its claimed sender's own packets. */
static void put_sender_sign(struct text *t, const struct rst_conn *c, const struct rst_record *r,
                            const struct rst_evidence *e)
{
    switch (e->kind) {
    case RST_EV_TTL:
        rst_put(t, "%s %lld where ", c->key->ip_version == 6 ? "hop limit" : "TTL",
                (long long)e->observed);
        put_claimed(t, c, r, e);
        rst_put(t, "'s packets arrive with %lld", (long long)e->expected);
        break;
    case RST_EV_MAC:
        rst_put(t, "source MAC ");
        put_mac(t, e->observed_mac);
        rst_put(t, " where ");
        put_claimed(t, c, r, e);
        rst_put(t, "'s packets come from ");
        put_mac(t, e->expected_mac);
        break;
    case RST_EV_WINDOW:
        rst_put(t, "window %lld where ", (long long)e->observed);
        rst_put_endpoint(t, c, r->from);
        rst_put(t, " advertises up to %lld", (long long)e->expected);
        break;
    case RST_EV_TIMESTAMP:
        rst_put(t, "timestamp %lld off the clock of ", (long long)e->observed);
        rst_put_endpoint(t, c, r->from);
        rst_put(t, " (near %lld)", (long long)e->expected);
        break;
    case RST_EV_IP_ID:
        rst_put(t, "IP ID %lld where ", (long long)e->observed);
        rst_put_endpoint(t, c, r->from);
        if (e->ip_id_sign == RST_IP_ID_FIXED)
            rst_put(t, "'s packets count up");
        else
            rst_put(t, "'s counter is at %lld", (long long)e->expected);
        if (e->repeated)
            rst_put(t, ", repeated across a burst of RSTs");
        break;
    case RST_EV_TIMING:
        rst_put(t, "it came %.2f ms after the segment it reacts to, ", e->observed / 1000.0);
        put_claimed(t, c, r, e);
        rst_put(t, " answers in %.1f ms at best here", e->expected / 1000.0);
        break;
    default:
        break;
    }
}

/* The signs that need no more words than these. */
static const char *const plain_sign[RST_EV_COUNT] = {
    [RST_EV_BURST_SEQ] = "one of a burst of RSTs with rising seq",
    [RST_EV_BURST_WINDOW] = "consecutive windows across a burst of RSTs",
    [RST_EV_BURST_TTL] = "changing TTLs across a burst of RSTs",
    [RST_EV_NO_TIMESTAMPS] = "no timestamps although the connection negotiated them",
};

/* Every other sign: what the RST itself, its burst or its sender's later
 * packets show. */
static void put_evidence(struct text *t, const struct rst_conn *c, const struct rst_record *r,
                         const struct rst_evidence *e)
{
    switch (e->kind) {
    case RST_EV_SEQ_ZERO:
        if (r->seq_zero_after_synack)
            rst_put(t, "seq 0 although the sender had sent its SYN%s",
                    c->client == (int)r->from ? "" : "-ACK");
        else
            rst_put(t, "seq 0 in reply to a segment that carried an ACK");
        break;
    case RST_EV_RACE:
        rst_put_endpoint(t, c, r->from);
        rst_put(t, " went on sending after it");
        break;
    case RST_EV_WINDOW:
        if (e->window_sign == RST_WINDOW_ON_REPLY)
            rst_put(t, "window %lld on a reply RST, where stacks put 0", (long long)e->observed);
        else
            put_sender_sign(t, c, r, e);
        break;
    case RST_EV_ACK:
        rst_put(t, "an ACK number that matches nothing ");
        rst_put_endpoint(t, c, !r->from);
        rst_put(t, " sent");
        break;
    case RST_EV_IP_ID:
        if (e->ip_id_sign == RST_IP_ID_REPEATED)
            rst_put(t, "IP ID %lld repeated across a burst of RSTs", (long long)e->observed);
        else
            put_sender_sign(t, c, r, e);
        break;
    case RST_EV_CONTRADICTION:
        rst_put(t, "an abort of the live connection, yet ");
        rst_put_endpoint(t, c, r->from);
        rst_put(t, " had reset it itself (frame %u) and sends RSTs only in reply since",
                e->ref_frame);
        return;
    case RST_EV_TTL:
    case RST_EV_MAC:
    case RST_EV_TIMESTAMP:
    case RST_EV_TIMING:
        put_sender_sign(t, c, r, e);
        break;
    default:
        if (!plain_sign[e->kind])
            return;
        rst_put(t, "%s", plain_sign[e->kind]);
        break;
    }
    put_ref(t, e);
}

/* Strongest evidence first. */
static void put_evidence_list(struct text *t, const struct rst_conn *c, const struct rst_record *r,
                              const struct rst_verdict *v)
{
    bool said[RST_EV_COUNT] = { false };
    for (unsigned n = 0; n < v->n_evidence; n++) {
        unsigned best = v->n_evidence;
        for (unsigned i = 0; i < v->n_evidence; i++)
            if (!said[i]
                && (best == v->n_evidence || v->evidence[i].weight > v->evidence[best].weight))
                best = i;
        said[best] = true;
        rst_put(t, n ? "; " : "");
        put_evidence(t, c, r, &v->evidence[best]);
    }
}

static void put_acceptance(struct text *t, const struct rst_conn *c, const struct rst_record *r,
                           const struct rst_verdict *v)
{
    if (v->acceptable < 0)
        return;
    rst_put(t, " ");
    rst_put_endpoint_as(t, c, !r->from, true);
    rst_put(t, v->acceptable ? " would accept it: %s." : " would not accept it: %s.",
            v->accept_reason);
}

/* RSTs in one name from two distances, and nothing else from that host. */
static void put_distances(struct text *t, const struct rst_conn *c, const struct rst_record *r,
                          const struct rst_verdict *v)
{
    if (!v->distance_frame[0])
        return;
    const char *what = c->key->ip_version == 6 ? "hop limit" : "TTL";
    rst_put(t, " RSTs in the name of ");
    rst_put_endpoint(t, c, r->from);
    rst_put(t,
            " arrive from two distances, %s %u (frame %u) and %s %u (frame %u): they are not "
            "all from one host, and nothing else of it in the capture tells which is its own.",
            what, v->distance_ttl[0], v->distance_frame[0], what, v->distance_ttl[1],
            v->distance_frame[1]);
}

static void put_peer_frame(struct text *t, const struct rst_verdict *v)
{
    if (v->vantage.peer_frame)
        rst_put(t, " The other capture point saw it too (frame %u).", v->vantage.peer_frame);
}

void rst_explain(const struct rst_conn *c, const struct rst_record *r, struct rst_verdict *v)
{
    struct text t = { v->explanation, sizeof v->explanation, 0 };
    v->explanation[0] = '\0';
    if (v->injected) {
        rst_put(&t, "Forged in the name of ");
        rst_put_endpoint(&t, c, r->from);
        rst_put(&t, " (suspicion %u): ", v->suspicion);
        if (v->vantage.unseen) {
            rst_put(&t, "the capture point nearer ");
            rst_put_endpoint(&t, c, r->from);
            rst_put(&t, " never saw it, though ");
            rst_put_endpoint(&t, c, r->from);
            rst_put(&t, "'s packets pass there (frame %u)%s", v->vantage.ref_frame,
                    v->n_evidence ? "; " : "");
        }
        put_evidence_list(&t, c, r, v);
        rst_put(&t, ".");
        put_acceptance(&t, c, r, v);
        rst_put(&t, " At face value it would be %s: ", rst_cause_name(v->face_value));
        explain_face_value(&t, c, r, v);
        put_distances(&t, c, r, v);
        put_peer_frame(&t, v);
        rst_explain_impact(&t, c, r, v);
        return;
    }
    explain_face_value(&t, c, r, v);
    if (v->n_evidence) {
        rst_put(&t, " Some signs of forgery (suspicion %u, below the threshold): ", v->suspicion);
        put_evidence_list(&t, c, r, v);
        rst_put(&t, ".");
    }
    if (v->acceptable == 0)
        put_acceptance(&t, c, r, v);
    put_distances(&t, c, r, v);
    put_peer_frame(&t, v);
    rst_explain_impact(&t, c, r, v);
}
