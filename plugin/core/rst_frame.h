/* rst_frame.h: a frame's live TCP segment, read from its bytes.
 *
 * The Wireshark layer says what its dissectors found (struct
 * rst_frame_hint: the carrying IP header's version and addresses, the TCP
 * ports, the tunnels below); rst_frame_read finds those headers in the
 * frame's bytes and reads them into a struct rst_segment, the unit the
 * analysis (rst_core.h) is fed.  Nothing here keeps state.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RST_FRAME_H
#define RST_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* TCP header flag bits, byte 13 of the header (RFC 9293 3.1). */
#define RST_TH_FIN 0x01
#define RST_TH_SYN 0x02
#define RST_TH_RST 0x04
#define RST_TH_PSH 0x08
#define RST_TH_ACK 0x10
#define RST_TH_URG 0x20

/* One TCP segment as seen at the capture point. */
struct rst_segment {
    uint32_t frame;           /* capture frame number, from 1 */
    int64_t time_us;          /* capture time, microseconds */
    uint32_t view;            /* capture point / encapsulation context */
    uint32_t interface_id;    /* the capture interface (names a capture point) */
    uint32_t group;           /* where it is matched across capture points: 0 outside
                               * tunnels, inside the tunnel's own identity
                               * (rst_frame_view's group) */
    uint8_t ip_version;       /* 4 or 6 */
    uint8_t src[16], dst[16]; /* IPv4 uses the first 4 bytes */
    uint16_t sport, dport;
    uint8_t ttl;    /* IPv4 TTL or IPv6 hop limit */
    bool has_ip_id; /* IPv4 only */
    uint16_t ip_id;
    bool df;
    bool has_mac; /* link layer with a source MAC */
    uint8_t src_mac[6];
    bool has_link;                    /* the capture link's Ethernet header (the outermost): */
    uint8_t link_src[6], link_dst[6]; /* which link of a collapsed merge it was seen on */
    uint32_t seq, ack;
    uint8_t flags;           /* RST_TH_* */
    uint16_t window;         /* raw window field, unscaled */
    uint32_t payload_len;    /* on the wire */
    const uint8_t *payload;  /* RSTs: the captured payload bytes, or NULL */
    uint32_t payload_caplen; /* how many of them were captured */
    bool has_timestamps;     /* RFC 7323 option present */
    uint32_t tsval, tsecr;
    bool has_wscale; /* RFC 7323 window scale option (SYNs) */
    uint8_t wscale;
    /* Multipath TCP (RFC 8684): the options that say why a subflow or the
     * whole connection is reset. */
    bool has_mptcp_rst;      /* MP_TCPRST (3.6): reason and flags below */
    uint8_t mptcp_rst_flags; /* its U V W T bits (T: transient) */
    uint8_t mptcp_rst_reason;
    bool mptcp_fastclose; /* MP_FASTCLOSE (3.5): the whole MPTCP connection closes */
    bool mptcp_malformed; /* an MP_TCPRST or MP_FASTCLOSE of the wrong length */
    bool window_cut;      /* the capture ended before the window field */
    bool options_cut;     /* ... before the end of the options: absent ones are unknown */
};

enum rst_parse_status {
    RST_PARSE_OK = 0,
    RST_PARSE_TRUNCATED, /* too few bytes captured to read the TCP flags */
    RST_PARSE_MALFORMED  /* not a plausible IP + TCP header */
};

/* Reads the IP and TCP headers of one segment.
 *   ip, ip_len:    the IP header's bytes as captured (from its first byte)
 *   tcp, tcp_len:  the TCP header's bytes as captured
 *   tcp_offset:    distance from the IP header's start to the TCP header's
 *                  when both lie in one buffer, else -1 (reassembled IP)
 *   tcp_reported:  bytes from the TCP header to the end of its buffer as
 *                  reported on the wire (used when tcp_offset is -1)
 * Fills everything in seg but frame, time_us, view and the MAC. */
enum rst_parse_status rst_parse_ip_tcp(const uint8_t *ip, size_t ip_len, const uint8_t *tcp,
                                       size_t tcp_len, long tcp_offset, uint32_t tcp_reported,
                                       struct rst_segment *seg);

/* Where a frame's live TCP header is (rst_locate.c).  The Wireshark layer
 * knows what its dissectors found: the carrying IP header's version and
 * addresses, the TCP ports, and how many IP layers (tunnels) lie below the
 * carrying one and what identifies each tunnel. */
#define RST_TUNNELS_MAX 4

enum rst_tunnel_kind {
    RST_TUNNEL_PLAIN = 0, /* IP in IP, or anything without an identifier */
    RST_TUNNEL_GRE,       /* GRE: its key, if any (RFC 2890) */
    RST_TUNNEL_VNI,       /* UDP carrying VXLAN or Geneve: its network identifier */
    RST_TUNNEL_ERSPAN     /* GRE carrying ERSPAN type II / III: its session ID */
};

