/* test_text.c: the verdict in one line and the explanation cut into lines
 * (core/rst_text.c), for a tree that cuts labels at 240 characters.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "fixture.h"

#include <string.h>

/* The lines rst_text_line makes of text, each at most max long, joined
 * with single spaces, must give the text back. */
static void check_lines(const char *text, size_t max, unsigned expected_lines)
{
    char joined[4096] = "";
    unsigned lines = 0;
    const char *p = text;
    while (*p) {
        size_t next;
        size_t len = rst_text_line(p, max, &next);
        CHECK(len <= max);
        CHECK(next > 0);
        if (!next)
            return;
        if (lines)
            strcat(joined, " ");
        strncat(joined, p, len);
        lines++;
        p += next;
    }
    CHECK(lines == expected_lines);
    CHECK_STR(joined, text);
}

TEST(test_text_lines_end_with_sentences)
{
    check_lines("Answers the SYN in frame 1: nothing listens. The connection attempt failed.", 200,
                2);
    /* Not a sentence end: a number, a lower-case word after the dot. */
    check_lines("It came 0.06 ms after it (RFC 9293 3.10.7.4). e.g. this stays.", 200, 1);
    check_lines("One sentence only", 200, 1);
    check_lines("", 200, 0);
}

TEST(test_text_long_sentences_break_after_a_clause)
{
    const char *text =
        "Forged in the name of the server (suspicion 100): the server went on sending "
        "after it (frame 162); TTL 241 where the server's packets arrive with 63 "
        "(frame 155); source MAC 02:00:00:00:01:66 where the server's packets come "
        "from 02:00:00:00:01:01 (frame 155).";
    size_t next;
    size_t len = rst_text_line(text, 120, &next);
    CHECK(len <= 120);
    CHECK(text[len - 1] == ';');
    check_lines(text, 120, 3);
    /* A word longer than a line is cut where the line ends. */
    char word[300];
    memset(word, 'x', sizeof word - 1);
    word[sizeof word - 1] = '\0';
    len = rst_text_line(word, 200, &next);
    CHECK(len == 200 && next == 200);
    len = rst_text_line(word + next, 200, &next);
    CHECK(len == 99 && next == 99);
}

TEST(test_summary_says_who_and_what_it_cost)
{
    struct rst_verdict v;
    char buf[128];
    memset(&v, 0, sizeof v);
    v.sender = RST_ROLE_SERVER;
    v.impact = RST_IMPACT_NONE;
    rst_summary(&v, buf, sizeof buf);
    CHECK_STR(buf, "from the server, nothing lost");
    v.injected = true;
    v.impact = RST_IMPACT_DATA_LOST;
    v.impact_bytes = 1868;
    rst_summary(&v, buf, sizeof buf);
    CHECK_STR(buf, "in the server's name, lost 1868 bytes");
    v.sender = RST_ROLE_UNKNOWN;
    v.loss.lower_bound = true;
    v.impact_bytes = 1;
    rst_summary(&v, buf, sizeof buf);
    CHECK_STR(buf, "lost at least 1 byte");
    v.impact = RST_IMPACT_NONE;
    v.impact_frame = 4294967295u;
    rst_summary(&v, buf, sizeof buf);
    CHECK_STR(buf, "nothing more lost (frame 4294967295 ended the connection)");
    v.impact = RST_IMPACT_CONNECTION_FAILED;
    rst_summary(&v, buf, sizeof buf);
    CHECK_STR(buf, "the connection attempt failed");
    v.impact = RST_IMPACT_UNKNOWN;
    rst_summary(&v, buf, 8); /* cut, terminated */
    CHECK(strlen(buf) == 7);
}
