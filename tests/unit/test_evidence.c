/* test_evidence.c: the signs of forgery, their weights and the threshold:
 * each one tripped by a forger and left alone by a genuine stack.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "fixture.h"

TEST(test_forged_handshake_rst_needs_the_later_syn_ack)
{
    struct net n;
    /* One pass, at the RST: nothing of the server's to compare with. */
    struct rst_verdict v = verdict(&n, forged_handshake_rst(&n, false));
    CHECK(v.final_cause == RST_CAUSE_REFUSED);
    CHECK(!v.injected);
    CHECK(v.n_evidence == 0);
    net_free(&n);
    /* The real SYN-ACK arrives 20 ms later, through the router. */
    v = verdict(&n, forged_handshake_rst(&n, true));
    CHECK(v.final_cause == RST_CAUSE_INJECTED);
    CHECK(v.face_value == RST_CAUSE_REFUSED);
    CHECK(v.injected);
    const struct rst_evidence *ttl = evidence(&v, RST_EV_TTL), *race = evidence(&v, RST_EV_RACE);
    CHECK(ttl && ttl->observed == 64 && ttl->expected == 63 && ttl->ref_frame == 3);
    CHECK(ttl && ttl->weight == 25 && !ttl->other_connection);
    CHECK(evidence(&v, RST_EV_MAC) && evidence(&v, RST_EV_MAC)->weight == 40);
    CHECK(race && race->ref_frame == 3 && race->weight == 50);
    /* 1 ms after the SYN, where the server answers in 21 ms. */
    const struct rst_evidence *timing = evidence(&v, RST_EV_TIMING);
    CHECK(timing && timing->observed == 1000 && timing->expected == 21000 && timing->weight == 40);
    CHECK(v.suspicion == 100);
    CHECK(v.acceptable == 1);
    CHECK_CONTAINS(v.explanation,
                   "Forged in the name of the server (suspicion 100): the server "
                   "went on sending after it (frame 3)");
    CHECK_CONTAINS(v.explanation, "TTL 64 where the server's packets arrive with 63 (frame 3)");
    CHECK_CONTAINS(v.explanation, "The client would accept it");
    net_free(&n);
}

TEST(test_threshold_preference)
{
    struct net n;
    uint32_t id = forged_handshake_rst(&n, true);
    n.params.threshold = 101;
    struct rst_verdict v = verdict(&n, id);
    CHECK(v.suspicion == 100);
    CHECK(!v.injected);
    CHECK(v.final_cause == RST_CAUSE_REFUSED);
    CHECK_CONTAINS(v.explanation, "below the threshold");
    net_free(&n);
}

TEST(test_weight_zero_turns_a_signal_off)
{
    struct net n;
    uint32_t id = forged_handshake_rst(&n, true);
    n.params.weight[RST_EV_RACE] = 0;
    n.params.weight[RST_EV_TIMING] = 0;
    struct rst_verdict v = verdict(&n, id);
    CHECK(!evidence(&v, RST_EV_RACE) && !evidence(&v, RST_EV_TIMING));
    CHECK(v.suspicion == 65);
    net_free(&n);
}

TEST(test_race_real_server_keeps_sending)
{
    /* A RST that copies the server's TTL and the router's MAC; the server's
     * response then arrives anyway. */
    struct net n;
    net_init(&n, 4);
    handshake_and_request(&n);
    struct rst_segment f = forged(&n, SERVER, ACK, S_ISN + 1, C_ISN + 101);
    f.ttl = 63;
    f.src_mac[5] = 0x01;
    uint32_t id = send_forged(&n, f);
    CHECK(!evidence(&(struct rst_verdict){ 0 }, RST_EV_RACE));
    struct rst_verdict one_pass = verdict(&n, id);
    CHECK(!evidence(&one_pass, RST_EV_RACE));
    send_seg(&n, SERVER, ACK, S_ISN + 1, C_ISN + 101, 0); /* frame 6 */
    struct rst_verdict v = verdict(&n, id);
    CHECK(evidence(&v, RST_EV_RACE) && evidence(&v, RST_EV_RACE)->ref_frame == 6);
    CHECK(!evidence(&v, RST_EV_TTL) && !evidence(&v, RST_EV_MAC));
    /* What is left: 1 ms after the request where the server needs 20 ms, no
     * timestamps, a window of 8192 where it advertises 64, IP ID 1. */
    CHECK(evidence(&v, RST_EV_TIMING));
    CHECK(evidence(&v, RST_EV_NO_TIMESTAMPS));
    CHECK(evidence(&v, RST_EV_WINDOW)
          && evidence(&v, RST_EV_WINDOW)->window_sign == RST_WINDOW_OFF_SENDER);
    CHECK(v.injected);
    net_free(&n);
}

