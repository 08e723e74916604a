/* test_points.c: connections and hosts: tuples, views, port reuse, memory,
 * and two capture points in one file (docs/two-points.md).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "fixture.h"
#include "rst_store.h" /* a record's copy_of */

TEST(test_sequence_numbers_wrap)
{
    struct net n;
    net_init(&n, 4);
    uint32_t c = 0xFFFFFFF0u, s = 0xFFFFFFFFu;
    send_seg(&n, CLIENT, SYN, c, 0, 0);
    send_seg(&n, SERVER, SYN | ACK, s, c + 1, 0);
    send_seg(&n, CLIENT, ACK, c + 1, s + 1, 0);
    send_seg(&n, CLIENT, PSH | ACK, c + 1, s + 1, 100);
    send_seg(&n, SERVER, PSH | ACK, s + 1, c + 101, 300);
    struct rst_verdict v = verdict(&n, send_seg(&n, SERVER, RST | ACK, s + 301, c + 101, 0));
    CHECK(v.final_cause == RST_CAUSE_ABORT);
    CHECK(v.n_evidence == 0);
    net_free(&n);
}

TEST(test_port_reuse_starts_a_new_connection)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    send_reply_rst(&n, SERVER, ACK, 0, C_ISN + 1);
    /* The same port pair again, new ISN: a new connection, whose packets
     * count for the old RST only as the host's, from another connection. */
    send_seg(&n, CLIENT, SYN, C_ISN + 99999, 0, 0);
    n.end[SERVER].ttl = 40;
    send_seg(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 100000, 0);
    struct rst_verdict v = verdict(&n, 1);
    CHECK(v.final_cause == RST_CAUSE_REFUSED);
    CHECK(!evidence(&v, RST_EV_RACE));
    CHECK(evidence(&v, RST_EV_TTL) && evidence(&v, RST_EV_TTL)->other_connection);
    CHECK(rst_core_connections(n.core) == 2);
    CHECK(rst_core_hosts(n.core) == 2);
    net_free(&n);
}

TEST(test_syn_retransmission_is_the_same_connection)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    send_seg(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);
    CHECK(rst_core_connections(n.core) == 1);
    net_free(&n);
}

TEST(test_views_are_separate_connections)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    struct rst_segment other = segment(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);
    other.view = 1; /* another capture interface, or an inner tunnel layer */
    rst_core_add(n.core, &other, &n.params);
    CHECK(rst_core_connections(n.core) == 2);
    CHECK(rst_core_hosts(n.core) == 4);
    net_free(&n);
}

TEST(test_unknown_ids_are_refused)
{
    struct net n;
    struct rst_verdict v;
    net_init(&n, 4);
    CHECK(!rst_core_verdict(n.core, 0, &n.params, true, &v));
    CHECK(!rst_core_verdict(n.core, 7, &n.params, true, &v));
    CHECK(!rst_core_verdict(NULL, 1, &n.params, true, &v));
    net_free(&n);
}

/* What docs/design.md (State) allows a RST's record, and a connection with
 * its index slots (at most half full, doubled: 4 x 8 bytes). */
#define RECORD_BUDGET 160
#define CONNECTION_BUDGET 800

TEST(test_rst_storm_memory_grows_per_rst_not_per_segment)
{
    /* A half-open peer's ACKs, each answered with a bare RST, 200000 times in
     * one connection; then 20000 more ACKs without RSTs.  The core keeps one
     * record per RST and nothing per other segment. */
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    size_t before = rst_core_memory(n.core), half = 0;
    uint32_t last = 0;
    for (uint32_t i = 0; i < 200000; i++) {
        if (i == 100000)
            half = rst_core_memory(n.core);
        send_seg(&n, CLIENT, ACK, C_ISN + 101, S_ISN + 301, 0);
        last = send_reply_rst(&n, SERVER, 0, S_ISN + 301, 0);
    }
    size_t after_rsts = rst_core_memory(n.core);
    for (uint32_t i = 0; i < 20000; i++)
        send_seg(&n, CLIENT, ACK, C_ISN + 101, S_ISN + 301, 0);
    CHECK(rst_core_memory(n.core) == after_rsts);
    CHECK(rst_core_connections(n.core) == 1);
    /* The same for each RST, in either half of the storm (but for the last
     * chunk begun), and within the budget docs/design.md gives a record. */
    size_t per_rst = (after_rsts - before) / 200000;
    size_t first = (half - before) / 100000, second = (after_rsts - half) / 100000;
    CHECK(first + 1 >= second && second + 1 >= first);
    CHECK(per_rst > 0 && per_rst <= RECORD_BUDGET);
    struct rst_verdict v = verdict(&n, last);
    CHECK(v.final_cause == RST_CAUSE_NO_CONNECTION);
    CHECK(v.n_evidence == 0);
    net_free(&n);
}