/* VXLAN, Geneve and ERSPAN are what mirroring services deliver captured
 * frames in (AWS VPC Traffic Mirroring, Azure virtual network TAP, a gateway
 * load balancer, a switch's remote SPAN): the frame inside is what the mirror
 * source saw on its link.  Such a layer says where the capture was taken,
 * never who sent the TCP segment (rst_frame_view). */
static inline int rst_tunnel_is_delivery(enum rst_tunnel_kind kind)
{
    return kind == RST_TUNNEL_VNI || kind == RST_TUNNEL_ERSPAN;
}

struct rst_frame_hint {
    uint32_t interface_id;    /* the capture interface (names a capture point) */
    bool link_is_ethernet;    /* the frame starts with an Ethernet header: its MACs
                               * say which link of a collapsed merge it was seen on */
    uint8_t ip_version;       /* of the carrying IP header: 4 or 6 */
    uint8_t src[16], dst[16]; /* its addresses (IPv4: the first 4 bytes) */
    bool ports_known;
    uint16_t sport, dport;                            /* the TCP header's ports */
    unsigned n_outer;                                 /* IP layers below the carrying one */
    enum rst_tunnel_kind outer_kind[RST_TUNNELS_MAX]; /* outermost first */
};

struct rst_frame_layout {
    size_t ip;        /* the carrying IP header */
    size_t tcp;       /* the TCP header after it */
    unsigned n_outer; /* enclosing IP headers found, outermost first */
    size_t outer[RST_TUNNELS_MAX];
    bool ports_agree;   /* the TCP header's ports are the hint's (or it has none) */
    bool fragment;      /* the frame holds a later fragment of the carrying
                         * packet or of a tunnel's packet around it ... */
    size_t fragment_ip; /* ... whose IP header is here */
};

/* Finds the headers the hint describes in a frame's captured bytes
 * (reported: the frame's length on the wire).  False if they are not there:
 * the capture cut them off, the dissectors' addresses belong to another
 * layer, or (layout->fragment) the frame holds a later fragment and the
 * headers are in the reassembled packet. */
bool rst_locate_tcp(const uint8_t *frame, size_t caplen, size_t reported,
                    const struct rst_frame_hint *hint, struct rst_frame_layout *layout);

/* The packet a later fragment belongs to, as the reassembler sees it: the
 * frame up to the end of the fragment's IP headers (IPv6: through its
 * fragment header), then the reassembled payload, with the lengths and
 * fragment fields set for one whole packet (RFC 791 3.2, RFC 8200 4.5).
 * Returns its length in out, 0 if it does not fit or the header is cut. */
size_t rst_rebuild_fragment(const uint8_t *frame, size_t caplen, size_t fragment_ip,
                            const uint8_t *payload, size_t payload_len, uint8_t *out,
                            size_t out_max);

/* Where a connection lives: the capture interface and, inside tunnels, the
 * tunnels themselves (the enclosing IP layers' endpoints and any GRE key,
 * VNI or ERSPAN session).  The same inner address pair in two tunnels
 * (tenants of a VXLAN fabric reuse their private ranges) is two connections,
 * and an inner connection never mixes with an outer one.  Outside tunnels the
 * view is interface << 4; inside, a hash with the top bit set and the depth
 * in the low four bits.  group (if not NULL): where the connection is
 * matched across capture points: the same without the interface and without
 * the delivery layers (rst_tunnel_is_delivery), so that one tunnel seen at
 * two interfaces, and traffic seen raw and mirrored or through two mirror
 * sessions, are one connection at several points; 0 where no other tunnel
 * remains. */
uint32_t rst_frame_view(const uint8_t *frame, size_t caplen, uint32_t interface_id,
                        const struct rst_frame_hint *hint, const struct rst_frame_layout *layout,
                        uint32_t *group);

enum rst_frame_status {
    RST_FRAME_OK = 0,   /* seg holds the frame's live TCP segment */
    RST_FRAME_NONE,     /* no live TCP header in the captured bytes */
    RST_FRAME_FRAGMENT, /* a later fragment: rebuild the packet (rst_rebuild_fragment)
                         * and read it from there */
    RST_FRAME_BAD,      /* found, but cut before its flags or malformed */
};

/* Reads a frame's live TCP segment from its bytes: finds the headers the
 * hint describes (rst_locate_tcp), parses them (rst_parse_ip_tcp), points a
 * RST's payload into the bytes, names the view and group (rst_frame_view)
 * and, on Ethernet, the link.  The frame number, time and source MAC are the
 * caller's to set.  layout says where the headers were. */
enum rst_frame_status rst_frame_read(const uint8_t *bytes, size_t caplen, size_t reported,
                                     const struct rst_frame_hint *hint, struct rst_segment *seg,
                                     struct rst_frame_layout *layout);

#ifdef __cplusplus
}
#endif

#endif /* RST_FRAME_H */