TEST(test_no_race_after_a_reply_to_an_unacceptable_ack)
{
    /* RFC 9293 3.10.7.4: SYN-RECEIVED answers an unacceptable ACK with a RST
     * and keeps the connection; Linux then retransmits its SYN-ACK. */
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    send_seg(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);
    send_seg(&n, CLIENT, ACK, C_ISN + 1, S_ISN + 1001, 0);
    uint32_t id = send_reply_rst(&n, SERVER, 0, S_ISN + 1001, 0);
    n.now_us += 1000000;
    send_seg(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);
    struct rst_verdict v = verdict(&n, id);
    CHECK(v.final_cause == RST_CAUSE_INVALID_SEGMENT);
    CHECK(v.n_evidence == 0);
    net_free(&n);
}

TEST(test_gfw_style_burst)
{
    /* Wang et al. IMC 2017: after the ClientHello, one RST and three RST/ACKs
     * at X, X+1460, X+4380, TTLs and windows changing, one IP ID. */
    struct net n;
    net_init(&n, 4);
    handshake(&n);
    send_seg(&n, CLIENT, PSH | ACK, C_ISN + 1, S_ISN + 1, 517); /* frame 4 */
    uint32_t x = S_ISN + 1;
    static const uint32_t offset[4] = { 0, 0, 1460, 4380 };
    uint32_t ids[4];
    for (int i = 0; i < 4; i++) {
        struct rst_segment f = forged(&n, SERVER, i ? ACK : 0, x + offset[i], i ? C_ISN + 518 : 0);
        f.ttl = (uint8_t)(i ? 46 + i : 101);
        f.window = (uint16_t)(i ? 1979 + i : 2453);
        f.ip_id = (uint16_t)(i ? 0x8bc6 : 0x3c11);
        ids[i] = send_forged(&n, f);
    }
    struct rst_verdict second = verdict(&n, ids[2]);
    CHECK(evidence(&second, RST_EV_BURST_SEQ));
    CHECK(evidence(&second, RST_EV_BURST_WINDOW));
    CHECK(evidence(&second, RST_EV_BURST_TTL));
    CHECK(evidence(&second, RST_EV_IP_ID)
          && evidence(&second, RST_EV_IP_ID)->ip_id_sign == RST_IP_ID_REPEATED);
    for (int i = 0; i < 4; i++) {
        struct rst_verdict v = verdict(&n, ids[i]);
        CHECK(v.injected);
        CHECK(evidence(&v, RST_EV_TTL) && evidence(&v, RST_EV_MAC));
    }
    /* The bare RST (seq X = RCV.NXT) resets the client; X+1460 would not. */
    CHECK(verdict(&n, ids[0]).acceptable == 1);
    struct rst_verdict third = verdict(&n, ids[3]);
    CHECK(third.acceptable == 0);
    CHECK_CONTAINS(third.explanation, "would not accept it");
    net_free(&n);
}

TEST(test_rising_replies_are_not_a_burst)
{
    /* The server aborted with data in flight; the client's ACKs of that data
     * reach a server without the connection, whose replies take their seq
     * from each ACK and so rise: genuine. */
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    send_seg(&n, SERVER, PSH | ACK, S_ISN + 301, C_ISN + 101, 1460);
    send_seg(&n, SERVER, PSH | ACK, S_ISN + 1761, C_ISN + 101, 1460);
    send_seg(&n, SERVER, RST | ACK, S_ISN + 3221, C_ISN + 101, 0);
    send_seg(&n, CLIENT, ACK, C_ISN + 101, S_ISN + 1761, 0);
    uint32_t first = send_reply_rst(&n, SERVER, 0, S_ISN + 1761, 0);
    send_seg(&n, CLIENT, ACK, C_ISN + 101, S_ISN + 3221, 0);
    uint32_t second = send_reply_rst(&n, SERVER, 0, S_ISN + 3221, 0);
    CHECK(verdict(&n, first).n_evidence == 0);
    CHECK(verdict(&n, second).n_evidence == 0);
    CHECK(verdict(&n, second).final_cause == RST_CAUSE_NO_CONNECTION);
    net_free(&n);
}