TEST(test_memory_per_connection)
{
    /* Port scan: each SYN refused, each its own connection.  Per connection:
     * its state, its index slots and its RST's record. */
    struct net n;
    net_init(&n, 4);
    size_t before = rst_core_memory(n.core);
    for (uint32_t i = 0; i < 100000; i++) {
        n.end[SERVER].port = (uint16_t)(1 + i % 65000);
        n.end[CLIENT].port = (uint16_t)(40000 + i / 65000);
        send_seg(&n, CLIENT, SYN, i * 7919u, 0, 0);
        send_reply_rst(&n, SERVER, ACK, 0, i * 7919u + 1);
    }
    CHECK(rst_core_connections(n.core) == 100000);
    size_t per_conn = (rst_core_memory(n.core) - before) / 100000;
    CHECK(per_conn <= CONNECTION_BUDGET + RECORD_BUDGET);
    net_free(&n);
}

TEST(test_many_connections)
{
    struct net n;
    net_init(&n, 4);
    for (uint32_t i = 0; i < 50000; i++) {
        n.end[CLIENT].port = (uint16_t)(1024 + i % 60000);
        n.end[CLIENT].addr[3] = (uint8_t)(i / 60000);
        n.end[CLIENT].addr[2] = (uint8_t)(i >> 8);
        send_seg(&n, CLIENT, SYN, i, 0, 0);
        send_reply_rst(&n, SERVER, ACK, 0, i + 1);
    }
    CHECK(rst_core_connections(n.core) == 50000);
    struct rst_verdict v = verdict(&n, 50000);
    CHECK(v.final_cause == RST_CAUSE_REFUSED);
    CHECK(v.answers_frame == 99999);
    CHECK(v.n_evidence == 0);
    net_free(&n);
}

/* The lab's second capture point, next to the server: the server's link
 * (the router's MAC there 02:00:00:00:02:01, the server's 02:00:00:00:02:02),
 * the client's packets one hop later (TTL 63), the server's straight from it
 * (TTL 64).  Its own interface, or (collapsed) the same one as the client's
 * point, as a default mergecap leaves it. */
static struct rst_segment at_server_point(struct net *n, struct rst_segment s, bool collapsed,
                                          int64_t time_us)
{
    static const uint8_t router[6] = { 2, 0, 0, 0, 2, 1 }, server[6] = { 2, 0, 0, 0, 2, 2 };
    bool from_client = memcmp(s.src, n->end[CLIENT].addr, 16) == 0;
    s.frame = ++n->frame;
    s.time_us = time_us;
    s.view = collapsed ? 0 : 1u << 4;
    s.interface_id = collapsed ? 0 : 1;
    s.ttl = from_client ? 63 : 64;
    memcpy(s.src_mac, from_client ? router : server, 6);
    memcpy(s.link_src, s.src_mac, 6);
    memcpy(s.link_dst, from_client ? server : router, 6);
    return s;
}

/* Feeds a segment as the next frame at its time; returns the RST id. */
static uint32_t feed_at(struct net *n, struct rst_segment s, int64_t time_us)
{
    s.frame = ++n->frame;
    s.time_us = time_us;
    return rst_core_add(n->core, &s, &n->params);
}

static uint32_t feed(struct net *n, struct rst_segment s)
{
    return rst_core_add(n->core, &s, &n->params);
}

/* The handshake at both points from t0 (as the lab's: 20 ms between them):
 * the SYN at the client's point and then at the server's, the SYN-ACK at the
 * server's and then at the client's; acks 1: then the client's ACK at its
 * own point, 2: and at the server's. */
static void handshake_at_two_points(struct net *n, int64_t t0, int acks)
{
    struct rst_segment syn = segment(n, CLIENT, SYN, C_ISN, 0, 0);
    feed_at(n, syn, t0);
    feed(n, at_server_point(n, syn, false, t0 + 20000));
    struct rst_segment synack = segment(n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);
    feed(n, at_server_point(n, synack, false, t0 + 20030));
    feed_at(n, synack, t0 + 40030);
    if (acks < 1)
        return;
    struct rst_segment ack = segment(n, CLIENT, ACK, C_ISN + 1, S_ISN + 1, 0);
    feed_at(n, ack, t0 + 40060);
    if (acks > 1)
        feed(n, at_server_point(n, ack, false, t0 + 60060));
}

/* The forged handshake at both points, in time order: the client's SYN, the
 * forger's RST 1 ms later (client point only), the SYN at the server 20 ms
 * after the client sent it, the SYN-ACK, the SYN-ACK at the client, the
 * client's RST answering it, and that RST at the server. */
struct two_points {
    uint32_t forged, client_rst, client_rst_there;
    uint32_t synack_there, client_rst_frame, client_rst_there_frame;
};

static struct two_points forged_handshake_at_two_points(struct net *n, bool collapsed)
{
    struct two_points t;
    net_init(n, 4);
    int64_t t0 = n->now_us;
    struct rst_segment syn = segment(n, CLIENT, SYN, C_ISN, 0, 0);
    feed_at(n, syn, t0);
    struct rst_segment f = forged(n, SERVER, ACK, 0, C_ISN + 1);
    f.window = 0;
    t.forged = feed_at(n, f, t0 + 1000);
    feed(n, at_server_point(n, syn, collapsed, t0 + 20000));
    struct rst_segment synack = segment(n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);
    feed(n, at_server_point(n, synack, collapsed, t0 + 20030));
    t.synack_there = n->frame;
    feed_at(n, synack, t0 + 40030);
    struct rst_segment rst = segment(n, CLIENT, RST, C_ISN + 1, 0, 0);
    rst.ip_id = 0, rst.window = 0, rst.has_timestamps = false;
    t.client_rst = feed_at(n, rst, t0 + 40060);
    t.client_rst_frame = n->frame;
    t.client_rst_there = feed(n, at_server_point(n, rst, collapsed, t0 + 60060));
    t.client_rst_there_frame = n->frame;
    return t;
}

