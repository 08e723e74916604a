/* test_diag.c: the reasons a RST states in its payload, and what they do to
 * the verdict.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "fixture.h"

static struct rst_diag diag_of(const uint8_t *p, size_t caplen, uint32_t len)
{
    struct rst_diag d;
    rst_diag_parse(p, caplen, len, &d);
    return d;
}

#define DIAG(bytes) diag_of((const uint8_t *)(bytes), sizeof(bytes) - 1, sizeof(bytes) - 1)

TEST(test_diag_compact)
{
    /* draft-boucadair-tcpm-rst-diagnostic-payload: 0x33AA, code, PEN. */
    struct rst_diag d = DIAG("\x33\xAA\x00\x04\x00\x00\x00\x00");
    CHECK(d.format == RST_DIAG_COMPACT);
    CHECK(d.code == 4);
    CHECK(d.pen == 0);
    CHECK_STR(rst_diag_reason_name(d.code), "ABORT process");
    CHECK(rst_diag_cause(&d) == RST_CAUSE_ABORT);

    d = DIAG("\x33\xAA\x04\xD2\x00\x00\x7E\x99"); /* vendor code 1234 of PEN 32409 */
    CHECK(d.format == RST_DIAG_COMPACT);
    CHECK(d.code == 1234);
    CHECK(d.pen == 32409);
    CHECK(rst_diag_cause(&d) == RST_CAUSE_UNKNOWN); /* a vendor's code means what it says */

    d = DIAG("\x33\xAA\x00\x02\x00\x00\x00\x00");
    CHECK(rst_diag_cause(&d) == RST_CAUSE_NO_CONNECTION);
    d = DIAG("\x33\xAA\x00\x0E\x00\x00\x00\x00");
    CHECK(rst_diag_cause(&d) == RST_CAUSE_IDLE_TIMEOUT);
    d = DIAG("\x33\xAA\x00\x09\x00\x00\x00\x00"); /* Not Authorized: no cause of ours */
    CHECK(rst_diag_cause(&d) == RST_CAUSE_UNKNOWN);
    CHECK(rst_diag_reason_name(999) == NULL);
    CHECK(rst_diag_reason_name(0) == NULL);

    /* Malformed ones are ignored (the draft, 3.3): wrong length, code 0. */
    CHECK(DIAG("\x33\xAA\x00\x04\x00\x00\x00\x00\x00").format == RST_DIAG_MALFORMED);
    CHECK(DIAG("\x33\xAA\x00\x04\x00\x00").format == RST_DIAG_MALFORMED);
    CHECK(DIAG("\x33\xAA\x00\x00\x00\x00\x00\x00").format == RST_DIAG_MALFORMED);
    struct rst_diag m = DIAG("\x33\xAA\x00\x00\x00\x00\x00\x00");
    CHECK(rst_diag_cause(&m) == RST_CAUSE_UNKNOWN);
    /* A capture that cut it short: unreadable, not malformed. */
    d = diag_of((const uint8_t *)"\x33\xAA\x00\x04", 4, 8);
    CHECK(d.format == RST_DIAG_DATA);
    CHECK(d.uncaptured == 4);
    d = diag_of(NULL, 0, 8); /* nothing of it captured */
    CHECK(d.format == RST_DIAG_DATA && d.uncaptured == 8);
    CHECK(DIAG("\x33\xAA\x00\x04\x00\x00\x00\x00").uncaptured == 0);
}

TEST(test_diag_text)
{
    struct rst_diag d = DIAG("\xF3\x17"
                             "Connection closed by policy");
    CHECK(d.format == RST_DIAG_DESCRIPTION);
    CHECK(d.text_len == 27);
    CHECK(memcmp(d.text, "Connection closed by policy", 27) == 0);
    CHECK(!d.text_truncated);
    CHECK(rst_diag_cause(&d) == RST_CAUSE_UNKNOWN);

    CHECK(DIAG("\xF3\x17").format == RST_DIAG_MALFORMED);             /* no description */
    CHECK(DIAG("\xF3\x17\xC0\x80").format == RST_DIAG_MALFORMED);     /* overlong UTF-8 */
    CHECK(DIAG("\xF3\x17\xED\xA0\x80").format == RST_DIAG_MALFORMED); /* a surrogate */
    CHECK(DIAG("\xF3\x17"
               "a\x01"
               "b")
              .format
          == RST_DIAG_MALFORMED); /* a control byte */

    /* RFC 1122 4.2.2.12 text, e.g. a firewall's "Access Denied" (NUL padded). */
    d = diag_of((const uint8_t *)"Access Denied\0\0", 15, 15);
    CHECK(d.format == RST_DIAG_TEXT);
    CHECK(d.text_len == 13);
    d = DIAG("R\xC3\xA9initialis\xC3\xA9"); /* UTF-8 "Réinitialisé" */
    CHECK(d.format == RST_DIAG_TEXT);
    CHECK(DIAG("\x01\x02\x03\x04").format == RST_DIAG_DATA);
    CHECK(DIAG("A").format == RST_DIAG_DATA);       /* one byte is no words */
    CHECK(DIAG("Acc\0ss").format == RST_DIAG_DATA); /* NUL inside: binary */
    CHECK(DIAG("\xFF\xFE"
               "Access")
              .format
          == RST_DIAG_DATA); /* not UTF-8 */
    CHECK(diag_of(NULL, 0, 0).format == RST_DIAG_NONE);
    CHECK(diag_of(NULL, 0, 40).format == RST_DIAG_DATA); /* not captured */

    /* Ethernet pads a short frame: bytes past the TCP payload are no text. */
    d = diag_of((const uint8_t *)"Bye\x00\x00\x00", 6, 3);
    CHECK(d.format == RST_DIAG_TEXT);
    CHECK(d.text_len == 3);
}