TEST(test_replies_to_every_ack_in_flight)
{
    /* raw-ip.pcapng: the server aborted with its response in flight; the
     * client's four ACKs all reach it after the RST, and its listener answers
     * each in turn (seq = that ACK).  By the first reply the client's ACK has
     * moved on three times: each reply still answers its own ACK. */
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    uint32_t acks[4];
    for (int i = 0; i < 4; i++) {
        send_seg(&n, SERVER, PSH | ACK, S_ISN + 301 + 1448 * i, C_ISN + 101, 1448);
        send_seg(&n, CLIENT, ACK, C_ISN + 101, S_ISN + 301 + 1448 * (i + 1), 0);
        acks[i] = n.frame;
    }
    send_seg(&n, SERVER, RST | ACK, S_ISN + 301 + 1448 * 4, C_ISN + 101, 0);
    for (int i = 0; i < 4; i++) {
        uint32_t reply = send_reply_rst(&n, SERVER, 0, S_ISN + 301 + 1448 * (i + 1), 0);
        struct rst_verdict v = verdict(&n, reply);
        CHECK(v.final_cause == RST_CAUSE_NO_CONNECTION);
        CHECK(v.answers_frame == acks[i]);
        CHECK(v.n_evidence == 0);
    }
    net_free(&n);
}

TEST(test_rejected_forgeries_during_the_handshake)
{
    /* Suricata bug-3286: a forged RST/ACK and FIN/ACK answer the SYN with a
     * timestamp echo the client never sent.  Linux drops the RST, resets the
     * FIN and keeps waiting; the real SYN-ACK then completes the handshake. */
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    struct rst_segment f = forged(&n, SERVER, ACK, 0, C_ISN + 1);
    f.has_timestamps = true, f.tsval = 100, f.tsecr = 100;
    uint32_t forged_id = send_forged(&n, f);
    struct rst_segment fin = segment(&n, SERVER, FIN | ACK, 0, C_ISN + 1, 0);
    fin.src_mac[5] = 0x66, fin.ttl = 64, fin.tsecr = 100;
    rst_core_add(n.core, &fin, &n.params);
    uint32_t reply = send_reply_rst(&n, CLIENT, 0, C_ISN + 1, 0);
    send_seg(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);
    send_seg(&n, CLIENT, ACK, C_ISN + 1, S_ISN + 1, 0);
    struct rst_verdict v = verdict(&n, forged_id);
    CHECK(v.injected);
    CHECK(v.acceptable == 0);
    CHECK_CONTAINS(v.accept_reason, "timestamp echo");
    v = verdict(&n, reply);
    CHECK(v.final_cause == RST_CAUSE_INVALID_SEGMENT);
    CHECK(v.answers_frame == 3);
    CHECK(v.n_evidence == 0); /* the client goes on, as RFC 9293 3.10.7.3 says */
    CHECK_CONTAINS(v.explanation, "keeps waiting");
    net_free(&n);
}

TEST(test_forged_packets_do_not_become_the_baseline)
{
    /* Tripwire flow 47494, seen at the server: a forged SYN/ACK in the
     * client's name (TTL 115), then three identical RST/ACKs in its name that
     * copy its TTL but not its IP ID counter. */
    struct net n;
    net_init(&n, 4);
    n.end[CLIENT].delay_us = 20000;
    n.end[SERVER].delay_us = 200;
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    send_seg(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);
    struct rst_segment odd = segment(&n, CLIENT, SYN | ACK, 589799192, S_ISN + 1, 0);
    odd.ttl = 115, odd.ip_id = 0xad46;
    rst_core_add(n.core, &odd, &n.params);
    send_seg(&n, CLIENT, ACK, C_ISN + 1, S_ISN + 1, 0);
    send_seg(&n, CLIENT, PSH | ACK, C_ISN + 1, S_ISN + 1, 75);
    send_seg(&n, SERVER, ACK, S_ISN + 1, C_ISN + 76, 0);
    uint32_t ids[3];
    for (int i = 0; i < 3; i++) {
        struct rst_segment f = segment(&n, CLIENT, RST | ACK, C_ISN + 76, S_ISN + 1, 0);
        n.end[CLIENT].ip_id--;
        f.ip_id = 0x7802, f.window = 2821, f.has_timestamps = false;
        f.time_us = n.now_us - 19000 + i;
        ids[i] = rst_core_add(n.core, &f, &n.params);
    }
    for (int i = 0; i < 3; i++) {
        struct rst_verdict v = verdict(&n, ids[i]);
        const struct rst_evidence *id = evidence(&v, RST_EV_IP_ID);
        CHECK(id && id->repeated && id->ip_id_sign == RST_IP_ID_JUMP && id->weight == 40);
        CHECK(!evidence(&v, RST_EV_TTL));
        CHECK(v.injected);
    }
    net_free(&n);
}

