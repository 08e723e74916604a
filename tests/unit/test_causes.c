/* test_causes.c: the wire cause of each kind of RST, built segment by segment
 * the way a real stack sends it (RFC 9293, the Linux behaviour in
 * docs/causes.md).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "fixture.h"

TEST(test_refused_syn_to_closed_port)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    struct rst_verdict v = verdict(&n, send_reply_rst(&n, SERVER, ACK, 0, C_ISN + 1));
    CHECK(v.final_cause == RST_CAUSE_REFUSED);
    CHECK(v.sender == RST_ROLE_SERVER);
    CHECK(v.answers_frame == 1);
    /* seq 0 answering a SYN is the rule, not evidence (RFC 9293 3.10.7.1). */
    CHECK(v.n_evidence == 0);
    CHECK(v.suspicion == 0);
    CHECK(v.acceptable == 1);
    CHECK_CONTAINS(v.explanation, "Answers the SYN in frame 1");
    CHECK_CONTAINS(v.explanation, "203.0.113.2:8080");
    net_free(&n);
}

TEST(test_refused_ipv6)
{
    struct net n;
    net_init(&n, 6);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    struct rst_verdict v = verdict(&n, send_reply_rst(&n, SERVER, ACK, 0, C_ISN + 1));
    CHECK(v.final_cause == RST_CAUSE_REFUSED);
    CHECK(v.n_evidence == 0);
    CHECK_CONTAINS(v.explanation, "[2001:db8:2::2]:8080");
    net_free(&n);
}

TEST(test_client_rst_after_forged_rst_is_no_connection)
{
    struct net n;
    forged_handshake_rst(&n, true);
    /* The client's kernel no longer has the attempt: bare RST, seq = SEG.ACK. */
    struct rst_verdict v = verdict(&n, send_reply_rst(&n, CLIENT, 0, C_ISN + 1, 0));
    CHECK(v.final_cause == RST_CAUSE_NO_CONNECTION);
    CHECK(v.sender == RST_ROLE_CLIENT);
    CHECK(v.answers_frame == 3);
    CHECK(v.after_frame == 2);
    CHECK(v.n_evidence == 0);
    CHECK(v.acceptable == 1);
    CHECK_CONTAINS(v.explanation, "accepted the RST in frame 2");
    net_free(&n);
}

TEST(test_syn_ack_with_wrong_ack_is_invalid)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    send_seg(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 77, 0);
    struct rst_verdict v = verdict(&n, send_reply_rst(&n, CLIENT, 0, C_ISN + 77, 0));
    CHECK(v.final_cause == RST_CAUSE_INVALID_SEGMENT);
    CHECK(v.n_evidence == 0);
    CHECK_CONTAINS(v.explanation, "does not acknowledge the SYN");
    net_free(&n);
}

TEST(test_abort_after_response)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    struct rst_verdict v =
        verdict(&n, send_seg(&n, SERVER, RST | ACK, S_ISN + 301, C_ISN + 101, 0));
    CHECK(v.final_cause == RST_CAUSE_ABORT);
    CHECK(v.sender == RST_ROLE_SERVER);
    CHECK(v.answers_frame == 0);
    /* The socket's own RST: its IP ID counter, clock and window. */
    CHECK(v.n_evidence == 0);
    CHECK(v.acceptable == 1);
    CHECK_CONTAINS(v.explanation, "The server aborted");
    net_free(&n);
}

TEST(test_abort_with_unread_data)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_request(&n);
    /* The server never acknowledged the request; its RST does. */
    struct rst_verdict v = verdict(&n, send_seg(&n, SERVER, RST | ACK, S_ISN + 1, C_ISN + 101, 0));
    CHECK(v.final_cause == RST_CAUSE_ABORT);
    CHECK(v.n_evidence == 0);
    CHECK_CONTAINS(v.explanation, "close() with unread data.");
    net_free(&n);
}

/* Item 4 of issue 13: a RST/ACK that newly acknowledges only the peer's FIN
 * (SO_LINGER 0 after the server closed) left no data unread. */
