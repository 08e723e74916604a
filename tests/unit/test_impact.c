/* test_impact.c: what each kind of RST cost (core/rst_impact.c), built
 * segment by segment the way a Linux stack sends it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "fixture.h"

#include <string.h>

/* After handshake_and_exchange: client next 1101, server next 5301. */
#define C_NEXT (C_ISN + 101)
#define S_NEXT (S_ISN + 301)

TEST(test_impact_finished_exchange_closed_by_server_rst)
{
    /* SO_LINGER 0 after the answer and its ACK: nothing in flight. */
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    struct rst_verdict v = verdict(&n, send_seg(&n, SERVER, RST | ACK, S_NEXT, C_NEXT, 0));
    CHECK(v.final_cause == RST_CAUSE_ABORT);
    CHECK(v.impact == RST_IMPACT_NONE);
    CHECK(v.impact_bytes == 0);
    CHECK_STR(rst_impact_name(v.impact), "none");
    net_free(&n);
}

TEST(test_impact_client_aborts_after_reading_the_answer)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    struct rst_verdict v = verdict(&n, send_seg(&n, CLIENT, RST | ACK, C_NEXT, S_NEXT, 0));
    CHECK(v.impact == RST_IMPACT_NONE);
    net_free(&n);
}

TEST(test_impact_server_closes_with_the_request_unread)
{
    /* The kernel acknowledged the 100-byte request; the application closed
     * without reading it or answering: Linux resets (tcp_close). */
    struct net n;
    net_init(&n, 4);
    handshake_and_request(&n);
    send_seg(&n, SERVER, ACK, S_ISN + 1, C_ISN + 101, 0);
    struct rst_verdict v = verdict(&n, send_seg(&n, SERVER, RST | ACK, S_ISN + 1, C_ISN + 101, 0));
    CHECK(v.impact == RST_IMPACT_DATA_LOST);
    CHECK(v.loss.unanswered == 100);
    CHECK(v.loss.unanswered_frame == 4);
    CHECK(v.loss.unanswered_from == RST_ROLE_CLIENT);
    CHECK(v.loss.receiver_unacked == 0);
    CHECK(v.impact_bytes == 100);
    net_free(&n);
}

TEST(test_impact_rst_acknowledging_unread_data)
{
    /* The RST is the first to acknowledge the 100 bytes: read by TCP,
     * thrown away by an application that never read them. */
    struct net n;
    net_init(&n, 4);
    handshake_and_request(&n);
    struct rst_verdict v = verdict(&n, send_seg(&n, SERVER, RST | ACK, S_ISN + 1, C_ISN + 101, 0));
    CHECK(v.impact == RST_IMPACT_DATA_LOST);
    CHECK(v.loss.first_acked == 100);
    CHECK(v.loss.unanswered == 100);
    /* The same 100 bytes, counted once. */
    CHECK(v.impact_bytes == 100);
    net_free(&n);
}

TEST(test_impact_client_aborts_a_download_in_flight)
{
    /* The server has sent 2000 more bytes; the client acknowledged none. */
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    send_seg(&n, SERVER, ACK, S_NEXT, C_NEXT, 1000);
    send_seg(&n, SERVER, ACK, S_NEXT + 1000, C_NEXT, 1000);
    struct rst_verdict v = verdict(&n, send_seg(&n, CLIENT, RST | ACK, C_NEXT, S_NEXT, 0));
    CHECK(v.impact == RST_IMPACT_DATA_LOST);
    CHECK(v.loss.receiver_unacked == 2000);
    CHECK(v.loss.receiver_frame == 9);
    CHECK(v.loss.sender_unacked == 0);
    CHECK(v.impact_bytes == 2000);
    net_free(&n);
}

TEST(test_impact_counts_the_peer_still_sending_after_the_rst)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    send_seg(&n, SERVER, ACK, S_NEXT, C_NEXT, 1000);
    uint32_t id = send_seg(&n, CLIENT, RST | ACK, C_NEXT, S_NEXT, 0);
    /* In flight when the RST left: the client answers it with a RST. */
    send_seg(&n, SERVER, ACK, S_NEXT + 1000, C_NEXT, 500);
    send_reply_rst(&n, CLIENT, 0, S_NEXT + 1000, 0);
    struct rst_verdict v = verdict(&n, id);
    CHECK(v.loss.receiver_unacked == 1500);
    CHECK(v.loss.receiver_frame == 10);
    net_free(&n);
}

TEST(test_impact_own_unacknowledged_bytes)
{
    /* The server resets with 300 bytes of its own not yet acknowledged. */
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    send_seg(&n, CLIENT, PSH | ACK, C_NEXT, S_NEXT, 50);
    send_seg(&n, SERVER, PSH | ACK, S_NEXT, C_NEXT + 50, 300);
    struct rst_verdict v =
        verdict(&n, send_seg(&n, SERVER, RST | ACK, S_NEXT + 300, C_NEXT + 50, 0));
    CHECK(v.impact == RST_IMPACT_DATA_LOST);
    CHECK(v.loss.sender_unacked == 300);
    CHECK(v.loss.sender_frame == 9);
    CHECK(v.loss.unanswered == 0);
    net_free(&n);
}

