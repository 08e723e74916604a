/* rst_frame.c: a frame's live TCP segment, from its bytes to a struct
 * rst_segment: the headers found (rst_locate.c), parsed (rst_wire.c), a
 * RST's payload, the view and the link.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst_frame.h"

#include <string.h>

#define IP_BYTES_MAX 60     /* the longest IPv4 header; IPv6's fixed one is 40 */
#define TCP_BYTES_MAX 60    /* the longest TCP header */
#define RST_PAYLOAD_MAX 512 /* enough for any reason a RST states */
#define ETHERNET_MACS 12    /* destination and source */

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* A RST's payload is its stated reason (RFC 1122 4.2.2.12): the core gets
 * the captured bytes; other segments' payloads are not its business. */
static void point_rst_payload(const uint8_t *bytes, size_t caplen, size_t tcp,
                              struct rst_segment *seg)
{
    if (!(seg->flags & RST_TH_RST) || seg->payload_len == 0)
        return;
    size_t start = tcp + (size_t)(bytes[tcp + 12] >> 4) * 4;
    if (start >= caplen)
        return;
    seg->payload = bytes + start;
    seg->payload_caplen =
        (uint32_t)min_size(min_size(caplen - start, seg->payload_len), RST_PAYLOAD_MAX);
}

enum rst_frame_status rst_frame_read(const uint8_t *bytes, size_t caplen, size_t reported,
                                     const struct rst_frame_hint *hint, struct rst_segment *seg,
                                     struct rst_frame_layout *layout)
{
    if (!rst_locate_tcp(bytes, caplen, reported, hint, layout))
        return layout->fragment ? RST_FRAME_FRAGMENT : RST_FRAME_NONE;
    size_t ip = layout->ip, tcp = layout->tcp;
    size_t tcp_len = tcp < caplen ? min_size(caplen - tcp, TCP_BYTES_MAX) : 0;
    size_t tcp_reported = reported > tcp ? reported - tcp : 0;
    memset(seg, 0, sizeof *seg);
    if (rst_parse_ip_tcp(bytes + ip, min_size(caplen - ip, IP_BYTES_MAX), bytes + tcp, tcp_len,
                         (long)(tcp - ip), (uint32_t)tcp_reported, seg)
        != RST_PARSE_OK)
        return RST_FRAME_BAD;
    point_rst_payload(bytes, caplen, tcp, seg);
    seg->interface_id = hint->interface_id;
    seg->view = rst_frame_view(bytes, caplen, hint->interface_id, hint, layout, &seg->group);
    /* The link it was captured on, outside any tunnel (Linux cooked
     * captures have no destination). */
    if (hint->link_is_ethernet && caplen >= ETHERNET_MACS) {
        memcpy(seg->link_dst, bytes, 6);
        memcpy(seg->link_src, bytes + 6, 6);
        seg->has_link = true;
    }
    return RST_FRAME_OK;
}
