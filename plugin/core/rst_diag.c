/* rst_diag.c: RSTs that state their own reason.
 *
 * RFC 1122 4.2.2.12: "A TCP SHOULD allow a received RST segment to include
 * data" explaining the cause.  draft-boucadair-tcpm-rst-diagnostic-payload
 * (experimental) gives it a structure:
 *   compact:          0x33AA | reason-code (16) | PEN (32), SEG.LEN = 8,
 *                     code 0 reserved, PEN 0 = the IANA "TCP Failure Causes";
 *   free description: 0xF317 | UTF-8 description (SEG.LEN - 2).
 * Malformed payloads with a magic number are to be ignored (section 3.3).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst_core.h"

#include <string.h>

#define DIAG_COMPACT_MAGIC 0x33AA
#define DIAG_TEXT_MAGIC 0xF317
#define DIAG_COMPACT_LEN 8

static const char *const iana_causes[] = {
    [1] = "Illegal Option",
    [2] = "Desynchronized state",
    [3] = "New data is received after CLOSE is called",
    [4] = "ABORT Process",
    [5] = "Unexpected ACK received by non-synchronized state connection",
    [6] = "Unexpected SYN in the window",
    [7] = "Unexpected security compartment",
    [8] = "Malformed Message",
    [9] = "Not Authorized",
    [10] = "Resource Exceeded",
    [11] = "Network Failure",
    [12] = "Reset received from the peer",
    [13] = "Destination Unreachable",
    [14] = "Connection Timeout",
    [15] = "Too much outstanding data",
    [16] = "Unacceptable performance",
    [17] = "Middlebox interference",
};

const char *rst_diag_reason_name(uint16_t code)
{
    if (code < sizeof iana_causes / sizeof iana_causes[0] && iana_causes[code])
        return iana_causes[code];
    return NULL;
}

/* What a registered reason says about the cause, where it says it plainly. */
enum rst_cause rst_diag_cause(const struct rst_diag *d)
{
    if (d->format != RST_DIAG_COMPACT || d->pen != 0)
        return RST_CAUSE_UNKNOWN;
    switch (d->code) {
    case 1:
    case 5:
    case 6:
    case 7:
    case 8:
        return RST_CAUSE_INVALID_SEGMENT;
    case 2:
        return RST_CAUSE_NO_CONNECTION;
    case 3:
        return RST_CAUSE_DATA_AFTER_CLOSE;
    case 4:
        return RST_CAUSE_ABORT;
    case 14: /* e.g. a NAT whose mapping expired (the draft's example) */
        return RST_CAUSE_IDLE_TIMEOUT;
    default:
        return RST_CAUSE_UNKNOWN;
    }
}

/* Length of a UTF-8 sequence starting with lead byte b whose second byte
 * is c (RFC 3629 4: no overlong forms, no surrogates, nothing past
 * U+10FFFF), 0 if invalid. */
static size_t utf8_sequence(uint8_t b, uint8_t c)
{
    if (b < 0x80)
        return 1;
    if ((c & 0xC0) != 0x80)
        return 0;
    if (b >= 0xC2 && b <= 0xDF)
        return 2;
    if ((b == 0xE0 && c < 0xA0) || (b == 0xED && c >= 0xA0))
        return 0;
    if (b >= 0xE0 && b <= 0xEF)
        return 3;
    if ((b == 0xF0 && c < 0x90) || (b == 0xF4 && c >= 0x90))
        return 0;
    if (b >= 0xF0 && b <= 0xF4)
        return 4;
    return 0;
}

static bool is_control(uint8_t b)
{
    return (b < 0x20 && b != '\t' && b != '\r' && b != '\n') || b == 0x7f;
}

/* How many bytes of p are text: valid UTF-8 without control characters,
 * possibly followed by NUL padding.  A character cut at the end counts as
 * the end when the capture cut it (cut_end).  Returns false if the bytes are
 * no text. */