static void check_forged_handshake_at_two_points(bool collapsed)
{
    struct net n;
    struct two_points t = forged_handshake_at_two_points(&n, collapsed);
    struct rst_verdict v = verdict(&n, t.forged);
    CHECK(v.vantage.unseen);
    CHECK(v.vantage.ref_frame == t.synack_there);
    CHECK(v.vantage.other_interface == (collapsed ? 0 : 1));
    CHECK(v.vantage.other_mac_known == collapsed);
    CHECK(!collapsed || v.vantage.other_mac[5] == 2); /* the server's own end */
    CHECK(v.injected && v.suspicion == 100 && v.final_cause == RST_CAUSE_INJECTED);
    CHECK(v.face_value == RST_CAUSE_REFUSED);
    CHECK(v.first_sighting);
    CHECK_CONTAINS(v.explanation,
                   "Forged in the name of the server (suspicion 100): the "
                   "capture point nearer the server never saw it, though the "
                   "server's packets pass there");
    /* The single-point evidence is still there, each item its own. */
    CHECK(evidence(&v, RST_EV_TTL) && evidence(&v, RST_EV_MAC) && evidence(&v, RST_EV_RACE));

    /* The client's RST, seen at both points: linked, genuine, counted once. */
    v = verdict(&n, t.client_rst);
    CHECK(v.final_cause == RST_CAUSE_NO_CONNECTION && !v.injected && v.n_evidence == 0);
    CHECK(v.vantage.peer_frame == t.client_rst_there_frame && !v.vantage.unseen);
    CHECK(v.first_sighting);
    CHECK_CONTAINS(v.explanation, "The other capture point saw it too (frame");
    v = verdict(&n, t.client_rst_there);
    CHECK(v.vantage.peer_frame == t.client_rst_frame);
    CHECK(!v.injected && v.n_evidence == 0 && v.suspicion == 0);
    CHECK(!v.first_sighting);
    /* Each point is its own connection. */
    CHECK(rst_core_connections(n.core) == 2);
    net_free(&n);
}

TEST(test_two_interfaces_prove_a_forged_handshake_rst)
{
    check_forged_handshake_at_two_points(false);
}

TEST(test_collapsed_merge_splits_the_links)
{
    check_forged_handshake_at_two_points(true);
}

TEST(test_one_pass_proves_nothing_before_the_other_point_speaks)
{
    /* At the forged RST nothing of the server's has been seen at either
     * point yet: no proof (it needs the packets after it, tshark -2). */
    struct net n;
    net_init(&n, 4);
    struct rst_segment syn = segment(&n, CLIENT, SYN, C_ISN, 0, 0);
    feed_at(&n, syn, n.now_us);
    struct rst_segment f = forged(&n, SERVER, ACK, 0, C_ISN + 1);
    f.window = 0;
    uint32_t id = feed(&n, f);
    feed(&n, at_server_point(&n, syn, true, f.time_us + 19000));
    struct rst_verdict v = verdict(&n, id);
    CHECK(!v.vantage.unseen && !v.injected);
    net_free(&n);
}

TEST(test_a_refusal_seen_at_both_points_is_genuine)
{
    /* The collapsed merge of refused-v4 once read the two points' TTLs and
     * MACs of the server as one sender's (suspicion 30). */
    for (int collapsed = 0; collapsed < 2; collapsed++) {
        struct net n;
        net_init(&n, 4);
        int64_t t0 = n.now_us;
        struct rst_segment syn = segment(&n, CLIENT, SYN, C_ISN, 0, 0);
        feed_at(&n, syn, t0);
        feed(&n, at_server_point(&n, syn, collapsed, t0 + 20000));
        struct rst_segment rst = segment(&n, SERVER, RST | ACK, 0, C_ISN + 1, 0);
        rst.ip_id = 0, rst.window = 0, rst.has_timestamps = false;
        uint32_t there = feed(&n, at_server_point(&n, rst, collapsed, t0 + 20030));
        uint32_t here = feed_at(&n, rst, t0 + 40030);
        struct rst_verdict v = verdict(&n, here);
        CHECK(v.final_cause == RST_CAUSE_REFUSED && v.suspicion == 0 && v.n_evidence == 0);
        CHECK(v.vantage.peer_frame == n.frame - 1 && !v.first_sighting);
        v = verdict(&n, there);
        CHECK(v.final_cause == RST_CAUSE_REFUSED && v.suspicion == 0 && v.first_sighting);
        CHECK(v.vantage.peer_frame == n.frame);
        net_free(&n);
    }
}

