/* test_verdict.c: the one entry for a verdict, with and without the
 * explanation, and the public words it gives.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "fixture.h"

/* Every field of the two verdicts but the explanation. */
static bool same_but_explanation(struct rst_verdict a, struct rst_verdict b)
{
    memset(a.explanation, 0, sizeof a.explanation);
    memset(b.explanation, 0, sizeof b.explanation);
    a.diag.text = b.diag.text = NULL; /* the same text, compared by pointer below */
    return memcmp(&a, &b, sizeof a) == 0;
}

static void check_both_ways(struct net *n, uint32_t id)
{
    struct rst_verdict with, without;
    memset(&with, 0, sizeof with);
    memset(&without, 0, sizeof without);
    CHECK(rst_core_verdict(n->core, id, &n->params, true, &with));
    CHECK(rst_core_verdict(n->core, id, &n->params, false, &without));
    CHECK(with.explanation[0] != '\0');
    CHECK(without.explanation[0] == '\0');
    CHECK(with.diag.text == without.diag.text);
    CHECK(same_but_explanation(with, without));
}

/* The plugin asks for the explanation only where something reads it: the
 * verdict it renders for a filter or a field list is the same verdict. */
TEST(test_verdict_without_explanation_is_the_same_verdict)
{
    struct net n;
    uint32_t forged_id = forged_handshake_rst(&n, true); /* injected, with evidence */
    check_both_ways(&n, forged_id);
    net_free(&n);

    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    uint32_t refused = send_reply_rst(&n, SERVER, ACK, 0, C_ISN + 1);
    check_both_ways(&n, refused);
    net_free(&n);

    net_init(&n, 6);
    handshake_and_exchange(&n);
    uint32_t abort_id = send_seg(&n, SERVER, RST | ACK, S_ISN + 301, C_ISN + 101, 0);
    check_both_ways(&n, abort_id);
    net_free(&n);
}

/* The four causes, in the order the verdict decides them: a forged RST's
 * wire cause and face value are what it imitates, its final cause says
 * it was forged. */
TEST(test_the_four_causes_of_a_forged_refusal)
{
    struct net n;
    struct rst_verdict v = verdict(&n, forged_handshake_rst(&n, true));
    CHECK(v.wire_cause == RST_CAUSE_REFUSED);
    CHECK(v.stated_cause == RST_CAUSE_UNKNOWN);
    CHECK(v.face_value == RST_CAUSE_REFUSED);
    CHECK(v.final_cause == RST_CAUSE_INJECTED);
    net_free(&n);
}

TEST(test_cause_names_are_the_public_values)
{
    CHECK_STR(rst_cause_name(RST_CAUSE_REFUSED), "refused");
    CHECK_STR(rst_cause_name(RST_CAUSE_NO_CONNECTION), "no-connection");
    CHECK_STR(rst_cause_name(RST_CAUSE_ACCEPT_QUEUE_OVERFLOW), "accept-queue-overflow");
    CHECK_STR(rst_cause_name(RST_CAUSE_ABORT), "abort");
    CHECK_STR(rst_cause_name(RST_CAUSE_DATA_AFTER_CLOSE), "data-after-close");
    CHECK_STR(rst_cause_name(RST_CAUSE_INVALID_SEGMENT), "invalid-segment");
    CHECK_STR(rst_cause_name(RST_CAUSE_KEEPALIVE_TIMEOUT), "keepalive-timeout");
    CHECK_STR(rst_cause_name(RST_CAUSE_RETRANSMISSION_TIMEOUT), "retransmission-timeout");
    CHECK_STR(rst_cause_name(RST_CAUSE_IDLE_TIMEOUT), "idle-timeout");
    CHECK_STR(rst_cause_name(RST_CAUSE_INJECTED), "injected");
    CHECK_STR(rst_cause_name(RST_CAUSE_UNKNOWN), "unknown");
    CHECK_STR(rst_cause_name((enum rst_cause)99), "unknown");
}