TEST(test_a_rst_seen_twice_is_no_burst)
{
    /* A tap that duplicates frames shows one genuine RST twice. */
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    struct rst_segment r = segment(&n, SERVER, RST | ACK, S_ISN + 301, C_ISN + 101, 0);
    uint32_t a = rst_core_add(n.core, &r, &n.params);
    r.frame = ++n.frame;
    uint32_t b = rst_core_add(n.core, &r, &n.params);
    CHECK(verdict(&n, a).n_evidence == 0);
    CHECK(verdict(&n, b).n_evidence == 0);
    net_free(&n);
}

TEST(test_late_reply_to_an_earlier_segment)
{
    /* Seen at the server (the client is 20 ms away): the client lost the
     * connection; its reply to the SYN-ACK (seq = the SYN-ACK's ACK) arrives
     * after the server's ACK has moved on.  Still a plain reply: nothing
     * forged, no burst with the next reply's higher seq. */
    struct net n;
    net_init(&n, 4);
    n.end[CLIENT].delay_us = 20000;
    n.end[SERVER].delay_us = 200;
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    send_seg(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0); /* frame 2 */
    send_seg(&n, CLIENT, ACK, C_ISN + 1, S_ISN + 1, 0);
    send_seg(&n, CLIENT, PSH | ACK, C_ISN + 1, S_ISN + 1, 100);
    send_seg(&n, SERVER, ACK, S_ISN + 1, C_ISN + 101, 0); /* frame 5 */
    send_seg(&n, SERVER, PSH | ACK, S_ISN + 1, C_ISN + 101, 300);
    uint32_t late = send_reply_rst(&n, CLIENT, 0, C_ISN + 1, 0);
    uint32_t next = send_reply_rst(&n, CLIENT, 0, C_ISN + 101, 0);
    struct rst_verdict v = verdict(&n, late);
    CHECK(v.answers_frame == 2);
    CHECK(v.final_cause == RST_CAUSE_NO_CONNECTION);
    CHECK(v.n_evidence == 0);
    v = verdict(&n, next);
    CHECK(v.answers_frame == 6);
    CHECK(v.n_evidence == 0);
    net_free(&n);
}

TEST(test_window_on_a_reply_rst)
{
    /* Airtel: a reply-shaped RST carrying window 16. */
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    struct rst_segment f = forged(&n, SERVER, 0, S_ISN + 301, 0);
    f.ttl = 63, f.src_mac[5] = 1, f.ip_id = 0, f.window = 16;
    f.time_us += 19000; /* on time */
    struct rst_verdict v = verdict(&n, send_forged(&n, f));
    const struct rst_evidence *w = evidence(&v, RST_EV_WINDOW);
    CHECK(w && w->observed == 16 && w->expected == 0 && w->window_sign == RST_WINDOW_ON_REPLY);
    CHECK(v.n_evidence == 1);
    net_free(&n);
}

TEST(test_timestamps_off_the_senders_clock)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    struct rst_segment f = segment(&n, SERVER, RST | ACK, S_ISN + 301, C_ISN + 101, 0);
    f.tsval += 3600000; /* an hour ahead of the server's clock */
    struct rst_verdict v = verdict(&n, send_forged(&n, f));
    const struct rst_evidence *ts = evidence(&v, RST_EV_TIMESTAMP);
    CHECK(ts && ts->observed == f.tsval);
    CHECK(v.n_evidence == 1);
    net_free(&n);
}

TEST(test_ip_id_off_the_senders_counter)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    struct rst_segment f = segment(&n, SERVER, RST | ACK, S_ISN + 301, C_ISN + 101, 0);
    f.ip_id = 0x0f00;
    struct rst_verdict v = verdict(&n, send_forged(&n, f));
    const struct rst_evidence *id = evidence(&v, RST_EV_IP_ID);
    CHECK(id && id->ip_id_sign == RST_IP_ID_JUMP && id->observed == 0x0f00
          && id->expected == 0xc8e4);
    net_free(&n);

    net_init(&n, 4);
    handshake_and_exchange(&n);
    f = segment(&n, SERVER, RST | ACK, S_ISN + 301, C_ISN + 101, 0);
    f.ip_id = 0; /* fixed, where the server's socket counts */
    v = verdict(&n, send_forged(&n, f));
    CHECK(evidence(&v, RST_EV_IP_ID) && evidence(&v, RST_EV_IP_ID)->ip_id_sign == RST_IP_ID_FIXED);
    net_free(&n);
}