TEST(test_no_proof_from_a_point_that_stopped_capturing)
{
    /* The server's point saw the handshake, then nothing more: a RST "from
     * the server" later may have passed it after it stopped. */
    struct net n;
    net_init(&n, 4);
    int64_t t0 = n.now_us;
    handshake_at_two_points(&n, t0, 1);
    struct rst_segment f = forged(&n, SERVER, ACK, S_ISN + 1, C_ISN + 1);
    uint32_t id = feed_at(&n, f, t0 + 3000000);
    struct rst_verdict v = verdict(&n, id);
    CHECK(!v.vantage.unseen && !v.vantage.peer_frame);
    CHECK(v.suspicion < 100);
    net_free(&n);
}

TEST(test_no_proof_from_a_point_farther_from_the_sender)
{
    /* A RST from the client, seen at the client, not at the server: the
     * server's point lies beyond it (the client's TTL is lower there), so
     * the RST may have been dropped on the way.  No proof. */
    struct net n;
    net_init(&n, 4);
    int64_t t0 = n.now_us;
    handshake_at_two_points(&n, t0, 2);
    struct rst_segment rst = segment(&n, CLIENT, RST | ACK, C_ISN + 1, S_ISN + 1, 0);
    uint32_t id = feed_at(&n, rst, t0 + 70000);
    struct rst_segment later = segment(&n, SERVER, ACK, S_ISN + 1, C_ISN + 1, 0);
    feed(&n, at_server_point(&n, later, false, t0 + 100000));
    struct rst_verdict v = verdict(&n, id);
    CHECK(!v.vantage.unseen && !v.injected);
    CHECK(v.final_cause == RST_CAUSE_ABORT);
    net_free(&n);
}

static void check_a_point_the_connection_never_reached(bool collapsed)
{
    /* onpath-firewall-reject, captured at both ends: a first connection is
     * seen at both points, the SYN of the second is rejected by the router
     * in the server's name (it never reaches the server's point), then a
     * third connection passes both points again.  Collapsed, the second
     * connection is seen on one link only, and still compares the server
     * with its packets on that link alone. */
    struct net n;
    net_init(&n, 4);
    int64_t t0 = n.now_us;
    for (int k = 0; k < 3; k++) {
        n.end[CLIENT].port = (uint16_t)(40000 + k);
        n.end[SERVER].port = k == 1 ? 8021 : 8080;
        int64_t base = t0 + k * 1000000;
        struct rst_segment syn = segment(&n, CLIENT, SYN, C_ISN + k, 0, 0);
        feed_at(&n, syn, base);
        if (k == 1) {
            struct rst_segment r = segment(&n, SERVER, RST | ACK, 0, C_ISN + k + 1, 0);
            r.ttl = 64, r.ip_id = 0, r.window = 0, r.has_timestamps = false;
            uint32_t id = feed_at(&n, r, base + 100);
            /* One pass: the server's point has not spoken since. */
            CHECK(!verdict(&n, id).vantage.unseen);
            continue;
        }
        feed(&n, at_server_point(&n, syn, collapsed, base + 20000));
        struct rst_segment synack = segment(&n, SERVER, SYN | ACK, S_ISN + k, C_ISN + k + 1, 0);
        feed(&n, at_server_point(&n, synack, collapsed, base + 20030));
        feed_at(&n, synack, base + 40030);
    }
    /* The rejected connection's RST is record 1. */
    struct rst_verdict v = verdict(&n, 1);
    CHECK(v.vantage.unseen && v.injected && v.suspicion == 100);
    CHECK(v.vantage.other_interface == (collapsed ? 0 : 1));
    CHECK(evidence(&v, RST_EV_TTL) && evidence(&v, RST_EV_TTL)->expected == 63);
    CHECK(v.vantage.ref_frame == n.frame - 1); /* the third SYN-ACK, at the server */
    CHECK(v.face_value == RST_CAUSE_REFUSED);
    net_free(&n);
}

TEST(test_a_point_the_connection_never_reached)
{
    check_a_point_the_connection_never_reached(false);
    check_a_point_the_connection_never_reached(true);
}

TEST(test_a_forged_frame_does_not_open_a_capture_point)
{
    /* At one point a forged RST with the forger's own MAC still names the
     * receiver's MAC as its destination: the same link, not a second point. */
    struct net n;
    struct rst_verdict v = verdict(&n, forged_handshake_rst(&n, true));
    CHECK(rst_core_connections(n.core) == 1);
    CHECK(v.injected && !v.vantage.unseen && !v.vantage.peer_frame && v.first_sighting);
    net_free(&n);
}

TEST(test_a_mirrored_copy_counts_once)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    struct rst_segment r = segment(&n, SERVER, RST | ACK, 0, C_ISN + 1, 0);
    r.ip_id = 0, r.window = 0, r.has_timestamps = false;
    uint32_t first = feed(&n, r);
    uint32_t copy = feed_at(&n, r, r.time_us + 10);
    CHECK(verdict(&n, first).first_sighting);
    CHECK(!verdict(&n, copy).first_sighting);
    CHECK(verdict(&n, copy).final_cause == RST_CAUSE_REFUSED);
    net_free(&n);
}

