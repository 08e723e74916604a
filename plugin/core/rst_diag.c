/* rst_diag.c: RSTs that state their own reason.
 *
 * RFC 1122 4.2.2.12: "A TCP SHOULD allow a received RST segment to include
 * data" explaining the cause.  The TCPM working group's
 * draft-ietf-tcpm-rst-diagnostic-payload (-00 to -02, April and May 2026,
 * experimental) gives it one structure:
 *   0x33AA | reason-code (16) | PEN (32), SEG.LEN = 8, code 0 reserved,
 *   PEN 0 = the IANA "TCP Failure Causes" registry (codes 1-17);
 * malformed payloads with the magic number are to be ignored (3.2).  The
 * individual drafts before it are still read: a free description
 * 0xF317 | UTF-8 (-14 to -16, February and March 2026), and the CBOR
 * sequence [12345, {1: code, 2: PEN, 3: description}] (-00 to -12,
 * 2022 to 2025).  docs/fields.md lists what changed between revisions.
 *
 * Vendors: an F5 BIG-IP with reset-cause logging puts
 * "BIG-IP: [0x<value>:<line>] {peer} <cause>" in the payload (the value,
 * line and peer bit are what F5's own Wireshark dissector of its Ethernet
 * trailer, packet-f5ethtrailer.c, shows as "RST cause"); a Citrix NetScaler
 * puts a reset code in the window (rst_netscaler.c).  Multipath TCP states
 * a reason in MP_TCPRST and closes the whole connection with MP_FASTCLOSE
 * (RFC 8684 3.6, 3.5).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst_core.h"

#include <string.h>

#define DIAG_COMPACT_MAGIC 0x33AA
#define DIAG_TEXT_MAGIC 0xF317
#define DIAG_COMPACT_LEN 8
#define DIAG_CBOR_MAGIC 12345 /* the drafts' placeholder for their RFC number */
#define CBOR_UINT 0
#define CBOR_TEXT 3
#define CBOR_MAP 5

/* The registry as draft-ietf-tcpm-rst-diagnostic-payload-02 section 7.1
 * words it (the individual drafts capitalised some: "ABORT Process"). */
static const char *const iana_causes[] = {
    [1] = "Illegal option length",
    [2] = "Desynchronized state",
    [3] = "New data is received after CLOSE is called",
    [4] = "ABORT process",
    [5] = "Unexpected ACK received by non-synchronized state connection",
    [6] = "Unexpected SYN in the window",
    [7] = "Unexpected security compartment",
    [8] = "Malformed message",
    [9] = "Not authorized",
    [10] = "Resource exceeded",
    [11] = "Network failure",
    [12] = "Reset received from the peer",
    [13] = "Destination unreachable",
    [14] = "Connection timeout",
    [15] = "Too much outstanding data",
    [16] = "Unacceptable performance",
    [17] = "Middlebox interference",
};

/* RFC 8684 3.6: MP_TCPRST reason codes (Wireshark names them alike). */
static const char *const mptcp_reasons[] = {
    [0] = "Unspecified error",         [1] = "MPTCP-specific error",
    [2] = "Lack of resources",         [3] = "Administratively prohibited",
    [4] = "Too much outstanding data", [5] = "Unacceptable performance",
    [6] = "Middlebox interference",
};

const char *rst_diag_reason_name(uint16_t code)
{
    if (code < sizeof iana_causes / sizeof iana_causes[0] && iana_causes[code])
        return iana_causes[code];
    return NULL;
}

const char *rst_diag_reason(const struct rst_diag *d)
{
    switch (d->format) {
    case RST_DIAG_COMPACT:
    case RST_DIAG_CBOR:
        return d->has_code && d->pen == 0 ? rst_diag_reason_name(d->code) : NULL;
    case RST_DIAG_MPTCP:
        return d->has_code && d->code < sizeof mptcp_reasons / sizeof mptcp_reasons[0]
            ? mptcp_reasons[d->code]
            : NULL;
    case RST_DIAG_WINDOW:
        return rst_netscaler_reason(d->code);
    default:
        return NULL;
    }
}

