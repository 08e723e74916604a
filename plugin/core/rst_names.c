/* rst_names.c: the core's public words: names of causes, evidence and
 * roles (the values of rst.* fields, which scripts depend on), why a
 * receiver would or would not accept a RST, and the default preferences.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst_names.h"

#include "rst_bytes.h"

#include <string.h>

const char *rst_accept_reason(enum rst_accept accept)
{
    switch (accept) {
    case RST_ACCEPT_ACKS_SYN:
        return "it acknowledges the SYN (SYN-SENT, RFC 9293 3.10.7.3)";
    case RST_ACCEPT_RCV_NXT:
        return "its seq is RCV.NXT (RFC 5961 3.2)";
    case RST_ACCEPT_SYN_SENT_NO:
        return "in SYN-SENT a RST must acknowledge the SYN (RFC 9293 3.10.7.3)";
    case RST_ACCEPT_SYN_SENT_TSECR:
        return "its timestamp echo is no timestamp the receiver sent (Linux drops it in "
               "SYN-SENT)";
    case RST_ACCEPT_IN_WINDOW:
        return "its seq is in the window but not RCV.NXT: RFC 5961 receivers answer "
               "with a challenge ACK";
    case RST_ACCEPT_OUT_OF_WINDOW:
        return "its seq is outside the receive window (RFC 9293 3.10.7.4)";
    case RST_ACCEPT_NOT_RCV_NXT:
        return "its seq is not RCV.NXT (RFC 5961 3.2)";
    default:
        return NULL;
    }
}

void rst_params_default(struct rst_params *params)
{
    static const unsigned weights[RST_EV_COUNT] = {
        [RST_EV_TTL] = 40,           [RST_EV_MAC] = 40,           [RST_EV_SEQ_ZERO] = 40,
        [RST_EV_RACE] = 50,          [RST_EV_BURST_SEQ] = 40,     [RST_EV_BURST_WINDOW] = 20,
        [RST_EV_BURST_TTL] = 30,     [RST_EV_WINDOW] = 25,        [RST_EV_ACK] = 30,
        [RST_EV_NO_TIMESTAMPS] = 25, [RST_EV_TIMESTAMP] = 30,     [RST_EV_IP_ID] = 25,
        [RST_EV_TIMING] = 40,        [RST_EV_CONTRADICTION] = 40,
    };
    params->threshold = 60;
    memcpy(params->weight, weights, sizeof weights);
    params->keepalive_probes = 2;
    params->retransmissions = 3;
    params->idle_seconds = 300;
    params->burst_ms = 2000;
    params->netscaler_codes = true;
}

const char *rst_cause_name(enum rst_cause cause)
{
    static const char *const names[RST_CAUSE_COUNT] = {
        [RST_CAUSE_UNKNOWN] = "unknown",
        [RST_CAUSE_REFUSED] = "refused",
        [RST_CAUSE_NO_CONNECTION] = "no-connection",
        [RST_CAUSE_ACCEPT_QUEUE_OVERFLOW] = "accept-queue-overflow",
        [RST_CAUSE_ABORT] = "abort",
        [RST_CAUSE_DATA_AFTER_CLOSE] = "data-after-close",
        [RST_CAUSE_INVALID_SEGMENT] = "invalid-segment",
        [RST_CAUSE_KEEPALIVE_TIMEOUT] = "keepalive-timeout",
        [RST_CAUSE_RETRANSMISSION_TIMEOUT] = "retransmission-timeout",
        [RST_CAUSE_IDLE_TIMEOUT] = "idle-timeout",
        [RST_CAUSE_INJECTED] = "injected",
    };
    return (unsigned)cause < RST_CAUSE_COUNT ? names[cause] : "unknown";
}

const char *rst_evidence_name(enum rst_evidence_kind kind)
{
    static const char *const names[RST_EV_COUNT] = {
        [RST_EV_TTL] = "ttl_delta",       [RST_EV_MAC] = "mac_mismatch",
        [RST_EV_SEQ_ZERO] = "seq_zero",   [RST_EV_RACE] = "race",
        [RST_EV_BURST_SEQ] = "burst_seq", [RST_EV_BURST_WINDOW] = "burst_window",
        [RST_EV_BURST_TTL] = "burst_ttl", [RST_EV_WINDOW] = "window",
        [RST_EV_ACK] = "ack_mismatch",    [RST_EV_NO_TIMESTAMPS] = "no_timestamps",
        [RST_EV_TIMESTAMP] = "timestamp", [RST_EV_IP_ID] = "ip_id",
        [RST_EV_TIMING] = "timing",       [RST_EV_CONTRADICTION] = "contradiction",
    };
    return (unsigned)kind < RST_EV_COUNT ? names[kind] : "unknown";
}

const char *rst_role_name(enum rst_role role)
{
    switch (role) {
    case RST_ROLE_CLIENT:
        return "client";
    case RST_ROLE_SERVER:
        return "server";
    default:
        return "unknown";
    }
}

const char *rst_impact_name(enum rst_impact impact)
{
    static const char *const names[RST_IMPACT_COUNT] = {
        [RST_IMPACT_UNKNOWN] = "unknown",
        [RST_IMPACT_NONE] = "none",
        [RST_IMPACT_DATA_LOST] = "data-lost",
        [RST_IMPACT_CONNECTION_FAILED] = "connection-failed",
    };
    return (unsigned)impact < RST_IMPACT_COUNT ? names[impact] : "unknown";
}

/* Appends to buf[*pos], keeping room for the terminating NUL. */
static void put_char(char *buf, size_t len, size_t *pos, char c)
{
    if (*pos + 1 < len)
        buf[(*pos)++] = c;
}