TEST(test_identical_rsts_pair_in_order)
{
    /* The client answers two data segments of a server it no longer knows
     * with the same bare RST.  At the client's point the server's second
     * segment lies between them; at the server's point they pass 0.1 ms
     * apart with nothing between, and it keeps the second as a copy of the
     * first.  The first pairs with the first, the second with the second. */
    struct net n;
    net_init(&n, 4);
    int64_t t0 = n.now_us;
    handshake_at_two_points(&n, t0, 2);
    struct rst_segment d1 = segment(&n, SERVER, PSH | ACK, S_ISN + 1, C_ISN + 1, 100);
    struct rst_segment d2 = segment(&n, SERVER, PSH | ACK, S_ISN + 101, C_ISN + 1, 100);
    feed(&n, at_server_point(&n, d1, false, t0 + 100000));
    feed(&n, at_server_point(&n, d2, false, t0 + 100100));
    struct rst_segment rst = segment(&n, CLIENT, RST, C_ISN + 1, 0, 0);
    rst.ip_id = 0, rst.window = 0, rst.has_timestamps = false;
    feed_at(&n, d1, t0 + 120000);
    uint32_t p1 = feed_at(&n, rst, t0 + 120050);
    uint32_t p1_frame = n.frame;
    feed_at(&n, d2, t0 + 120100);
    uint32_t p2 = feed_at(&n, rst, t0 + 120150);
    uint32_t p2_frame = n.frame;
    uint32_t q1 = feed(&n, at_server_point(&n, rst, false, t0 + 140050));
    uint32_t q1_frame = n.frame;
    uint32_t q2 = feed(&n, at_server_point(&n, rst, false, t0 + 140150));
    uint32_t q2_frame = n.frame;
    CHECK(rst_core_record(n.core, q2)->copy_of == q1); /* kept as a copy there */
    CHECK(!rst_core_record(n.core, p2)->copy_of);
    CHECK(verdict(&n, p1).vantage.peer_frame == q1_frame);
    CHECK(verdict(&n, p2).vantage.peer_frame == q2_frame);
    CHECK(verdict(&n, q1).vantage.peer_frame == p1_frame);
    CHECK(verdict(&n, q2).vantage.peer_frame == p2_frame);
    /* Counted once each: at the client's point, where they passed first. */
    CHECK(verdict(&n, p1).first_sighting && verdict(&n, p2).first_sighting);
    CHECK(!verdict(&n, q1).first_sighting && !verdict(&n, q2).first_sighting);
    net_free(&n);
}

/* A half-open server answers each of the client's ACKs with the same bare
 * RST, `count` times 1 ms apart, seen at both points.  Returns how many of
 * the RSTs were linked to their other sighting and how many proven forged. */
static void storm_at_two_points(int count, unsigned *peers, unsigned *unseen)
{
    struct net n;
    net_init(&n, 4);
    int64_t t0 = n.now_us;
    handshake_at_two_points(&n, t0, 0);
    uint32_t *ids = calloc((size_t)count * 2, sizeof *ids);
    for (int i = 0; i < count; i++) {
        int64_t at = t0 + 100000 + i * 1000;
        struct rst_segment ack = segment(&n, CLIENT, ACK, C_ISN + 1, S_ISN + 1, 0);
        /* In capture order: the points 0.2 ms apart here. */
        feed_at(&n, ack, at);
        feed(&n, at_server_point(&n, ack, false, at + 200));
        struct rst_segment rst = segment(&n, SERVER, RST, S_ISN + 1, 0, 0);
        rst.ip_id = 0, rst.window = 0, rst.has_timestamps = false;
        ids[2 * i] = feed(&n, at_server_point(&n, rst, false, at + 230));
        ids[2 * i + 1] = feed_at(&n, rst, at + 430);
    }
    *peers = *unseen = 0;
    for (int i = 0; i < 2 * count; i++) {
        struct rst_verdict v = verdict(&n, ids[i]);
        *unseen += v.vantage.unseen;
        *peers += v.vantage.peer_frame != 0;
    }
    free(ids);
    net_free(&n);
}

TEST(test_a_storm_at_two_points_proves_nothing_false)
{
    unsigned peers, unseen;
    /* 50 alike RSTs at each point: each pairs with its own. */
    storm_at_two_points(50, &peers, &unseen);
    CHECK(peers == 100 && unseen == 0);
    /* 2000: the walk over a sender's RSTs is bounded (the verdicts stay
     * cheap); where it is cut, nothing is linked, and absence proves
     * nothing. */
    storm_at_two_points(2000, &peers, &unseen);
    CHECK(unseen == 0);
}

/* Segments of two capture points, fed in capture order (a merged file is
 * sorted by time), whatever the order they were built in. */
struct timeline {
    struct rst_segment seg[32];
    uint32_t id[32], frame[32];
    int n;
};

static int add_event(struct timeline *t, struct rst_segment s, int64_t time_us)
{
    s.time_us = time_us;
    t->seg[t->n] = s;
    return t->n++;
}