TEST(test_abort_acking_only_a_fin_has_no_unread_data)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    send_seg(&n, SERVER, FIN | ACK, S_ISN + 301, C_ISN + 101, 0);
    struct rst_verdict v =
        verdict(&n, send_seg(&n, CLIENT, RST | ACK, C_ISN + 101, S_ISN + 302, 0));
    CHECK(v.final_cause == RST_CAUSE_ABORT);
    CHECK(strstr(v.explanation, "It acknowledges data it had not acknowledged before") == NULL);
    net_free(&n);
}

/* The FIN came after data the RST's sender had not acknowledged: unread data. */
TEST(test_abort_acking_data_and_fin_has_unread_data)
{
    struct net n;
    net_init(&n, 4);
    handshake(&n);
    send_seg(&n, CLIENT, FIN | PSH | ACK, C_ISN + 1, S_ISN + 1, 100);
    struct rst_verdict v = verdict(&n, send_seg(&n, SERVER, RST | ACK, S_ISN + 1, C_ISN + 102, 0));
    CHECK(v.final_cause == RST_CAUSE_ABORT);
    CHECK_CONTAINS(v.explanation, "close() with unread data.");
    net_free(&n);
}

/* Issue 13 item 2: a probing client acknowledges the server's abort as if
 * the RST took a sequence number and keeps sending; the server, without the
 * connection since its RST (Linux: NO_SOCKET), answers each segment. */
TEST(test_rst_after_own_abort_is_no_connection)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);                                    /* 1-7 */
    send_seg(&n, SERVER, RST | ACK, S_ISN + 301, C_ISN + 101, 0);  /* 8 */
    send_seg(&n, CLIENT, PSH | ACK, C_ISN + 101, S_ISN + 302, 20); /* 9 */
    struct rst_verdict v = verdict(&n, send_reply_rst(&n, SERVER, 0, S_ISN + 302, 0));
    CHECK(v.final_cause == RST_CAUSE_NO_CONNECTION);
    CHECK(v.answers_frame == 9);
    CHECK(v.after_frame == 8);
    CHECK(!v.injected);
    CHECK_CONTAINS(v.explanation, "It had reset this connection itself in frame 8");
    CHECK(strstr(v.explanation, "never sent") == NULL);
    net_free(&n);
}

/* A refusal, then an "abort of the live connection" in the same host's name:
 * a host without the connection only replies, so the abort does not fit. */
TEST(test_abort_after_own_refusal_is_contradiction)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);             /* 1 */
    send_reply_rst(&n, SERVER, ACK, 0, C_ISN + 1);      /* 2: refused */
    send_seg(&n, CLIENT, ACK, C_ISN + 1, S_ISN + 1, 0); /* 3: probe */
    struct rst_verdict v = verdict(&n, send_seg(&n, SERVER, RST | ACK, S_ISN + 1, C_ISN + 1, 0));
    CHECK(v.wire_cause == RST_CAUSE_NO_CONNECTION);
    CHECK(v.after_frame == 2);
    const struct rst_evidence *e = evidence(&v, RST_EV_CONTRADICTION);
    CHECK(e != NULL && e->ref_frame == 2 && e->weight == 40);
    CHECK_CONTAINS(v.explanation, "had reset it itself (frame 2)");
    net_free(&n);
}

/* A forged RST in the server's name does not end the server's connection:
 * the server's own abort later is an abort, not "no connection". */
TEST(test_rst_after_forged_one_keeps_its_cause)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);                                                      /* 1-7 */
    uint32_t f = send_forged(&n, forged(&n, SERVER, ACK, S_ISN + 301, C_ISN + 101)); /* 8 */
    CHECK(verdict(&n, f).injected);
    send_seg(&n, SERVER, PSH | ACK, S_ISN + 301, C_ISN + 101, 50); /* 9: still talking */
    struct rst_verdict v =
        verdict(&n, send_seg(&n, SERVER, RST | ACK, S_ISN + 351, C_ISN + 101, 0));
    CHECK(v.final_cause == RST_CAUSE_ABORT);
    CHECK(v.after_frame == 0);
    CHECK(evidence(&v, RST_EV_CONTRADICTION) == NULL);
    net_free(&n);
}