static void put_decimal(char *buf, size_t len, size_t *pos, unsigned v)
{
    if (v >= 100)
        put_char(buf, len, pos, (char)('0' + v / 100));
    if (v >= 10)
        put_char(buf, len, pos, (char)('0' + v / 10 % 10));
    put_char(buf, len, pos, (char)('0' + v % 10));
}

/* Lower case, no leading zeros (RFC 5952 4.1, 4.3). */
static void put_hex16(char *buf, size_t len, size_t *pos, unsigned v)
{
    static const char digits[] = "0123456789abcdef";
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
        unsigned d = (v >> shift) & 0xf;
        if (d || started || shift == 0) {
            put_char(buf, len, pos, digits[d]);
            started = true;
        }
    }
}

static void format_ipv6(const uint8_t *a, char *buf, size_t len)
{
    uint16_t words[8];
    int best = -1, best_len = 0;
    for (int i = 0; i < 8; i++)
        words[i] = get16(a + 2 * i);
    /* RFC 5952 4.2: the longest run of two or more zero words becomes "::". */
    for (int i = 0; i < 8;) {
        int j = i;
        while (j < 8 && words[j] == 0)
            j++;
        if (j - i > best_len && j - i >= 2) {
            best = i;
            best_len = j - i;
        }
        i = j > i ? j : i + 1;
    }
    size_t pos = 0;
    for (int i = 0; i < 8; i++) {
        if (i == best) {
            put_char(buf, len, &pos, ':');
            put_char(buf, len, &pos, ':');
            i += best_len - 1;
            continue;
        }
        if (i > 0 && !(best >= 0 && i == best + best_len))
            put_char(buf, len, &pos, ':');
        put_hex16(buf, len, &pos, words[i]);
    }
    buf[pos] = '\0';
}

/* By hand rather than with snprintf: the verdict of every RST names its
 * sender, and printf's machinery was a tenth of a verdict's cost. */
void rst_format_address(uint8_t ip_version, const uint8_t *addr, char *buf, size_t len)
{
    size_t pos = 0;
    if (len == 0)
        return;
    if (ip_version == 4) {
        for (int i = 0; i < 4; i++) {
            if (i)
                put_char(buf, len, &pos, '.');
            put_decimal(buf, len, &pos, addr[i]);
        }
    } else if (ip_version == 6) {
        format_ipv6(addr, buf, len);
        return;
    } else {
        put_char(buf, len, &pos, '?');
    }
    buf[pos] = '\0';
}