TEST(test_impact_late_replies_after_a_reset_cost_nothing)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    send_seg(&n, SERVER, RST | ACK, S_NEXT, C_NEXT, 0);
    /* The client's data crosses the RST; the server has no connection. */
    send_seg(&n, CLIENT, PSH | ACK, C_NEXT, S_NEXT, 40);
    struct rst_verdict v = verdict(&n, send_reply_rst(&n, SERVER, 0, S_NEXT, 0));
    CHECK(v.after_frame == 8);
    CHECK(v.impact == RST_IMPACT_NONE);
    net_free(&n);
}

TEST(test_impact_refusal_and_forged_refusal_fail_the_connection)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    struct rst_verdict v = verdict(&n, send_reply_rst(&n, SERVER, ACK, 0, C_ISN + 1));
    CHECK(v.impact == RST_IMPACT_CONNECTION_FAILED);
    CHECK_STR(rst_impact_name(v.impact), "connection-failed");
    net_free(&n);

    struct net m;
    uint32_t id = forged_handshake_rst(&m, true);
    v = verdict(&m, id);
    CHECK(v.injected);
    CHECK(v.impact == RST_IMPACT_CONNECTION_FAILED);
    net_free(&m);
}

TEST(test_impact_mid_connection_without_loss_is_unknown)
{
    /* No handshake: who asked and who answered is unknown. */
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, PSH | ACK, C_NEXT, S_NEXT, 100);
    send_seg(&n, SERVER, ACK, S_NEXT, C_NEXT + 100, 0);
    struct rst_verdict v = verdict(&n, send_seg(&n, SERVER, RST | ACK, S_NEXT, C_NEXT + 100, 0));
    CHECK(v.impact == RST_IMPACT_UNKNOWN);
    net_free(&n);
}

TEST(test_impact_gap_makes_counts_a_lower_bound)
{
    /* The capture missed 1000 bytes of the download. */
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    send_seg(&n, SERVER, ACK, S_NEXT + 1000, C_NEXT, 1000);
    struct rst_verdict v = verdict(&n, send_seg(&n, CLIENT, RST | ACK, C_NEXT, S_NEXT, 0));
    CHECK(v.impact == RST_IMPACT_DATA_LOST);
    CHECK(v.loss.lower_bound);
    CHECK(v.loss.receiver_unacked == 2000);
    net_free(&n);
}

TEST(test_impact_answer_acknowledged_after_the_rst_arrived)
{
    /* SO_LINGER 0 right after the answer: the client's ACK crosses the
     * RST on the wire.  Until it shows, the 300 bytes look lost; it shows
     * they arrived (a capture at the server sees the ACK after the RST). */
    struct net n;
    net_init(&n, 4);
    handshake_and_request(&n);
    send_seg(&n, SERVER, PSH | ACK, S_ISN + 1, C_ISN + 101, 300);
    uint32_t id = send_seg(&n, SERVER, RST | ACK, S_NEXT, C_ISN + 101, 0);
    struct rst_verdict v = verdict(&n, id);
    CHECK(v.impact == RST_IMPACT_DATA_LOST);
    CHECK(v.loss.sender_unacked == 300);
    send_seg(&n, CLIENT, ACK, C_NEXT, S_NEXT, 0);
    v = verdict(&n, id);
    CHECK(v.impact == RST_IMPACT_NONE);
    CHECK(v.impact_bytes == 0);
    net_free(&n);
}

TEST(test_impact_burst_counted_at_its_first_rst)
{
    /* A censor's RSTs in the server's name after the request; the real
     * server's answer then arrives: the first RST ended the connection and
     * counts the request and the answer, the others nothing more. */
    struct net n;
    net_init(&n, 4);
    handshake_and_request(&n);
    uint32_t first = send_forged(&n, forged(&n, SERVER, RST, S_ISN + 1, 0));
    uint32_t second = send_forged(&n, forged(&n, SERVER, RST | ACK, S_ISN + 1, C_ISN + 101));
    uint32_t third = send_forged(&n, forged(&n, SERVER, RST | ACK, S_ISN + 1461, C_ISN + 101));
    send_seg(&n, SERVER, PSH | ACK, S_ISN + 1, C_ISN + 101, 300);
    struct rst_verdict v = verdict(&n, first);
    CHECK(v.impact == RST_IMPACT_DATA_LOST);
    CHECK(v.loss.sender_unacked == 300);
    CHECK(v.loss.unanswered == 100);
    /* The server's ACK shows the request arrived: unanswered, not unacknowledged. */
    CHECK(v.loss.receiver_unacked == 0);
    CHECK(v.impact_bytes == 400);
    CHECK(v.impact_frame == 0);
    for (unsigned k = 0; k < 2; k++) {
        v = verdict(&n, k ? third : second);
        CHECK(v.impact == RST_IMPACT_NONE);
        CHECK(v.impact_frame == 5);
        CHECK(v.impact_bytes == 0);
        CHECK(strstr(v.explanation, "the RST in frame 5 had ended the connection") != NULL);
    }
    net_free(&n);
}