/* A retransmitted SYN after a refusal still meets a closed port: refused. */
TEST(test_refusal_after_refusal_stays_refused)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    send_reply_rst(&n, SERVER, ACK, 0, C_ISN + 1);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    struct rst_verdict v = verdict(&n, send_reply_rst(&n, SERVER, ACK, 0, C_ISN + 1));
    CHECK(v.final_cause == RST_CAUSE_REFUSED);
    net_free(&n);
}

/* Issue 13 item 3: a censor sends a block page and a FIN in the server's
 * name (its own TTL and MAC), then RSTs alike.  Its packets are not the
 * server's baseline: the RSTs differ from the SYN-ACK in TTL and MAC. */
TEST(test_block_page_is_no_baseline)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);                     /* 1 */
    send_seg(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);       /* 2 */
    send_seg(&n, CLIENT, ACK, C_ISN + 1, S_ISN + 1, 0);         /* 3 */
    send_seg(&n, CLIENT, PSH | ACK, C_ISN + 1, S_ISN + 1, 100); /* 4 */
    struct rst_segment page = forged(&n, SERVER, PSH | ACK | FIN, S_ISN + 1, C_ISN + 101);
    page.flags &= (uint8_t)~RST;
    page.payload_len = 200;
    CHECK(rst_core_add(n.core, &page, &n.params) == 0);     /* 5 */
    send_seg(&n, CLIENT, ACK, C_ISN + 101, S_ISN + 202, 0); /* 6 */
    struct rst_segment r = forged(&n, SERVER, 0, S_ISN + 202, 0);
    r.window = 0;
    struct rst_verdict v = verdict(&n, send_forged(&n, r)); /* 7 */
    const struct rst_evidence *ttl = evidence(&v, RST_EV_TTL);
    CHECK(ttl != NULL && ttl->expected == 63 && ttl->ref_frame == 2);
    const struct rst_evidence *mac = evidence(&v, RST_EV_MAC);
    CHECK(mac != NULL && mac->ref_frame == 2);
    CHECK(v.injected);
    net_free(&n);
}

/* A second router at the same distance (ECMP, VRRP failover) is still the
 * server: its packets keep the MAC baseline varied, as before. */
TEST(test_second_router_same_distance_is_baseline)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_request(&n);
    n.end[SERVER].mac[5] = 0x02;
    send_seg(&n, SERVER, PSH | ACK, S_ISN + 1, C_ISN + 101, 300);
    send_seg(&n, CLIENT, ACK, C_ISN + 101, S_ISN + 301, 0);
    struct rst_verdict v =
        verdict(&n, send_seg(&n, SERVER, RST | ACK, S_ISN + 301, C_ISN + 101, 0));
    CHECK(v.final_cause == RST_CAUSE_ABORT);
    CHECK(v.n_evidence == 0);
    net_free(&n);
}

/* A host seen only through RSTs, from two distances, and nothing else of it:
 * the explanation says so and names a frame of each. */
TEST(test_rsts_only_from_two_distances)
{
    struct net n;
    net_init(&n, 4);
    n.end[SERVER].ttl = 47;
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);        /* 1 */
    send_reply_rst(&n, SERVER, ACK, 0, C_ISN + 1); /* 2: TTL 47 */
    n.end[CLIENT].port = 40002;
    n.end[SERVER].ttl = 239;
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);                                            /* 3 */
    struct rst_verdict v = verdict(&n, send_reply_rst(&n, SERVER, ACK, 0, C_ISN + 1)); /* 4 */
    CHECK(v.final_cause == RST_CAUSE_REFUSED);
    CHECK(v.distance_frame[0] == 2 && v.distance_frame[1] == 4);
    CHECK_CONTAINS(v.explanation,
                   "arrive from two distances, TTL 47 (frame 2) and TTL 239 (frame 4)");
    net_free(&n);
}

/* The same, with the host's own packets in another connection as anchor:
 * the RST from the other distance is what disagrees. */