static void feed_timeline(struct net *n, struct timeline *t)
{
    int order[32];
    for (int i = 0; i < t->n; i++)
        order[i] = i;
    for (int i = 1; i < t->n; i++) /* stable insertion sort by time */
        for (int j = i; j > 0 && t->seg[order[j]].time_us < t->seg[order[j - 1]].time_us; j--) {
            int k = order[j];
            order[j] = order[j - 1];
            order[j - 1] = k;
        }
    for (int i = 0; i < t->n; i++) {
        struct rst_segment *s = &t->seg[order[i]];
        s->frame = ++n->frame;
        t->frame[order[i]] = s->frame;
        t->id[order[i]] = rst_core_add(n->core, s, &n->params);
    }
}

TEST(test_clock_offset_between_the_points)
{
    /* The server's capture clock runs 30 s ahead: every packet there is
     * stamped after all of the client's.  The SYN-ACK at both points gives
     * the lag; the forged RST is still proven, the client's RST still paired. */
    const int64_t skew = 30000000;
    struct net n;
    struct timeline t = { .n = 0 };
    net_init(&n, 4);
    int64_t t0 = n.now_us;
    struct rst_segment syn = segment(&n, CLIENT, SYN, C_ISN, 0, 0);
    add_event(&t, syn, t0);
    struct rst_segment f = forged(&n, SERVER, ACK, 0, C_ISN + 1);
    f.window = 0;
    int forged_rst = add_event(&t, f, t0 + 1000);
    add_event(&t, at_server_point(&n, syn, false, 0), t0 + 20000 + skew);
    struct rst_segment synack = segment(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);
    int synack_there = add_event(&t, at_server_point(&n, synack, false, 0), t0 + 20030 + skew);
    add_event(&t, synack, t0 + 40030);
    struct rst_segment rst = segment(&n, CLIENT, RST, C_ISN + 1, 0, 0);
    rst.ip_id = 0, rst.window = 0, rst.has_timestamps = false;
    int here = add_event(&t, rst, t0 + 40060);
    int there = add_event(&t, at_server_point(&n, rst, false, 0), t0 + 60060 + skew);
    feed_timeline(&n, &t);
    struct rst_verdict v = verdict(&n, t.id[forged_rst]);
    CHECK(v.vantage.unseen && v.vantage.ref_frame == t.frame[synack_there]);
    v = verdict(&n, t.id[here]);
    CHECK(v.vantage.peer_frame == t.frame[there] && !v.injected);
    net_free(&n);
}

TEST(test_no_proof_without_the_points_lag)
{
    /* Both captures start mid-connection (no SYN at either point to measure
     * the lag) and the server's clock runs 30 s ahead: the server's genuine
     * RST is not found within 5 s at the other point, and its absence there
     * proves nothing. */
    const int64_t skew = 30000000;
    struct net n;
    struct timeline t = { .n = 0 };
    net_init(&n, 4);
    int64_t t0 = n.now_us;
    struct rst_segment data = segment(&n, CLIENT, PSH | ACK, C_ISN + 1, S_ISN + 1, 100);
    add_event(&t, data, t0);
    add_event(&t, at_server_point(&n, data, false, 0), t0 + 20000 + skew);
    struct rst_segment ack = segment(&n, SERVER, ACK, S_ISN + 1, C_ISN + 101, 0);
    add_event(&t, at_server_point(&n, ack, false, 0), t0 + 20100 + skew);
    add_event(&t, ack, t0 + 40100);
    struct rst_segment rst = segment(&n, SERVER, RST | ACK, S_ISN + 1, C_ISN + 101, 0);
    add_event(&t, at_server_point(&n, rst, false, 0), t0 + 50000 + skew);
    int here = add_event(&t, rst, t0 + 70000);
    struct rst_segment more = segment(&n, CLIENT, ACK, C_ISN + 101, S_ISN + 1, 0);
    add_event(&t, more, t0 + 80000);
    add_event(&t, at_server_point(&n, more, false, 0), t0 + 100000 + skew);
    feed_timeline(&n, &t);
    struct rst_verdict v = verdict(&n, t.id[here]);
    CHECK(!v.vantage.unseen && !v.injected);
    CHECK(v.final_cause == RST_CAUSE_ABORT);
    net_free(&n);
}

/* A port scan with refusals, aborts and a forged refusal among them, fed to
 * a core keyed with k0, k1: the verdicts, in order, as causes, suspicions and
 * explanations. */
static void scan_verdicts(uint64_t k0, uint64_t k1, char *out, size_t size)
{
    struct net n;
    net_init(&n, 4);
    CHECK(rst_core_set_hash_key(n.core, k0, k1));
    handshake(&n); /* the server's own packets: the baseline its forgers miss */
    size_t pos = 0;
    for (uint32_t i = 0; i < 3000; i++) {
        n.end[SERVER].port = (uint16_t)(1 + i % 1000);
        n.end[CLIENT].port = (uint16_t)(40000 + i / 1000);
        send_seg(&n, CLIENT, SYN, i * 7919u, 0, 0);
        uint32_t id;
        if (i % 500 == 7) {
            struct rst_segment f = forged(&n, SERVER, ACK, 0, i * 7919u + 1);
            id = send_forged(&n, f);
        } else {
            id = send_reply_rst(&n, SERVER, ACK, 0, i * 7919u + 1);
        }
        struct rst_verdict v = verdict(&n, id);
        pos += (size_t)snprintf(out + pos, size - pos, "%d %u %s|", v.final_cause, v.suspicion,
                                v.explanation);
        CHECK(pos < size);
    }
    /* Too late once a segment has been fed: the slots sit where the old key
     * put them. */
    CHECK(!rst_core_set_hash_key(n.core, k1, k0));
    net_free(&n);
}