TEST(test_impact_reordered_answer_is_no_gap)
{
    /* The answer's second segment arrives first; the first fills the hole
     * and the client acknowledges both: nothing was lost or missed. */
    struct net n;
    net_init(&n, 4);
    handshake_and_request(&n);
    send_seg(&n, SERVER, ACK, S_ISN + 1001, C_ISN + 101, 1000);
    send_seg(&n, SERVER, ACK, S_ISN + 1, C_ISN + 101, 1000);
    send_seg(&n, CLIENT, ACK, C_ISN + 101, S_ISN + 2001, 0);
    struct rst_verdict v =
        verdict(&n, send_seg(&n, SERVER, RST | ACK, S_ISN + 2001, C_ISN + 101, 0));
    CHECK(v.impact == RST_IMPACT_NONE);
    CHECK(!v.loss.lower_bound);
    net_free(&n);
}

TEST(test_impact_no_connection_refuses_the_data_it_answers)
{
    /* No handshake in the capture (the client's NAT changed its address):
     * the host answers a 52-byte request with "no connection". */
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, PSH | ACK, C_NEXT, S_NEXT, 52);
    struct rst_verdict v = verdict(&n, send_reply_rst(&n, SERVER, 0, S_NEXT, 0));
    CHECK(v.wire_cause == RST_CAUSE_NO_CONNECTION);
    CHECK(v.impact == RST_IMPACT_DATA_LOST);
    CHECK(v.loss.receiver_unacked == 52);
    CHECK(v.loss.receiver_frame == 1);
    CHECK(v.loss.lower_bound);
    net_free(&n);
}

TEST(test_impact_request_unread_and_data_after_are_both_counted)
{
    /* The server's kernel acknowledged the 100-byte request, the server
     * closed unread; the client sends 20 bytes twice more, each answered
     * with "no connection". */
    struct net n;
    net_init(&n, 4);
    handshake_and_request(&n);
    send_seg(&n, SERVER, ACK, S_ISN + 1, C_ISN + 101, 0);
    uint32_t id = send_seg(&n, SERVER, RST | ACK, S_ISN + 1, C_ISN + 101, 0);
    send_seg(&n, CLIENT, PSH | ACK, C_ISN + 101, S_ISN + 1, 20);
    uint32_t late = send_reply_rst(&n, SERVER, 0, S_ISN + 1, 0);
    send_seg(&n, CLIENT, PSH | ACK, C_ISN + 121, S_ISN + 1, 20);
    send_reply_rst(&n, SERVER, 0, S_ISN + 1, 0);
    struct rst_verdict v = verdict(&n, id);
    CHECK(v.impact == RST_IMPACT_DATA_LOST);
    CHECK(v.loss.unanswered == 100);
    CHECK(v.loss.receiver_unacked == 40);
    CHECK(v.impact_bytes == 140);
    v = verdict(&n, late);
    CHECK(v.impact == RST_IMPACT_NONE);
    CHECK(v.impact_frame == 6);
    net_free(&n);
}

TEST(test_impact_long_run_of_late_replies_names_the_rst_that_ended_it)
{
    /* The client aborts a download; the server's data still arriving is
     * answered segment by segment, more than any bounded walk back: every
     * late reply names the abort, which counts the loss. */
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    uint32_t abort_id = send_seg(&n, CLIENT, RST | ACK, C_NEXT, S_NEXT, 0);
    uint32_t last = 0;
    for (uint32_t k = 0; k < 20; k++) {
        send_seg(&n, SERVER, ACK, S_NEXT + k * 1000, C_NEXT, 1000);
        last = send_reply_rst(&n, CLIENT, 0, C_NEXT, 0);
    }
    struct rst_verdict v = verdict(&n, last);
    CHECK(v.wire_cause == RST_CAUSE_NO_CONNECTION);
    CHECK(v.after_frame == 8);
    CHECK(v.impact == RST_IMPACT_NONE);
    CHECK(v.impact_frame == 8);
    v = verdict(&n, abort_id);
    CHECK(v.impact == RST_IMPACT_DATA_LOST);
    CHECK(v.loss.receiver_unacked == 20000);
    net_free(&n);
}

TEST(test_impact_names)
{
    CHECK_STR(rst_impact_name(RST_IMPACT_UNKNOWN), "unknown");
    CHECK_STR(rst_impact_name(RST_IMPACT_NONE), "none");
    CHECK_STR(rst_impact_name(RST_IMPACT_DATA_LOST), "data-lost");
    CHECK_STR(rst_impact_name(RST_IMPACT_CONNECTION_FAILED), "connection-failed");
    CHECK_STR(rst_impact_name(RST_IMPACT_COUNT), "unknown");
}