TEST(test_rsts_only_anchored_by_other_connection)
{
    struct net n;
    net_init(&n, 4);
    n.end[SERVER].ttl = 47;
    handshake_and_exchange(&n); /* 1-7 */
    n.end[CLIENT].port = 40002;
    n.end[SERVER].port = 8081;
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0); /* 8 */
    struct rst_segment r = segment(&n, SERVER, RST | ACK, 0, C_ISN + 1, 0);
    r.ttl = 239;
    r.ip_id = 0;
    r.window = 0;
    r.has_timestamps = false;
    struct rst_verdict v = verdict(&n, rst_core_add(n.core, &r, &n.params));
    const struct rst_evidence *ttl = evidence(&v, RST_EV_TTL);
    CHECK(ttl != NULL && ttl->other_connection && ttl->expected == 47);
    CHECK(v.distance_frame[0] == 0);
    net_free(&n);
}

TEST(test_client_abort)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    struct rst_verdict v =
        verdict(&n, send_seg(&n, CLIENT, RST | ACK, C_ISN + 101, S_ISN + 301, 0));
    CHECK(v.final_cause == RST_CAUSE_ABORT);
    CHECK(v.sender == RST_ROLE_CLIENT);
    CHECK(v.n_evidence == 0);
    net_free(&n);
}

TEST(test_late_ack_after_own_abort_is_no_connection)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    send_seg(&n, SERVER, RST | ACK, S_ISN + 301, C_ISN + 101, 0);
    send_seg(&n, CLIENT, PSH | ACK, C_ISN + 101, S_ISN + 301, 20);
    struct rst_verdict v = verdict(&n, send_reply_rst(&n, SERVER, 0, S_ISN + 301, 0));
    CHECK(v.final_cause == RST_CAUSE_NO_CONNECTION);
    CHECK(v.answers_frame == 9);
    CHECK(v.after_frame == 8);
    /* Two RSTs of the server with the same seq: not a burst. */
    CHECK(v.n_evidence == 0);
    CHECK_CONTAINS(v.explanation, "reset this connection itself in frame 8");
    net_free(&n);
}

TEST(test_data_after_close)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    send_seg(&n, SERVER, FIN | ACK, S_ISN + 301, C_ISN + 101, 0); /* frame 8 */
    send_seg(&n, CLIENT, ACK, C_ISN + 101, S_ISN + 302, 0);
    send_seg(&n, CLIENT, PSH | ACK, C_ISN + 101, S_ISN + 302, 25); /* frame 10 */
    struct rst_verdict v = verdict(&n, send_reply_rst(&n, SERVER, 0, S_ISN + 302, 0));
    CHECK(v.final_cause == RST_CAUSE_DATA_AFTER_CLOSE);
    CHECK(v.answers_frame == 10);
    CHECK(v.n_evidence == 0);
    CHECK_CONTAINS(v.explanation, "FIN in frame 8");
    net_free(&n);
}

TEST(test_server_lost_state_is_no_connection)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    send_seg(&n, CLIENT, PSH | ACK, C_ISN + 101, S_ISN + 301, 100); /* frame 8 */
    struct rst_verdict v = verdict(&n, send_reply_rst(&n, SERVER, 0, S_ISN + 301, 0));
    CHECK(v.final_cause == RST_CAUSE_NO_CONNECTION);
    CHECK(v.answers_frame == 8);
    CHECK(v.after_frame == 0);
    CHECK(v.n_evidence == 0);
    CHECK_CONTAINS(v.explanation, "restart, NAT or address change");
    net_free(&n);
}

TEST(test_accept_queue_overflow)
{
    struct net n;
    net_init(&n, 4);
    handshake(&n);
    struct rst_verdict v = verdict(&n, send_reply_rst(&n, SERVER, 0, S_ISN + 1, 0));
    CHECK(v.final_cause == RST_CAUSE_ACCEPT_QUEUE_OVERFLOW);
    CHECK(v.answers_frame == 3);
    CHECK(v.n_evidence == 0);
    net_free(&n);
}