TEST(test_the_hash_key_changes_no_verdict)
{
    static char a[3000 * 600], b[3000 * 600];
    scan_verdicts(0, 0, a, sizeof a);
    scan_verdicts(0x0123456789abcdefull, 0xfedcba9876543210ull, b, sizeof b);
    CHECK(strcmp(a, b) == 0);
    /* Refusals, and the forged ones found (by TTL and MAC), were compared. */
    char refused[8], injected[8];
    snprintf(refused, sizeof refused, "|%d ", RST_CAUSE_REFUSED);
    snprintf(injected, sizeof injected, "|%d ", RST_CAUSE_INJECTED);
    CHECK(strstr(a, refused) && strstr(a, injected));
    struct rst_hash_key k = { 1, 2 }, z = { 0, 0 };
    uint32_t key = 42;
    CHECK(rst_hash(&k, &key, sizeof key) != rst_hash(&z, &key, sizeof key));
}

/* Later passes find a RST's record by its frame (rst_core_rst_of_frame):
 * in frame order, at random (a frame clicked in the GUI), and nothing for
 * frames that were not RSTs or never fed. */
TEST(test_a_frame_finds_its_rst)
{
    struct net n;
    net_init(&n, 4);
    uint32_t id_of[400] = { 0 };
    for (uint32_t i = 0; i < 100; i++) {
        n.end[CLIENT].port = (uint16_t)(40000 + i);
        send_seg(&n, CLIENT, SYN, i * 7919u, 0, 0);
        uint32_t id = send_reply_rst(&n, SERVER, ACK, 0, i * 7919u + 1);
        CHECK(id && n.frame < 400);
        id_of[n.frame] = id;
        if (i % 3 == 0)
            send_seg(&n, CLIENT, SYN, i * 7919u, 0, 0); /* a retransmitted SYN */
    }
    uint32_t last = n.frame;
    for (uint32_t f = 0; f <= last + 2; f++) /* in order, and past the end */
        CHECK(rst_core_rst_of_frame(n.core, f) == (f <= last ? id_of[f] : 0));
    for (uint32_t k = 0; k < 1000; k++) { /* at random, either way */
        uint32_t f = (k * 7919u) % (last + 3);
        CHECK(rst_core_rst_of_frame(n.core, f) == (f <= last ? id_of[f] : 0));
    }
    for (uint32_t f = last; f > 0; f--) /* backwards */
        CHECK(rst_core_rst_of_frame(n.core, f) == id_of[f]);
    struct rst_core *empty = rst_core_new();
    CHECK(rst_core_rst_of_frame(empty, 1) == 0);
    rst_core_free(empty);
    net_free(&n);
}

/* A connection that never leaves its handshake costs a small record
 * (rst_pack.c): the SYN of a flood, the SYN and RST/ACK of a scan, a
 * backscatter SYN-ACK; one that goes on gets its full form for good. */
#define SMALL_RECORD 112
#define SMALL_RST_RECORD 64

TEST(test_handshake_only_connections_stay_small)
{
    CHECK(sizeof(struct rst_conn_small) == SMALL_RECORD);
    CHECK(sizeof(struct rst_record_small) == SMALL_RST_RECORD);
    struct net n;
    net_init(&n, 4);
    for (uint32_t i = 0; i < 3000; i++) {
        n.end[CLIENT].port = (uint16_t)(1024 + i);
        if (i % 3 == 0) {
            send_seg(&n, CLIENT, SYN, i * 7919u, 0, 0); /* a flood's SYN */
        } else if (i % 3 == 1) {
            send_seg(&n, CLIENT, SYN, i * 7919u, 0, 0); /* a scan's refusal */
            send_reply_rst(&n, SERVER, ACK, 0, i * 7919u + 1);
        } else {
            send_seg(&n, SERVER, SYN | ACK, i * 7919u, 77, 0); /* backscatter */
        }
    }
    CHECK(rst_core_connections(n.core) == 3000);
    CHECK(rst_conns_full(n.core) == 0);
    CHECK(rst_records_full(n.core) == 0); /* the refusals' RSTs */
    /* Their verdicts expand them and leave them small. */
    struct rst_verdict v = verdict(&n, 1);
    CHECK(v.final_cause == RST_CAUSE_REFUSED);
    CHECK(rst_conns_full(n.core) == 0);
    CHECK(rst_records_full(n.core) == 0);
    /* A connection that goes on is full from its second side's SYN on, and
     * so are the records of RSTs that end a connection past its handshake
     * (what they answer, what they threw away; the second one its
     * sender's first, prev_rst). */
    n.end[CLIENT].port = 9;
    handshake_and_exchange(&n);
    CHECK(rst_conns_full(n.core) == 1);
    CHECK(rst_records_full(n.core) == 0);
    uint32_t first = send_reply_rst(&n, SERVER, 0, S_ISN + 301, 0);
    uint32_t second = send_reply_rst(&n, SERVER, 0, S_ISN + 301, 0);
    CHECK(rst_core_record(n.core, second)->prev_rst == first);
    CHECK(rst_records_full(n.core) == 2);
    net_free(&n);
}