TEST(test_ack_matching_nothing_the_receiver_sent)
{
    /* Zeek's rst-inject-rae: the injected RST/ACK acknowledges the ISN
     * itself, which the SYN occupies. */
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    struct rst_segment f = forged(&n, SERVER, ACK, 0, C_ISN);
    struct rst_verdict v = verdict(&n, send_forged(&n, f));
    CHECK(evidence(&v, RST_EV_ACK));
    CHECK(v.acceptable == 0);
    net_free(&n);
}

TEST(test_timing_of_replies)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    send_seg(&n, CLIENT, PSH | ACK, C_ISN + 101, S_ISN + 301, 50); /* frame 8 */
    /* A reply 1 ms after the segment, where the server needs 20 ms. */
    struct rst_segment f = segment(&n, SERVER, RST, S_ISN + 301, 0, 0);
    f.ip_id = 0, f.window = 0, f.has_timestamps = false;
    f.time_us -= 19000;
    struct rst_verdict v = verdict(&n, send_forged(&n, f));
    const struct rst_evidence *t = evidence(&v, RST_EV_TIMING);
    CHECK(t && t->observed == 1000 && t->expected == 20000 && t->weight == 40);
    CHECK(t && t->ref_frame == 2);
    CHECK(v.n_evidence == 1);
    net_free(&n);
    /* 8 ms: under half, not under a tenth. */
    net_init(&n, 4);
    handshake_and_exchange(&n);
    send_seg(&n, CLIENT, PSH | ACK, C_ISN + 101, S_ISN + 301, 50);
    f = segment(&n, SERVER, RST, S_ISN + 301, 0, 0);
    f.ip_id = 0, f.window = 0, f.has_timestamps = false;
    f.time_us -= 12000;
    v = verdict(&n, send_forged(&n, f));
    CHECK(evidence(&v, RST_EV_TIMING) && evidence(&v, RST_EV_TIMING)->weight == 25);
    net_free(&n);
}

TEST(test_host_baseline_flags_an_on_path_reject)
{
    /* An earlier connection shows the server at TTL 63 answering in 20 ms;
     * then a SYN to another port draws a RST "from the server" with TTL 64
     * within 0.1 ms: a firewall on the path rejecting in its name. */
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    n.end[CLIENT].port = 40001;
    n.end[SERVER].port = 8021;
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0); /* frame 8 */
    struct rst_segment r = segment(&n, SERVER, RST | ACK, 0, C_ISN + 1, 0);
    r.ttl = 64, r.ip_id = 0, r.window = 0, r.has_timestamps = false;
    r.time_us -= 19900;
    struct rst_verdict v = verdict(&n, send_forged(&n, r));
    const struct rst_evidence *ttl = evidence(&v, RST_EV_TTL), *t = evidence(&v, RST_EV_TIMING);
    CHECK(ttl && ttl->other_connection && ttl->ref_frame == 2 && ttl->weight == 25);
    CHECK(t && t->other_connection && t->weight == 40);
    CHECK(!evidence(&v, RST_EV_MAC)); /* the router's MAC, as the server's packets */
    CHECK(v.injected);
    CHECK(v.face_value == RST_CAUSE_REFUSED);
    CHECK_CONTAINS(v.explanation,
                   "TTL 64 where 203.0.113.2's packets arrive with 63 "
                   "(frame 2, another connection)");
    net_free(&n);
}

TEST(test_host_baseline_spares_the_hosts_own_reject)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    n.end[CLIENT].port = 40001;
    n.end[SERVER].port = 8002;
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    struct rst_verdict v = verdict(&n, send_reply_rst(&n, SERVER, ACK, 0, C_ISN + 1));
    CHECK(v.final_cause == RST_CAUSE_REFUSED);
    CHECK(v.n_evidence == 0);
    net_free(&n);
}