/* What an IANA registry code says about the cause, where it says it plainly. */
static enum rst_cause registry_cause(uint16_t code)
{
    switch (code) {
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

/* RFC 8684: MP_FASTCLOSE closes the whole connection at once, as an abort
 * does (3.5: the sender "wants to abruptly close"); of MP_TCPRST's reasons
 * an MPTCP-specific error is a segment its receiver could not accept and
 * administratively prohibited a refusal (Linux answers an MP_JOIN beyond
 * its subflow limit so); the others leave the cause to the connection. */
static enum rst_cause mptcp_cause(const struct rst_diag *d)
{
    if (d->fastclose_frame)
        return RST_CAUSE_ABORT;
    if (!d->has_code)
        return RST_CAUSE_UNKNOWN;
    if (d->code == 1)
        return RST_CAUSE_INVALID_SEGMENT;
    if (d->code == 3)
        return RST_CAUSE_REFUSED;
    return RST_CAUSE_UNKNOWN;
}

enum rst_cause rst_diag_cause(const struct rst_diag *d)
{
    switch (d->format) {
    case RST_DIAG_COMPACT:
    case RST_DIAG_CBOR:
        return d->has_code && d->pen == 0 ? registry_cause(d->code) : RST_CAUSE_UNKNOWN;
    case RST_DIAG_MPTCP:
        return mptcp_cause(d);
    case RST_DIAG_WINDOW:
        return rst_netscaler_cause(d->code);
    default:
        /* F5 documents no list of its cause texts that the plugin could
         * cite: its text is quoted, the cause stays the connection's. */
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

/* One CBOR data item's head (RFC 8949 3): its major type and argument, at
 * most 32 bits here (no reason code, PEN or description needs more). */
static bool cbor_head(const uint8_t *p, size_t len, size_t *at, unsigned major, uint32_t *value)
{
    if (*at >= len || p[*at] >> 5 != major)
        return false;
    unsigned info = p[(*at)++] & 0x1F;
    if (info < 24) {
        *value = info;
        return true;
    }
    if (info > 26)
        return false; /* 64-bit arguments, indefinite lengths: none fit here */
    size_t n = (size_t)1 << (info - 24);
    if (len - *at < n)
        return false;
    *value = 0;
    for (size_t k = 0; k < n; k++)
        *value = (*value << 8) | p[(*at)++];
    return true;
}

/* The individual drafts' CBOR sequence (-00 to -12): the magic cookie 12345,
 * then a map of at most a reason code (key 1), a PEN (key 2) and a
 * description (key 3), at least a code or a description. */
static enum rst_diag_format parse_cbor(const uint8_t *p, size_t len, struct rst_diag *d)
{
    size_t at = 0;
    uint32_t v, pairs;
    if (!cbor_head(p, len, &at, CBOR_UINT, &v) || v != DIAG_CBOR_MAGIC)
        return RST_DIAG_DATA;
    if (!cbor_head(p, len, &at, CBOR_MAP, &pairs) || pairs == 0 || pairs > 3)
        return RST_DIAG_MALFORMED;
    bool has_text = false;
    for (uint32_t i = 0; i < pairs; i++) {
        uint32_t key;
        if (!cbor_head(p, len, &at, CBOR_UINT, &key))
            return RST_DIAG_MALFORMED;
        if (key == 3) {
            uint32_t n;
            if (has_text || !cbor_head(p, len, &at, CBOR_TEXT, &n) || n > len - at
                || !set_text(d, p + at, n, false))
                return RST_DIAG_MALFORMED;
            has_text = true;
            at += n;
        } else if (key == 1 || key == 2) {
            if (!cbor_head(p, len, &at, CBOR_UINT, &v) || (key == 1 && (v == 0 || v > 0xFFFF)))
                return RST_DIAG_MALFORMED;
            if (key == 1) {
                d->has_code = true;
                d->code = (uint16_t)v;
            } else {
                d->pen = v;
            }
        } else {
            return RST_DIAG_MALFORMED;
        }
    }
    return at == len && (d->has_code || has_text) ? RST_DIAG_CBOR : RST_DIAG_MALFORMED;
}

/* Digits of base 16 or 10 at p[*at], as many as max: their value. */
static bool read_number(const uint8_t *p, size_t len, size_t *at, unsigned base, size_t max,
                        uint64_t *value)
{
    size_t start = *at;
    *value = 0;
    while (*at < len && *at - start < max) {
        uint8_t c = p[*at];
        unsigned digit;
        if (c >= '0' && c <= '9')
            digit = c - '0';
        else if (base == 16 && (c | 0x20) >= 'a' && (c | 0x20) <= 'f')
            digit = (c | 0x20) - 'a' + 10;
        else
            break;
        *value = *value * base + digit;
        (*at)++;
    }
    return *at > start;
}

static bool starts_with(const uint8_t *p, size_t len, size_t at, const char *word)
{
    size_t n = strlen(word);
    return len - at >= n && memcmp(p + at, word, n) == 0;
}

/* An F5 BIG-IP reset cause in reset text: "BIG-IP: [0x<value>:<line>]",
 * " {peer}" where the reset comes from the other side of the BIG-IP's
 * proxy, then the cause. */
static void read_f5(struct rst_diag *d)
{
    const uint8_t *p = d->text;
    size_t len = d->text_len, at = 0;
    uint64_t value, line;
    if (!starts_with(p, len, 0, "BIG-IP: [0x"))
        return;
    at = strlen("BIG-IP: [0x");
    if (!read_number(p, len, &at, 16, 16, &value) || !starts_with(p, len, at, ":"))
        return;
    at++;
    if (!read_number(p, len, &at, 10, 5, &line) || line > 0xFFFF || !starts_with(p, len, at, "]"))
        return;
    at++;
    d->f5_peer = starts_with(p, len, at, " {peer}");
    if (d->f5_peer)
        at += strlen(" {peer}");
    while (at < len && p[at] == ' ')
        at++;
    d->vendor = RST_VENDOR_F5;
    d->f5_value = value;
    d->f5_line = (uint16_t)line;
    d->cause_offset = (uint8_t)at; /* under RST_DIAG_TEXT_MAX */
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
        /* Section 3.1: the compact form is exactly 8 bytes, code 0 reserved. */
        if (payload_len != DIAG_COMPACT_LEN) {
            d->format = RST_DIAG_MALFORMED;
            return;
        }
        if (caplen < DIAG_COMPACT_LEN)
            return; /* the capture cut it: unreadable, not malformed */
        d->code = (uint16_t)((payload[2] << 8) | payload[3]);
        d->has_code = d->code != 0;
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
    if (!cut && caplen >= 3 && payload[0] == 0x19) {
        struct rst_diag c = *d;
        enum rst_diag_format f = parse_cbor(payload, caplen, &c);
        if (f != RST_DIAG_DATA) {
            *d = c;
            d->format = f;
            if (f == RST_DIAG_MALFORMED) {
                d->text = NULL;
                d->text_len = 0;
                d->has_code = false;
            }
            return;
        }
    }
    if (set_text(d, payload, caplen, cut) && reads_as_words(d->text, d->text_len)) {
        d->format = RST_DIAG_TEXT;
        read_f5(d);
        return;
    }
    d->text = NULL;
    d->text_len = 0;
    d->text_truncated = false;
}

void rst_diag_read(const struct rst_segment *s, struct rst_diag *d)
{
    if (!s->has_mptcp_rst && !s->mptcp_fastclose) {
        rst_diag_parse(s->payload, s->payload_caplen, s->payload_len, d);
        if (s->mptcp_malformed && d->format <= RST_DIAG_DATA)
            d->format = RST_DIAG_MALFORMED;
        return;
    }
    /* RFC 8684 says it in the options: the payload, if any, is not read. */
    memset(d, 0, sizeof *d);
    d->format = RST_DIAG_MPTCP;
    d->has_code = s->has_mptcp_rst;
    d->code = s->mptcp_rst_reason;
    d->mptcp_flags = s->mptcp_rst_flags;
    d->fastclose_frame = s->mptcp_fastclose ? s->frame : 0;
}

bool rst_diag_window(uint16_t window, struct rst_diag *d)
{
    if (!rst_netscaler_reason(window))
        return false;
    memset(d, 0, sizeof *d);
    d->format = RST_DIAG_WINDOW;
    d->vendor = RST_VENDOR_NETSCALER;
    d->has_code = true;
    d->code = window;
    return true;
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
    case RST_DIAG_CBOR:
        return "cbor";
    case RST_DIAG_MPTCP:
        return "mptcp";
    case RST_DIAG_WINDOW:
        return "window";
    default:
        return "none";
    }
}

const char *rst_diag_vendor_name(enum rst_diag_vendor vendor)
{
    switch (vendor) {
    case RST_VENDOR_F5:
        return "F5 BIG-IP";
    case RST_VENDOR_NETSCALER:
        return "Citrix NetScaler";
    default:
        return NULL;
    }
}