TEST(test_no_overflow_after_an_earlier_rst)
{
    /* A RST in the client's name reset the server's embryonic connection;
     * the client's handshake ACK then meets no connection at all. */
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    send_seg(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);
    send_seg(&n, CLIENT, RST | ACK, C_ISN + 1, S_ISN + 1, 0);
    send_seg(&n, CLIENT, ACK, C_ISN + 1, S_ISN + 1, 0);
    struct rst_verdict v = verdict(&n, send_reply_rst(&n, SERVER, 0, S_ISN + 1, 0));
    CHECK(v.final_cause == RST_CAUSE_NO_CONNECTION);
    CHECK(v.after_frame == 3);
    CHECK_CONTAINS(v.explanation, "reset in frame 3");
    net_free(&n);
}

TEST(test_no_overflow_for_a_fin)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    send_seg(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);
    send_seg(&n, CLIENT, FIN | ACK, C_ISN + 1, S_ISN + 1, 0);
    struct rst_verdict v = verdict(&n, send_reply_rst(&n, SERVER, 0, S_ISN + 1, 0));
    CHECK(v.final_cause == RST_CAUSE_NO_CONNECTION);
    net_free(&n);
}

TEST(test_ack_without_syn_in_syn_sent_is_invalid)
{
    /* RFC 9293 3.10.7.3: in SYN-SENT an ACK that does not acknowledge the SYN
     * draws <SEQ=SEG.ACK><CTL=RST>, here seq 0 because SEG.ACK is 0: that
     * seq 0 is the rule, not a sign of forgery. */
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, 0, 0, 0);
    send_seg(&n, SERVER, ACK, 0, 0, 0);
    struct rst_verdict v = verdict(&n, send_reply_rst(&n, CLIENT, 0, 0, 0));
    CHECK(v.final_cause == RST_CAUSE_INVALID_SEGMENT);
    CHECK(v.answers_frame == 2);
    CHECK(v.n_evidence == 0);
    CHECK_CONTAINS(v.explanation, "Answers the ACK in frame 2, which does not acknowledge the SYN");
    net_free(&n);
}

TEST(test_abort_without_ack_flag)
{
    /* RFC 9293 3.10.4 ABORT: <SEQ=SND.NXT><CTL=RST>; only Linux adds ACK. */
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    send_seg(&n, SERVER, PSH | ACK, S_ISN + 301, C_ISN + 101, 40);
    struct rst_verdict v = verdict(&n, send_seg(&n, SERVER, RST, S_ISN + 341, 0, 0));
    CHECK(v.final_cause == RST_CAUSE_ABORT);
    CHECK(v.answers_frame == 0);
    CHECK(v.n_evidence == 0);
    net_free(&n);
}

TEST(test_ack_matching_nothing_sent_is_invalid)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    send_seg(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);
    send_seg(&n, CLIENT, ACK, C_ISN + 1, S_ISN + 0x70000000u, 0);
    struct rst_verdict v = verdict(&n, send_reply_rst(&n, SERVER, 0, S_ISN + 0x70000000u, 0));
    CHECK(v.final_cause == RST_CAUSE_INVALID_SEGMENT);
    CHECK_CONTAINS(v.explanation, "whose ACK matches nothing the server sent");
    net_free(&n);
}

TEST(test_ack_of_unsent_data_is_invalid)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    send_seg(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);
    send_seg(&n, CLIENT, ACK, C_ISN + 1, S_ISN + 1001, 0);
    struct rst_verdict v = verdict(&n, send_reply_rst(&n, SERVER, 0, S_ISN + 1001, 0));
    CHECK(v.final_cause == RST_CAUSE_INVALID_SEGMENT);
    CHECK_CONTAINS(v.explanation, "acknowledges 1000 bytes the server never sent");
    net_free(&n);
}

TEST(test_keepalive_timeout)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    for (int i = 0; i < 3; i++) {
        n.now_us += 1000000;
        send_seg(&n, CLIENT, ACK, C_ISN + 100, S_ISN + 301, 0); /* probes: SND.NXT - 1 */
    }
    n.now_us += 1000000;
    struct rst_verdict v =
        verdict(&n, send_seg(&n, CLIENT, RST | ACK, C_ISN + 101, S_ISN + 301, 0));
    CHECK(v.final_cause == RST_CAUSE_KEEPALIVE_TIMEOUT);
    CHECK(v.n_evidence == 0);
    CHECK_CONTAINS(v.explanation, "Ends 3 unanswered keepalive probes");
    net_free(&n);
}