static bool text_length(const uint8_t *p, size_t len, bool cut_end, size_t *text_len)
{
    size_t i = 0;
    while (i < len && p[i] != 0) {
        if (is_control(p[i]))
            return false;
        size_t n = utf8_sequence(p[i], i + 1 < len ? p[i + 1] : 0x80);
        if (n == 0)
            return false;
        if (i + n > len) {
            if (!cut_end)
                return false;
            *text_len = i; /* the capture ends inside this character */
            return i > 0;
        }
        for (size_t k = 2; k < n; k++)
            if ((p[i + k] & 0xC0) != 0x80)
                return false;
        i += n;
    }
    *text_len = i;
    for (size_t k = i; k < len; k++)
        if (p[k] != 0)
            return false; /* NUL inside: binary */
    return i > 0;
}

/* At most max bytes, ending on a character boundary. */
static size_t cut_to(const uint8_t *p, size_t len, size_t max)
{
    if (len <= max)
        return len;
    while (max > 0 && (p[max] & 0xC0) == 0x80)
        max--;
    return max;
}

static bool set_text(struct rst_diag *d, const uint8_t *p, size_t caplen, bool cut)
{
    size_t len;
    if (!text_length(p, caplen, cut, &len) || len == 0)
        return false;
    d->text = p;
    d->text_len = cut_to(p, len, RST_DIAG_TEXT_MAX);
    d->text_truncated = cut || d->text_len < len;
    return true;
}

/* RFC 1122 gives reset text no format: call it text if it reads as words,
 * not as a short run of bytes that happens to be printable. */
static bool reads_as_words(const uint8_t *p, size_t len)
{
    size_t alnum = 0;
    for (size_t i = 0; i < len; i++)
        if ((p[i] >= '0' && p[i] <= '9') || ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'z'))
            alnum++;
    return len >= 2 && alnum * 2 >= len;
}

void rst_diag_parse(const uint8_t *payload, size_t caplen, uint32_t payload_len, struct rst_diag *d)
{
    memset(d, 0, sizeof *d);
    if (payload_len == 0)
        return;
    d->format = RST_DIAG_DATA;
    if (caplen < payload_len)
        d->uncaptured = payload_len - (uint32_t)caplen;
    if (!payload || caplen < 2)
        return;
    if (caplen > payload_len)
        caplen = payload_len; /* link-layer padding is not payload */
    bool cut = caplen < payload_len;
    uint16_t magic = (uint16_t)((payload[0] << 8) | payload[1]);
    if (magic == DIAG_COMPACT_MAGIC) {
        /* Section 3.3: the compact form is exactly 8 bytes, code 0 reserved. */
        if (payload_len != DIAG_COMPACT_LEN) {
            d->format = RST_DIAG_MALFORMED;
            return;
        }
        if (caplen < DIAG_COMPACT_LEN)
            return; /* the capture cut it: unreadable, not malformed */
        d->code = (uint16_t)((payload[2] << 8) | payload[3]);
        d->pen = ((uint32_t)payload[4] << 24) | ((uint32_t)payload[5] << 16)
            | ((uint32_t)payload[6] << 8) | payload[7];
        d->format = d->code ? RST_DIAG_COMPACT : RST_DIAG_MALFORMED;
        return;
    }
    if (magic == DIAG_TEXT_MAGIC) {
        d->format =
            set_text(d, payload + 2, caplen - 2, cut) ? RST_DIAG_DESCRIPTION : RST_DIAG_MALFORMED;
        return;
    }
    if (set_text(d, payload, caplen, cut) && reads_as_words(d->text, d->text_len)) {
        d->format = RST_DIAG_TEXT;
        return;
    }
    d->text = NULL;
    d->text_len = 0;
    d->text_truncated = false;
}

const char *rst_diag_format_name(enum rst_diag_format format)
{
    switch (format) {
    case RST_DIAG_DATA:
        return "data";
    case RST_DIAG_MALFORMED:
        return "malformed";
    case RST_DIAG_COMPACT:
        return "compact";
    case RST_DIAG_DESCRIPTION:
        return "description";
    case RST_DIAG_TEXT:
        return "text";
    default:
        return "none";
    }
}