TEST(test_forged_rst_in_the_clients_name)
{
    /* Seen at the client: a RST "from the client" with another MAC and TTL,
     * and the real client goes on sending. */
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    struct rst_segment f = forged(&n, CLIENT, ACK, C_ISN + 101, S_ISN + 301);
    f.ttl = 60;
    uint32_t id = send_forged(&n, f);
    send_seg(&n, CLIENT, PSH | ACK, C_ISN + 101, S_ISN + 301, 30);
    struct rst_verdict v = verdict(&n, id);
    CHECK(v.sender == RST_ROLE_CLIENT);
    CHECK(v.injected);
    CHECK(evidence(&v, RST_EV_TTL) && evidence(&v, RST_EV_MAC) && evidence(&v, RST_EV_RACE));
    CHECK_CONTAINS(v.explanation, "Forged in the name of the client");
    net_free(&n);
}

TEST(test_acceptability)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    /* Window 64 << 10: 100 bytes past RCV.NXT is in the window. */
    struct rst_segment f = forged(&n, SERVER, ACK, S_ISN + 401, C_ISN + 101);
    struct rst_verdict v = verdict(&n, send_forged(&n, f));
    CHECK(v.acceptable == 0);
    CHECK_CONTAINS(v.accept_reason, "challenge ACK");
    f = forged(&n, SERVER, ACK, S_ISN + 301 + 200000, C_ISN + 101);
    v = verdict(&n, send_forged(&n, f));
    CHECK(v.acceptable == 0);
    CHECK_CONTAINS(v.accept_reason, "outside the receive window");
    net_free(&n);

    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    v = verdict(&n, send_forged(&n, forged(&n, SERVER, 0, 0, 0)));
    CHECK(v.acceptable == 0);
    CHECK_CONTAINS(v.accept_reason, "must acknowledge the SYN");
    net_free(&n);
}

TEST(test_seq_zero_after_syn_ack_is_evidence)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    /* A censor's RST/ACK with seq 0 after the request: the server knows its
     * own sequence numbers and would never send that. */
    struct rst_segment f = forged(&n, SERVER, ACK, 0, C_ISN + 101);
    struct rst_verdict v = verdict(&n, send_forged(&n, f));
    const struct rst_evidence *z = evidence(&v, RST_EV_SEQ_ZERO);
    CHECK(z && z->ref_frame == 2 && z->weight == 40);
    CHECK_CONTAINS(v.explanation, "seq 0 although the sender had sent its SYN-ACK (frame 2)");
    net_free(&n);
}

TEST(test_seq_zero_answering_an_ack_is_evidence)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, PSH | ACK, 777, 888, 10);
    struct rst_verdict v = verdict(&n, send_reply_rst(&n, SERVER, ACK, 0, 787));
    const struct rst_evidence *z = evidence(&v, RST_EV_SEQ_ZERO);
    CHECK(z && z->ref_frame == 1);
    net_free(&n);
}

TEST(test_hop_limit_and_mac_in_ipv6)
{
    struct net n;
    net_init(&n, 6);
    handshake_and_exchange(&n);
    struct rst_segment f = segment(&n, SERVER, RST | ACK, S_ISN + 301, C_ISN + 101, 0);
    f.ttl = 50;
    f.src_mac[5] = 0x66;
    struct rst_verdict v = verdict(&n, send_forged(&n, f));
    CHECK(v.injected);
    CHECK(evidence(&v, RST_EV_TTL) && evidence(&v, RST_EV_TTL)->weight == 40);
    CHECK(v.n_evidence == 2 && v.suspicion == 80);
    CHECK_CONTAINS(v.explanation, "hop limit 50");
    net_free(&n);
}

TEST(test_varying_mac_gives_no_mac_evidence)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    send_seg(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);
    n.end[SERVER].mac[5] = 2; /* a second router on the path (ECMP, VRRP) */
    send_seg(&n, SERVER, ACK, S_ISN + 1, C_ISN + 1, 0);
    n.end[SERVER].mac[5] = 3;
    struct rst_verdict v = verdict(&n, send_seg(&n, SERVER, RST | ACK, S_ISN + 1, C_ISN + 1, 0));
    CHECK(v.n_evidence == 0);
    net_free(&n);
}

TEST(test_no_mac_means_no_mac_evidence)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    struct rst_segment sa = segment(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);
    sa.has_mac = false; /* raw IP or loopback: no link-layer source */
    rst_core_add(n.core, &sa, &n.params);
    struct rst_segment r = segment(&n, SERVER, RST | ACK, S_ISN + 1, C_ISN + 1, 0);
    r.has_mac = false;
    struct rst_verdict v = verdict(&n, rst_core_add(n.core, &r, &n.params));
    CHECK(v.n_evidence == 0);
    net_free(&n);
}
