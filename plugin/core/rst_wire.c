/* rst_wire.c: reading IP and TCP headers from raw bytes.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst_frame.h"

#include "rst_bytes.h"

#include <string.h>

#define TCP_FLAGS_END 14 /* bytes needed to read the flags byte */
#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCPOPT_WINDOW 3
#define TCPOLEN_WINDOW 3
#define TCPOPT_TIMESTAMP 8
#define TCPOLEN_TIMESTAMP 10
#define TCPOPT_MPTCP 30         /* RFC 8684 3 */
#define MPTCP_SUB_FASTCLOSE 0x7 /* 3.5: kind, length 12, subtype, reserved, key (64) */
#define MPTCP_SUB_TCPRST 0x8    /* 3.6: kind, length 4, subtype | U V W T, reason */
#define MPTCPOLEN_FASTCLOSE 12
#define MPTCPOLEN_TCPRST 4

/* Returns the IP payload length announced by the header (0 if unknown:
 * IPv4 total length 0 from TSO captures, IPv6 jumbograms). */
static enum rst_parse_status parse_ip(const uint8_t *ip, size_t ip_len, struct rst_segment *seg,
                                      uint32_t *ip_packet_len)
{
    if (ip_len < 1)
        return RST_PARSE_TRUNCATED;
    seg->ip_version = ip[0] >> 4;
    seg->has_ip_id = false;
    seg->ip_id = 0;
    seg->df = false;
    memset(seg->src, 0, sizeof seg->src);
    memset(seg->dst, 0, sizeof seg->dst);
    if (seg->ip_version == 4) {
        if (ip_len < IPV4_MIN_HEADER)
            return RST_PARSE_TRUNCATED;
        if ((ip[0] & 0x0f) * 4u < IPV4_MIN_HEADER)
            return RST_PARSE_MALFORMED;
        *ip_packet_len = get16(ip + 2);
        seg->has_ip_id = true;
        seg->ip_id = get16(ip + 4);
        seg->df = (ip[6] & 0x40) != 0;
        seg->ttl = ip[8];
        memcpy(seg->src, ip + 12, 4);
        memcpy(seg->dst, ip + 16, 4);
        return RST_PARSE_OK;
    }
    if (seg->ip_version == 6) {
        if (ip_len < IPV6_HEADER)
            return RST_PARSE_TRUNCATED;
        uint16_t payload = get16(ip + 4);
        *ip_packet_len = payload ? IPV6_HEADER + (uint32_t)payload : 0;
        seg->ttl = ip[7];
        memcpy(seg->src, ip + 8, 16);
        memcpy(seg->dst, ip + 24, 16);
        return RST_PARSE_OK;
    }
    return RST_PARSE_MALFORMED;
}

/* RFC 8684's two options that explain a reset; either of another length is
 * malformed (3.6: a receiver ignores it, the plugin says so). */
static void parse_mptcp(const uint8_t *opt, struct rst_segment *seg)
{
    uint8_t subtype = opt[1] >= 3 ? opt[2] >> 4 : 0xF;
    if (subtype == MPTCP_SUB_TCPRST) {
        if (opt[1] != MPTCPOLEN_TCPRST) {
            seg->mptcp_malformed = true;
            return;
        }
        seg->has_mptcp_rst = true;
        seg->mptcp_rst_flags = opt[2] & 0x0F;
        seg->mptcp_rst_reason = opt[3];
    } else if (subtype == MPTCP_SUB_FASTCLOSE) {
        if (opt[1] != MPTCPOLEN_FASTCLOSE)
            seg->mptcp_malformed = true;
        else
            seg->mptcp_fastclose = true;
    }
}

/* RFC 7323 timestamps and window scale, RFC 8684's reset options: the
 * options the core needs. */
static void parse_options(const uint8_t *opt, size_t len, struct rst_segment *seg)
{
    size_t i = 0;
    while (i < len) {
        uint8_t kind = opt[i];
        if (kind == TCPOPT_EOL)
            return;
        if (kind == TCPOPT_NOP) {
            i++;
            continue;
        }
        if (i + 1 >= len || opt[i + 1] < 2 || i + opt[i + 1] > len)
            return; /* malformed or cut short: stop quietly */
        if (kind == TCPOPT_TIMESTAMP && opt[i + 1] == TCPOLEN_TIMESTAMP) {
            seg->has_timestamps = true;
            seg->tsval = get32(opt + i + 2);
            seg->tsecr = get32(opt + i + 6);
        } else if (kind == TCPOPT_WINDOW && opt[i + 1] == TCPOLEN_WINDOW) {
            seg->has_wscale = true;
            seg->wscale = opt[i + 2] > 14 ? 14 : opt[i + 2]; /* RFC 7323 2.3 */
        } else if (kind == TCPOPT_MPTCP) {
            parse_mptcp(opt + i, seg);
        }
        i += opt[i + 1];
    }
}

static uint32_t payload_length(uint32_t ip_packet_len, long tcp_offset, uint32_t tcp_reported,
                               uint32_t tcp_header_len)
{
    uint32_t end;
    if (tcp_offset >= 0 && ip_packet_len > 0) {
        /* The IP length excludes link-layer padding (a 54-byte RST is padded
         * to 60 on Ethernet), so it wins over the buffer's length. */
        if (ip_packet_len < (uint32_t)tcp_offset)
            return 0;
        end = ip_packet_len - (uint32_t)tcp_offset;
    } else {
        end = tcp_reported;
    }
    return end > tcp_header_len ? end - tcp_header_len : 0;
}

enum rst_parse_status rst_parse_ip_tcp(const uint8_t *ip, size_t ip_len, const uint8_t *tcp,
                                       size_t tcp_len, long tcp_offset, uint32_t tcp_reported,
                                       struct rst_segment *seg)
{
    uint32_t ip_packet_len = 0;
    enum rst_parse_status status = parse_ip(ip, ip_len, seg, &ip_packet_len);
    if (status != RST_PARSE_OK)
        return status;
    if (tcp_len < TCP_FLAGS_END)
        return RST_PARSE_TRUNCATED;

    seg->sport = get16(tcp);
    seg->dport = get16(tcp + 2);
    seg->seq = get32(tcp + 4);
    seg->ack = get32(tcp + 8);
    uint32_t header_len = (uint32_t)(tcp[12] >> 4) * 4;
    if (header_len < TCP_MIN_HEADER)
        return RST_PARSE_MALFORMED;
    seg->flags = tcp[13];
    seg->window_cut = tcp_len < 16;
    seg->window = seg->window_cut ? 0 : get16(tcp + 14);
    seg->options_cut = tcp_len < header_len;
    seg->has_timestamps = false;
    seg->has_wscale = false;
    seg->has_mptcp_rst = seg->mptcp_fastclose = seg->mptcp_malformed = false;
    seg->mptcp_rst_flags = seg->mptcp_rst_reason = 0;
    if (tcp_len > TCP_MIN_HEADER) {
        size_t options_end = tcp_len < header_len ? tcp_len : header_len;
        parse_options(tcp + TCP_MIN_HEADER, options_end - TCP_MIN_HEADER, seg);
    }
    seg->payload_len = payload_length(ip_packet_len, tcp_offset, tcp_reported, header_len);
    return RST_PARSE_OK;
}