TEST(test_answered_keepalives_do_not_count)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    for (int i = 0; i < 3; i++) {
        send_seg(&n, CLIENT, ACK, C_ISN + 100, S_ISN + 301, 0);
        send_seg(&n, SERVER, ACK, S_ISN + 301, C_ISN + 101, 0);
    }
    struct rst_verdict v =
        verdict(&n, send_seg(&n, CLIENT, RST | ACK, C_ISN + 101, S_ISN + 301, 0));
    CHECK(v.final_cause == RST_CAUSE_ABORT);
    net_free(&n);
}

TEST(test_retransmission_timeout)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    send_seg(&n, SERVER, PSH | ACK, S_ISN + 301, C_ISN + 101, 500);
    for (int i = 0; i < 5; i++) /* Windows: TcpMaxDataRetransmissions = 5 */
        send_seg(&n, SERVER, PSH | ACK, S_ISN + 301, C_ISN + 101, 500);
    struct rst_verdict v =
        verdict(&n, send_seg(&n, SERVER, RST | ACK, S_ISN + 801, C_ISN + 101, 0));
    CHECK(v.final_cause == RST_CAUSE_RETRANSMISSION_TIMEOUT);
    CHECK(v.n_evidence == 0);
    CHECK_CONTAINS(v.explanation, "Ends 5 retransmissions");
    net_free(&n);
}

TEST(test_acked_retransmission_does_not_count)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    send_seg(&n, SERVER, PSH | ACK, S_ISN + 301, C_ISN + 101, 500);
    for (int i = 0; i < 4; i++)
        send_seg(&n, SERVER, PSH | ACK, S_ISN + 301, C_ISN + 101, 500);
    send_seg(&n, CLIENT, ACK, C_ISN + 101, S_ISN + 801, 0);
    struct rst_verdict v =
        verdict(&n, send_seg(&n, SERVER, RST | ACK, S_ISN + 801, C_ISN + 101, 0));
    CHECK(v.final_cause == RST_CAUSE_ABORT);
    net_free(&n);
}

TEST(test_idle_timeout)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    n.now_us += 400LL * 1000000;
    struct rst_verdict v =
        verdict(&n, send_seg(&n, SERVER, RST | ACK, S_ISN + 301, C_ISN + 101, 0));
    CHECK(v.final_cause == RST_CAUSE_IDLE_TIMEOUT);
    CHECK(v.n_evidence == 0);
    CHECK_CONTAINS(v.explanation, "after 400 s of silence");
    n.params.idle_seconds = 0; /* 0 turns the rule off; the cause is fixed when fed */
    CHECK(verdict(&n, 1).final_cause == RST_CAUSE_IDLE_TIMEOUT);
    net_free(&n);
}

TEST(test_lone_rst_is_unknown)
{
    struct net n;
    net_init(&n, 4);
    struct rst_verdict v = verdict(&n, send_reply_rst(&n, SERVER, 0, 12345, 0));
    CHECK(v.final_cause == RST_CAUSE_UNKNOWN);
    CHECK(v.sender == RST_ROLE_UNKNOWN);
    CHECK(v.acceptable == -1);
    CHECK_CONTAINS(v.explanation, "nothing from the peer precedes this RST");
    net_free(&n);
}

TEST(test_mid_connection_capture_is_hedged)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, PSH | ACK, 777, 888, 10);
    struct rst_verdict v = verdict(&n, send_reply_rst(&n, SERVER, 0, 888, 0));
    CHECK(v.final_cause == RST_CAUSE_NO_CONNECTION);
    CHECK(v.sender == RST_ROLE_UNKNOWN);
    CHECK_CONTAINS(v.explanation, "203.0.113.2:8080 has no connection");
    CHECK_CONTAINS(v.explanation, "starts mid-connection");
    net_free(&n);
}