/* A connection that never got a handshake is small too: a probe of an ACK,
 * FIN or NULL scan (nmap -sA, -sF, -sN) and the host's answer, which has no
 * connection for it (RFC 9293 3.10.7.1: a segment with an ACK gets
 * <SEQ=SEG.ACK><CTL=RST>, one without <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>,
 * a FIN counting in SEG.LEN). */
TEST(test_probes_without_handshake_stay_small)
{
    struct net n;
    net_init(&n, 4);
    uint32_t ids[3000];
    for (uint32_t i = 0; i < 3000; i++) {
        n.end[CLIENT].port = (uint16_t)(1024 + i);
        uint32_t seq = i * 7919u, ack = i * 104729u + 1;
        if (i % 3 == 0) {
            send_seg(&n, CLIENT, ACK, seq, ack, 0);
            ids[i] = send_reply_rst(&n, SERVER, 0, ack, 0);
        } else if (i % 3 == 1) {
            send_seg(&n, CLIENT, FIN, seq, 0, 0);
            ids[i] = send_reply_rst(&n, SERVER, ACK, 0, seq + 1);
        } else {
            send_seg(&n, CLIENT, 0, seq, 0, 0);
            ids[i] = send_reply_rst(&n, SERVER, ACK, 0, seq);
        }
    }
    CHECK(rst_core_connections(n.core) == 3000);
    CHECK(rst_conns_full(n.core) == 0);
    CHECK(rst_records_full(n.core) == 0);
    for (uint32_t i = 0; i < 3; i++) {
        struct rst_verdict v = verdict(&n, ids[i]);
        CHECK(v.final_cause == RST_CAUSE_NO_CONNECTION && v.suspicion == 0);
        CHECK(v.answers_frame == 2 * i + 1);
    }
    CHECK(rst_conns_full(n.core) == 0);
    /* Lone RSTs, as a capture filtered for RSTs holds them (or a network
     * telescope's backscatter): nothing of the peer's to answer. */
    uint32_t lone[200];
    for (uint32_t i = 0; i < 200; i++) {
        n.end[CLIENT].port = (uint16_t)(5000 + i);
        lone[i] = i % 2 ? send_reply_rst(&n, SERVER, ACK, 0, i * 7919u)
                        : send_reply_rst(&n, SERVER, 0, i * 7919u, 0);
    }
    CHECK(rst_core_connections(n.core) == 3200);
    CHECK(rst_conns_full(n.core) == 0);
    CHECK(rst_records_full(n.core) == 0);
    for (uint32_t i = 0; i < 2; i++) {
        struct rst_verdict v = verdict(&n, lone[i]);
        CHECK(v.final_cause == RST_CAUSE_UNKNOWN && !v.answers_frame);
    }
    CHECK(rst_conns_full(n.core) == 0);
    /* A probe with data (a mid-stream segment) keeps its full form. */
    n.end[CLIENT].port = 9;
    send_seg(&n, CLIENT, ACK | PSH, 1000, 2000, 100);
    send_reply_rst(&n, SERVER, 0, 2000, 0);
    CHECK(rst_conns_full(n.core) == 1);
    net_free(&n);
}

/* The tuple indexes are made when a second capture point first shows
 * (rst_points.c note_place): a refusal whose SYN was seen at the client's
 * point before a thousand other connections there is still linked to its
 * sighting at the server's point, and the server's host entries there to
 * those at the first point. */
TEST(test_a_second_point_that_shows_late)
{
    struct net n;
    net_init(&n, 4);
    int64_t t0 = n.now_us;
    struct rst_segment syn = segment(&n, CLIENT, SYN, C_ISN, 0, 0);
    feed_at(&n, syn, t0);
    for (uint32_t i = 0; i < 1000; i++) { /* other connections, one point */
        n.end[CLIENT].port = (uint16_t)(20000 + i);
        send_seg(&n, CLIENT, SYN, i * 7919u, 0, 0);
        send_reply_rst(&n, SERVER, ACK, 0, i * 7919u + 1);
    }
    n.end[CLIENT].port = 40000;
    feed(&n, at_server_point(&n, syn, false, t0 + 20000));
    struct rst_segment rst = segment(&n, SERVER, RST | ACK, 0, C_ISN + 1, 0);
    rst.ip_id = 0, rst.window = 0, rst.has_timestamps = false;
    uint32_t there = feed(&n, at_server_point(&n, rst, false, t0 + 20030));
    uint32_t here = feed_at(&n, rst, t0 + 40030);
    struct rst_verdict v = verdict(&n, here);
    CHECK(v.final_cause == RST_CAUSE_REFUSED && v.suspicion == 0 && v.n_evidence == 0);
    CHECK(v.vantage.peer_frame == n.frame - 1 && !v.first_sighting);
    v = verdict(&n, there);
    CHECK(v.final_cause == RST_CAUSE_REFUSED && v.first_sighting);
    CHECK(v.vantage.peer_frame == n.frame);
    net_free(&n);
}
