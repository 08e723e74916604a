/* rst_locate.c: finding a frame's live TCP header in the frame's bytes.
 *
 * Wireshark's dissectors leave the carrying IP header's addresses, the TCP
 * ports and the list of protocol layers in packet_info; where in the frame
 * each header starts they say only in a protocol tree, and building a tree
 * for every frame of the first pass costs more than all of the plugin's own
 * work (docs/performance.md).  So the Wireshark layer describes the frame
 * (struct rst_frame_hint) and this file finds the headers: the carrying IP
 * header is where its two addresses stand at their offset in a header of
 * that version that leads to TCP; the tunnels' IP headers before it are the
 * ones whose length spans it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst_frame.h"

#include "rst_bytes.h"

#include <string.h>

#define IPPROTO_HOPOPTS 0
#define IPPROTO_IPIP 4
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define IPPROTO_IPV6 41
#define IPPROTO_ROUTING 43
#define IPPROTO_FRAGMENT 44
#define IPPROTO_GRE 47
#define IPPROTO_AH 51
#define IPPROTO_DSTOPTS 60
#define IPV6_EXT_MAX 8 /* more extension headers than this is no real packet */
#define UDP_HEADER 8
#define GRE_FLAG_CHECKSUM 0x80 /* RFC 2784, RFC 2890 */
#define GRE_FLAG_KEY 0x20
#define GRE_FLAG_SEQUENCE 0x10
#define GRE_PROTO_ERSPAN2 0x88be /* ERSPAN type I and II (draft-foschiano-erspan 4) */
#define GRE_PROTO_ERSPAN3 0x22eb /* ERSPAN type III */
#define ERSPAN_HEADER 8          /* types II and III begin alike: version, VLAN, session */
#define VNI_OFFSET 4             /* VXLAN (RFC 7348) and Geneve (RFC 8926) alike */
#define VNI_LEN 3

/* FNV-1a over len bytes, continuing from h (FNV_BASIS to start): a view
 * names its tunnels by a hash of their identities. */
#define FNV_BASIS 2166136261u