TEST(test_diag_text_is_cut_to_whole_characters)
{
    /* The capture ends inside "é": the text stops before it. */
    const uint8_t cut[] = "Fermeture d\xC3\xA9";
    struct rst_diag d = diag_of(cut, sizeof cut - 2, sizeof cut - 1 + 10);
    CHECK(d.format == RST_DIAG_TEXT);
    CHECK(d.text_len == 11);
    CHECK(d.text_truncated);

    /* Longer than the core keeps: cut on a character boundary. */
    uint8_t longer[2 + 3 * 100];
    longer[0] = 0xF3;
    longer[1] = 0x17;
    for (int i = 0; i < 100; i++)
        memcpy(longer + 2 + 3 * i, "\xE2\x82\xAC", 3); /* "€" x 100 */
    d = diag_of(longer, sizeof longer, sizeof longer);
    CHECK(d.format == RST_DIAG_DESCRIPTION);
    CHECK(d.text_len <= RST_DIAG_TEXT_MAX);
    CHECK(d.text_len % 3 == 0);
    CHECK(d.text_truncated);
}

/* A RST with a payload, from a socket as in segment(). */
static uint32_t send_rst_saying(struct net *n, enum who from, uint8_t flags, uint32_t seq,
                                uint32_t ack, const void *payload, uint32_t len)
{
    struct rst_segment s = segment(n, from, flags | RST, seq, ack, len);
    s.payload = payload;
    s.payload_caplen = len;
    return rst_core_add(n->core, &s, &n->params);
}

TEST(test_stated_reason_wins_over_the_wire)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    /* At the server's next seq, no reply: an abort on the wire; the server
     * states "Desynchronized state". */
    struct rst_verdict v = verdict(&n,
                                   send_rst_saying(&n, SERVER, ACK, S_ISN + 301, C_ISN + 101,
                                                   "\x33\xAA\x00\x02\x00\x00\x00\x00", 8));
    CHECK(v.final_cause == RST_CAUSE_NO_CONNECTION);
    CHECK(v.face_value == RST_CAUSE_NO_CONNECTION);
    CHECK(v.wire_cause == RST_CAUSE_ABORT);
    CHECK(v.diag.format == RST_DIAG_COMPACT);
    CHECK(v.diag.code == 2);
    CHECK(v.n_evidence == 0);
    CHECK_CONTAINS(v.explanation,
                   "It states its reason: \"Desynchronized state\" (TCP failure cause 2).");
    CHECK_CONTAINS(v.explanation, "From the connection alone it would be abort:");
    net_free(&n);
}

TEST(test_stated_reason_that_agrees)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    struct rst_verdict v = verdict(&n,
                                   send_rst_saying(&n, SERVER, ACK, S_ISN + 301, C_ISN + 101,
                                                   "\x33\xAA\x00\x04\x00\x00\x00\x00", 8));
    CHECK(v.final_cause == RST_CAUSE_ABORT);
    CHECK(v.wire_cause == RST_CAUSE_ABORT);
    CHECK_CONTAINS(v.explanation, "\"ABORT process\"");
    CHECK(strstr(v.explanation, "From the connection alone") == NULL);
    net_free(&n);
}

TEST(test_text_and_vendor_codes_are_quoted_not_trusted)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    struct rst_verdict v = verdict(
        &n, send_rst_saying(&n, SERVER, ACK, S_ISN + 301, C_ISN + 101, "Access Denied", 13));
    CHECK(v.final_cause == RST_CAUSE_ABORT);
    CHECK(v.diag.format == RST_DIAG_TEXT);
    CHECK(v.diag.text_len == 13 && memcmp(v.diag.text, "Access Denied", 13) == 0);
    CHECK_CONTAINS(v.explanation, "The server aborted");
    CHECK_CONTAINS(v.explanation, "It carries text (RFC 1122 4.2.2.12): \"Access Denied\".");
    net_free(&n);

    net_init(&n, 6);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    v = verdict(
        &n, send_rst_saying(&n, SERVER, ACK, 0, C_ISN + 1, "\x33\xAA\x04\xD2\x00\x00\x7E\x99", 8));
    CHECK(v.final_cause == RST_CAUSE_REFUSED);
    CHECK(v.diag.pen == 32409);
    CHECK_CONTAINS(v.explanation, "reason code 1234 of private enterprise number 32409");
    net_free(&n);
}

TEST(test_a_forged_rst_may_state_a_reason)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    struct rst_segment f = forged(&n, SERVER, ACK, S_ISN + 301, C_ISN + 101);
    f.payload_len = 8;
    f.payload = (const uint8_t *)"\x33\xAA\x00\x11\x00\x00\x00\x00"; /* Middlebox interference */
    f.payload_caplen = 8;
    send_seg(&n, SERVER, PSH | ACK, S_ISN + 301, C_ISN + 101, 100); /* the real server goes on */
    struct rst_verdict v = verdict(&n, send_forged(&n, f));
    CHECK(v.final_cause == RST_CAUSE_INJECTED);
    CHECK(v.diag.code == 17);
    CHECK_CONTAINS(v.explanation, "\"Middlebox interference\"");
    net_free(&n);
}