static uint32_t fnv1a(uint32_t h, const void *bytes, size_t len)
{
    const uint8_t *p = bytes;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static bool is_ipv6_extension(uint8_t nh)
{
    return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS
        || nh == IPPROTO_AH || nh == IPPROTO_FRAGMENT;
}

/* Steps over the IPv6 extension header of type *nh at *at (RFC 8200 4):
 * *at and *nh become the next header's.  False if the capture cut it. */
static bool ipv6_skip_extension(const uint8_t *f, size_t caplen, size_t *at, uint8_t *nh)
{
    if (*at + 8 > caplen)
        return false;
    size_t len = *nh == IPPROTO_FRAGMENT ? 8
        : *nh == IPPROTO_AH              ? ((size_t)f[*at + 1] + 2) * 4 /* RFC 4302 2.2 */
                                         : ((size_t)f[*at + 1] + 1) * 8;
    *nh = f[*at];
    *at += len;
    return true;
}

/* Walks an IPv6 extension header chain from `at`, next header `nh`, to the
 * upper-layer header: its offset and protocol, and whether a fragment
 * header puts it in another fragment. */
static bool ipv6_upper_layer(const uint8_t *f, size_t caplen, size_t at, uint8_t nh, size_t *upper,
                             uint8_t *proto, bool *later_fragment)
{
    *later_fragment = false;
    for (int n = 0; n <= IPV6_EXT_MAX; n++) {
        if (!is_ipv6_extension(nh)) {
            *upper = at;
            *proto = nh;
            return true;
        }
        if (nh == IPPROTO_FRAGMENT && at + 4 <= caplen && get16(f + at + 2) >> 3)
            *later_fragment = true;
        if (!ipv6_skip_extension(f, caplen, &at, &nh))
            return false;
    }
    return false;
}

/* The upper-layer header after the IP header at `ip`: its offset and
 * protocol; later_fragment when this packet is not the first fragment. */
static bool ip_upper_layer(const uint8_t *f, size_t caplen, size_t ip, size_t *upper,
                           uint8_t *proto, bool *later_fragment)
{
    if (ip >= caplen)
        return false;
    if (f[ip] >> 4 == 4) {
        size_t ihl = (size_t)(f[ip] & 0x0f) * 4;
        if (ihl < IPV4_MIN_HEADER || ip + IPV4_MIN_HEADER > caplen)
            return false;
        *upper = ip + ihl;
        *proto = f[ip + 9];
        *later_fragment = (get16(f + ip + 6) & 0x1fff) != 0;
        return true;
    }
    if (f[ip] >> 4 == 6 && ip + IPV6_HEADER <= caplen)
        return ipv6_upper_layer(f, caplen, ip + IPV6_HEADER, f[ip + 6], upper, proto,
                                later_fragment);
    return false;
}

static bool ports_match(const uint8_t *f, size_t caplen, size_t tcp, const struct rst_frame_hint *h)
{
    return tcp + 4 <= caplen && get16(f + tcp) == h->sport && get16(f + tcp + 2) == h->dport;
}

/* Whether the two addresses stand at p, source first.  Comparisons of a
 * fixed length, which the compiler writes out. */
static bool addresses_at(const uint8_t *p, const struct rst_frame_hint *h)
{
    if (h->ip_version == 4)
        return memcmp(p, h->src, 4) == 0 && memcmp(p + 4, h->dst, 4) == 0;
    return memcmp(p, h->src, 16) == 0 && memcmp(p + 16, h->dst, 16) == 0;
}

/* The carrying IP header: the first place its addresses stand in a header
 * of its version that leads to TCP, preferring one whose ports are the
 * dissector's (a payload can quote a header; the real one comes first). */
static bool find_carrier(const uint8_t *f, size_t caplen, const struct rst_frame_hint *h,
                         struct rst_frame_layout *out)
{
    size_t alen = h->ip_version == 4 ? 4 : 16;
    size_t at = h->ip_version == 4 ? 12 : 8; /* where the source address stands */
    bool have_fallback = false;
    struct rst_frame_layout fallback = { 0 };

    for (size_t i = at; i + 2 * alen <= caplen; i++) {
        size_t upper;
        uint8_t proto;
        bool later;
        /* Straight to the next byte that can begin the source address. */
        const uint8_t *next = memchr(f + i, h->src[0], caplen - 2 * alen + 1 - i);
        if (!next)
            break;
        i = (size_t)(next - f);
        if (!addresses_at(f + i, h))
            continue;
        if (f[i - at] >> 4 != h->ip_version
            || !ip_upper_layer(f, caplen, i - at, &upper, &proto, &later) || proto != IPPROTO_TCP)
            continue;
        if (later) {
            /* The TCP header is in the first fragment: rebuild the packet. */
            out->fragment = true;
            out->fragment_ip = i - at;
            return false;
        }
        out->ip = i - at;
        out->tcp = upper;
        out->ports_agree = !h->ports_known || ports_match(f, caplen, upper, h);
        if (out->ports_agree)
            return true;
        if (!have_fallback) {
            fallback = *out;
            have_fallback = true;
        }
    }
    if (have_fallback)
        *out = fallback;
    return have_fallback;
}

static bool is_tunnel_protocol(uint8_t proto)
{
    return proto == IPPROTO_IPIP || proto == IPPROTO_IPV6 || proto == IPPROTO_GRE
        || proto == IPPROTO_UDP;
}

/* Where the IP packet at o ends, by its own length field. */
static size_t ip_packet_end(const uint8_t *f, size_t o)
{
    return f[o] >> 4 == 4 ? o + get16(f + o + 2) : o + IPV6_HEADER + get16(f + o + 4);
}

/* Whether the IP packet at o is a fragment with more to follow (IPv4 MF,
 * an IPv6 fragment header's M flag): a first fragment ends before what it
 * carries does. */
static bool more_fragments(const uint8_t *f, size_t caplen, size_t o)
{
    if (f[o] >> 4 == 4)
        return (get16(f + o + 6) & 0x2000) != 0;
    size_t at = o + IPV6_HEADER;
    uint8_t nh = f[o + 6];
    for (int n = 0; n <= IPV6_EXT_MAX && is_ipv6_extension(nh); n++) {
        if (nh == IPPROTO_FRAGMENT)
            return at + 4 <= caplen && (f[at + 3] & 1);
        if (!ipv6_skip_extension(f, caplen, &at, &nh))
            return false;
    }
    return false;
}

/* An IP header at o that can enclose the carrying one at `inner`: its
 * length spans the whole inner packet (all of it but in a first fragment),
 * it ends within `limit` (the frame, or the tunnel around it), and its
 * protocol is one that tunnels.  Bytes inside a tunnel header (Geneve
 * options, say) can look like an IP header; one that is, carries what
 * follows.  *later: it is a later fragment of its packet. */
static bool encloses(const uint8_t *f, size_t caplen, size_t limit, size_t o, size_t inner,
                     bool *later)
{
    size_t upper, end;
    uint8_t proto;
    if (!ip_upper_layer(f, caplen, o, &upper, &proto, later))
        return false;
    end = ip_packet_end(f, o);
    size_t spans = more_fragments(f, caplen, o) ? inner + IPV4_MIN_HEADER : ip_packet_end(f, inner);
    return upper <= inner && end >= spans && end <= limit && (is_tunnel_protocol(proto) || *later);
}

/* The tunnels' IP headers, outermost first, before the carrying one.  False
 * if one of them is a later fragment: its tunnel header is in the
 * reassembled packet. */
static bool find_enclosing(const uint8_t *f, size_t caplen, size_t reported,
                           const struct rst_frame_hint *h, struct rst_frame_layout *out)
{
    size_t from = 0, limit = reported;
    out->n_outer = 0;
    while (out->n_outer < h->n_outer && out->n_outer < RST_TUNNELS_MAX) {
        size_t o = from;
        bool later = false;
        while (o + IPV4_MIN_HEADER <= out->ip && !encloses(f, caplen, limit, o, out->ip, &later))
            o++;
        if (o + IPV4_MIN_HEADER > out->ip)
            return true;
        if (later) {
            out->fragment = true;
            out->fragment_ip = o;
            return false;
        }
        out->outer[out->n_outer++] = o;
        from = o + (f[o] >> 4 == 6 ? IPV6_HEADER : IPV4_MIN_HEADER);
        limit = ip_packet_end(f, o);
    }
    return true;
}

/* A later fragment of a tunnel's packet whose first fragment held the
 * tunnelled headers: the first IP header in the frame that is a later
 * fragment of a tunnelling protocol and ends the frame's data (but for
 * link-layer padding and trailer). */
#define FRAME_TRAILER_MAX 64
static bool find_later_fragment(const uint8_t *f, size_t caplen, size_t reported,
                                struct rst_frame_layout *out)
{
    for (size_t o = 0; o + IPV4_MIN_HEADER <= caplen; o++) {
        size_t upper, end;
        uint8_t proto;
        bool later;
        if (!ip_upper_layer(f, caplen, o, &upper, &proto, &later) || !later)
            continue;
        end = ip_packet_end(f, o);
        if (upper > end || end > reported || end + FRAME_TRAILER_MAX < reported
            || !is_tunnel_protocol(proto))
            continue;
        out->fragment = true;
        out->fragment_ip = o;
        return true;
    }
    return false;
}

bool rst_locate_tcp(const uint8_t *frame, size_t caplen, size_t reported,
                    const struct rst_frame_hint *hint, struct rst_frame_layout *layout)
{
    memset(layout, 0, sizeof *layout);
    if (!frame || (hint->ip_version != 4 && hint->ip_version != 6))
        return false;
    if (!find_carrier(frame, caplen, hint, layout)) {
        if (!layout->fragment && hint->n_outer)
            find_later_fragment(frame, caplen, reported, layout);
        return false;
    }
    return find_enclosing(frame, caplen, reported, hint, layout);
}

size_t rst_rebuild_fragment(const uint8_t *frame, size_t caplen, size_t fragment_ip,
                            const uint8_t *payload, size_t payload_len, uint8_t *out,
                            size_t out_max)
{
    size_t end; /* the end of the headers the fragments repeat */
    if (fragment_ip + IPV4_MIN_HEADER > caplen)
        return 0;
    if (frame[fragment_ip] >> 4 == 4) {
        end = fragment_ip + (size_t)(frame[fragment_ip] & 0x0f) * 4;
        if (end - fragment_ip < IPV4_MIN_HEADER || end - fragment_ip + payload_len > 0xffff)
            return 0;
    } else {
        /* The fragment header itself stays, with offset 0 and no more
         * fragments: the chain before and after it is unchanged. */
        size_t at = fragment_ip + IPV6_HEADER;
        uint8_t nh = fragment_ip + IPV6_HEADER <= caplen ? frame[fragment_ip + 6] : 0xff;
        for (int n = 0; n <= IPV6_EXT_MAX && nh != IPPROTO_FRAGMENT; n++)
            if (!is_ipv6_extension(nh) || nh == IPPROTO_AH || /* AH follows the fragment header */
                !ipv6_skip_extension(frame, caplen, &at, &nh))
                return 0;
        if (nh != IPPROTO_FRAGMENT)
            return 0;
        end = at + 8;
        if (end - fragment_ip - IPV6_HEADER + payload_len > 0xffff)
            return 0;
    }
    if (end > caplen || end + payload_len > out_max)
        return 0;
    memcpy(out, frame, end);
    memcpy(out + end, payload, payload_len);
    uint8_t *ip = out + fragment_ip;
    if (ip[0] >> 4 == 4) {
        size_t total = end - fragment_ip + payload_len;
        ip[2] = (uint8_t)(total >> 8), ip[3] = (uint8_t)total;
        ip[6] &= 0x40; /* keep DF; no MF, offset 0 */
        ip[7] = 0;
    } else {
        size_t len = end - fragment_ip - IPV6_HEADER + payload_len;
        ip[4] = (uint8_t)(len >> 8), ip[5] = (uint8_t)len;
        out[end - 6] = 0, out[end - 5] = 0; /* offset 0, M clear */
    }
    return end + payload_len;
}

/* The ERSPAN session ID after a GRE header at `gre` (draft-foschiano-erspan
 * 4.1, 4.2): the low ten bits of the header's second 16-bit word, in types
 * II (which carry a GRE sequence number) and III alike; the bits around it
 * (class of service, truncation) are the mirrored frame's.  Type I has no
 * header, and so no session. */
static size_t erspan_session(const uint8_t *f, size_t caplen, size_t gre, uint8_t *id)
{
    uint16_t proto = get16(f + gre + 2);
    if ((proto != GRE_PROTO_ERSPAN2 && proto != GRE_PROTO_ERSPAN3) || !(f[gre] & GRE_FLAG_SEQUENCE))
        return 0;
    size_t at =
        gre + 4 + ((f[gre] & GRE_FLAG_CHECKSUM) ? 4 : 0) + ((f[gre] & GRE_FLAG_KEY) ? 4 : 0) + 4;
    if (at + ERSPAN_HEADER > caplen)
        return 0;
    id[0] = f[at + 2] & 0x03;
    id[1] = f[at + 3];
    return 2;
}

/* A tunnel's own identifier after an enclosing IP header, copied into id:
 * the GRE key (RFC 2890), the VXLAN / Geneve network identifier, or the
 * ERSPAN session.  Returns its length, 0 if it has none. */
#define TUNNEL_ID_MAX 4
static size_t tunnel_id(const uint8_t *f, size_t caplen, size_t ip, enum rst_tunnel_kind kind,
                        uint8_t id[TUNNEL_ID_MAX])
{
    size_t upper, at, len;
    uint8_t proto;
    bool later;
    if (kind == RST_TUNNEL_PLAIN || !ip_upper_layer(f, caplen, ip, &upper, &proto, &later))
        return 0;
    if (proto == IPPROTO_GRE && upper + 4 <= caplen && kind == RST_TUNNEL_ERSPAN)
        return erspan_session(f, caplen, upper, id);
    if (proto == IPPROTO_GRE && upper + 4 <= caplen && kind == RST_TUNNEL_GRE
        && (f[upper] & GRE_FLAG_KEY))
        at = upper + 4 + ((f[upper] & GRE_FLAG_CHECKSUM) ? 4 : 0), len = 4;
    else if (proto == IPPROTO_UDP && kind == RST_TUNNEL_VNI)
        at = upper + UDP_HEADER + VNI_OFFSET, len = VNI_LEN;
    else
        return 0;
    if (at + len > caplen)
        return 0;
    memcpy(id, f + at, len);
    return len;
}

/* Adds an enclosing IP header's two addresses, in either direction alike
 * (the lower one first). */
static uint32_t mix_endpoints(uint32_t h, const uint8_t *f, size_t caplen, size_t ip)
{
    size_t at, len;
    if (f[ip] >> 4 == 4 && ip + IPV4_MIN_HEADER <= caplen)
        at = 12, len = 4;
    else if (f[ip] >> 4 == 6 && ip + IPV6_HEADER <= caplen)
        at = 8, len = 16;
    else
        return h;
    const uint8_t *lo = f + ip + at, *hi = lo + len;
    if (memcmp(lo, hi, len) > 0) {
        const uint8_t *t = lo;
        lo = hi, hi = t;
    }
    return fnv1a(fnv1a(h, lo, len), hi, len);
}

/* The hash of the enclosing layers from `first` on (outermost first). */
static uint32_t mix_tunnels(const uint8_t *frame, size_t caplen, const struct rst_frame_hint *hint,
                            const struct rst_frame_layout *layout, unsigned first)
{
    uint32_t h = FNV_BASIS;
    for (unsigned k = first; k < layout->n_outer; k++) {
        uint8_t id[TUNNEL_ID_MAX];
        size_t id_len = tunnel_id(frame, caplen, layout->outer[k], hint->outer_kind[k], id);
        h = mix_endpoints(h, frame, caplen, layout->outer[k]);
        if (id_len)
            h = fnv1a(h, id, id_len);
    }
    return h;
}

static uint32_t tunnel_key(uint32_t h, unsigned depth)
{
    return 0x80000000u | (h & 0x7ffffff0u) | (depth < 15 ? depth : 15);
}

uint32_t rst_frame_view(const uint8_t *frame, size_t caplen, uint32_t interface_id,
                        const struct rst_frame_hint *hint, const struct rst_frame_layout *layout,
                        uint32_t *group)
{
    if (group)
        *group = 0;
    if (!hint->n_outer)
        return interface_id << 4;
    /* A delivery and whatever carries it say where the capture was taken:
     * across capture points only the tunnels inside the innermost one count. */
    unsigned inside = 0;
    for (unsigned k = 0; k < layout->n_outer; k++)
        if (rst_tunnel_is_delivery(hint->outer_kind[k]))
            inside = k + 1;
    if (group && inside < layout->n_outer)
        *group =
            tunnel_key(mix_tunnels(frame, caplen, hint, layout, inside), hint->n_outer - inside);
    uint32_t h = mix_tunnels(frame, caplen, hint, layout, 0);
    return tunnel_key(fnv1a(h, &interface_id, sizeof interface_id), hint->n_outer);
}
