/* rst_feed.c: feeding the core.
 *
 * On the first pass over a capture, every frame's live TCP segment: the TCP
 * header that is really on the wire (not one quoted inside an ICMP error),
 * the IP header that carries it and the link-layer source address.  It
 * needs no protocol tree, so that the plugin does not make Wireshark build
 * one for every frame of the first pass (docs/performance.md): the frame's
 * layer list says which layer is the live TCP and how many IP layers
 * (tunnels) lie below it, pinfo holds the addresses and ports the IP and TCP
 * dissectors read, and the core reads those headers from the frame's bytes
 * (core/rst_frame.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <epan/packet.h>
#include <epan/proto_data.h>

#include "rst_compat.h"
#include "rst_plugin.h"

/* The protocols whose order in a frame's layer list tells where its live
 * TCP header is and what carries it (looked up at handoff). */
static struct {
    int eth, sll, ip, ipv6, tcp, icmp, icmpv6, gre, vxlan, geneve, erspan;
} layer_proto;

/* Describes the frame's layers for rst_locate_tcp, in one walk over its
 * layer list.  The live TCP layer is the last TCP layer, unless an ICMP
 * layer lies below it (then it is a quotation, RFC 792 / RFC 4443, and the
 * frame has no live TCP header).  Below it: how many IP layers enclose the
 * carrying one and what identifies each tunnel, and whether a link layer
 * with a source MAC lies below the carrying IP and none above the TCP layer
 * (Ethernet carried in TCP would have set pinfo->dl_src last).  A link
 * layer outside a mirror's delivery (VXLAN, Geneve, ERSPAN) is the
 * collector's, not the TCP sender's: only one inside it counts (a gateway
 * load balancer's Geneve carries IP without one: no MAC). */
static gboolean describe_layers(const packet_info *pinfo, struct rst_frame_hint *hint,
                                gboolean *link_mac, gboolean *outer_eth)
{
    unsigned ips = 0, position = 0;
    gboolean mac_seen = FALSE, mac_below_ip = FALSE, icmp_seen = FALSE, live = FALSE;
    enum rst_tunnel_kind kind[RST_TUNNELS_MAX] = { RST_TUNNEL_PLAIN };
    for (wmem_list_frame_t *f = wmem_list_head(pinfo->layers); f; f = wmem_list_frame_next(f)) {
        int proto = GPOINTER_TO_INT(wmem_list_frame_data(f));
        unsigned enclosing = ips - 1; /* the IP layer below this one */
        /* The capture link: Ethernet right after the frame layer. */
        if (position++ == 1)
            *outer_eth = proto == layer_proto.eth;
        if (proto == layer_proto.tcp) {
            /* What lies below the last TCP layer is what counts. */
            live = ips && !icmp_seen;
            hint->n_outer = ips - 1;
            memcpy(hint->outer_kind, kind, sizeof kind);
            *link_mac = mac_below_ip;
        } else if (proto == layer_proto.eth || proto == layer_proto.sll) {
            mac_seen = TRUE;
            *link_mac = FALSE;
        } else if (proto == layer_proto.icmp || proto == layer_proto.icmpv6) {
            icmp_seen = TRUE;
        } else if (proto == layer_proto.ip || proto == layer_proto.ipv6) {
            if (ips < RST_TUNNELS_MAX)
                kind[ips] = RST_TUNNEL_PLAIN;
            ips++;
            mac_below_ip = mac_seen;
        } else if (ips && enclosing < RST_TUNNELS_MAX) {
            if (proto == layer_proto.gre) {
                kind[enclosing] = RST_TUNNEL_GRE;
            } else if (proto == layer_proto.vxlan || proto == layer_proto.geneve) {
                kind[enclosing] = RST_TUNNEL_VNI;
                mac_seen = FALSE;
            } else if (proto == layer_proto.erspan) {
                kind[enclosing] = RST_TUNNEL_ERSPAN;
                mac_seen = FALSE;
            }
        }
    }
    return live;
}

/* What the dissectors left in pinfo about the carrying IP header and the
 * TCP header (the last ones they read: those of the live TCP layer). */
static gboolean read_hint(const packet_info *pinfo, struct rst_frame_hint *hint)
{
    const address *src = &pinfo->net_src, *dst = &pinfo->net_dst;
    /* Copies of a fixed size: the compiler writes them out. */
    if (src->type == AT_IPv4 && dst->type == AT_IPv4 && src->len == 4 && dst->len == 4) {
        hint->ip_version = 4;
        memcpy(hint->src, src->data, 4);
        memcpy(hint->dst, dst->data, 4);
    } else if (src->type == AT_IPv6 && dst->type == AT_IPv6 && src->len == 16 && dst->len == 16) {
        hint->ip_version = 6;
        memcpy(hint->src, src->data, 16);
        memcpy(hint->dst, dst->data, 16);
    } else {
        return FALSE;
    }
    hint->ports_known = pinfo->ptype == PT_TCP;
    hint->sport = (guint16)pinfo->srcport;
    hint->dport = (guint16)pinfo->destport;
    return TRUE;
}

/* A later IP fragment: the packet it belongs to, rebuilt from the frame's
 * headers and the reassembled payload (a data source of the frame), where
 * the live TCP header is. */
static gboolean read_reassembled(packet_info *pinfo, tvbuff_t *frame_tvb, const guint8 *frame,
                                 size_t frame_caplen, size_t fragment_ip,
                                 const struct rst_frame_hint *hint, struct rst_segment *seg)
{
    for (GSList *s = pinfo->data_src; s; s = s->next) {
        tvbuff_t *tvb = get_data_source_tvb((struct data_source *)s->data);
        guint len = tvb ? tvb_captured_length(tvb) : 0;
        if (tvb == frame_tvb || len == 0)
            continue;
        size_t max = frame_caplen + len;
        guint8 *buf = (guint8 *)wmem_alloc(pinfo->pool, max);
        size_t n = rst_rebuild_fragment(frame, frame_caplen, fragment_ip, tvb_get_ptr(tvb, 0, len),
                                        len, buf, max);
        if (!n)
            continue;
        struct rst_frame_layout l;
        enum rst_frame_status status =
            rst_frame_read(buf, n, n - len + tvb_reported_length(tvb), hint, seg, &l);
        if ((status == RST_FRAME_OK || status == RST_FRAME_BAD) && l.ports_agree)
            return status == RST_FRAME_OK;
    }
    return FALSE;
}

/* Reads the frame's live TCP segment (a RST's payload points into the
 * frame's bytes). */
static gboolean read_segment(tvbuff_t *tvb, packet_info *pinfo, struct rst_segment *seg)
{
    gboolean link_mac = FALSE, outer_eth = FALSE;
    struct rst_frame_hint hint;
    memset(&hint, 0, sizeof hint);
    if (!describe_layers(pinfo, &hint, &link_mac, &outer_eth) || !read_hint(pinfo, &hint))
        return FALSE;
    hint.interface_id = rst_frame_interface_id(pinfo);
    hint.link_is_ethernet = outer_eth;

    size_t caplen = tvb_captured_length(tvb);
    const guint8 *bytes = caplen ? tvb_get_ptr(tvb, 0, (gint)caplen) : NULL;
    struct rst_frame_layout layout;
    enum rst_frame_status status =
        rst_frame_read(bytes, caplen, tvb_reported_length(tvb), &hint, seg, &layout);
    if (status == RST_FRAME_FRAGMENT)
        status = read_reassembled(pinfo, tvb, bytes, caplen, layout.fragment_ip, &hint, seg)
            ? RST_FRAME_OK
            : RST_FRAME_NONE;
    if (status != RST_FRAME_OK)
        return FALSE;
    seg->frame = pinfo->num;
    seg->time_us = (gint64)pinfo->abs_ts.secs * 1000000 + pinfo->abs_ts.nsecs / 1000;
    if (link_mac && pinfo->dl_src.type == AT_ETHER && pinfo->dl_src.len == 6) {
        memcpy(seg->src_mac, pinfo->dl_src.data, 6);
        seg->has_mac = true;
    }
    return TRUE;
}

/* First pass: feed the frame's live TCP segment.  Later passes find a RST's
 * verdict id by its frame number (rst_core_rst_of_frame: nothing kept per
 * frame); only where that would not find it, the id is kept with the frame
 * (file scope).  Needs no protocol tree: everything comes from pinfo and
 * the frame's bytes.  Returns the id, 0 for other segments. */
guint32 rst_feed_frame(struct rst_core *core, tvbuff_t *tvb, packet_info *pinfo)
{
    struct rst_segment seg;
    if (!core || !read_segment(tvb, pinfo, &seg))
        return 0;

    guint32 id = rst_core_add(core, &seg, &rst_prefs);
    if (id && rst_core_rst_of_frame(core, pinfo->num) != id)
        p_add_proto_data(wmem_file_scope(), pinfo, rst_hf.proto, 0, GUINT_TO_POINTER(id));
    return id;
}

guint32 rst_frame_rst(struct rst_core *core, packet_info *pinfo)
{
    guint32 id = core ? rst_core_rst_of_frame(core, pinfo->num) : 0;
    return id ? id : GPOINTER_TO_UINT(p_get_proto_data(wmem_file_scope(), pinfo, rst_hf.proto, 0));
}

void rst_feed_handoff(void)
{
    /* Other protocols exist only once every protocol registered. */
    layer_proto.eth = proto_get_id_by_filter_name("eth");
    layer_proto.sll = proto_get_id_by_filter_name("sll");
    layer_proto.ip = proto_get_id_by_filter_name("ip");
    layer_proto.ipv6 = proto_get_id_by_filter_name("ipv6");
    layer_proto.tcp = proto_get_id_by_filter_name("tcp");
    layer_proto.icmp = proto_get_id_by_filter_name("icmp");
    layer_proto.icmpv6 = proto_get_id_by_filter_name("icmpv6");
    layer_proto.gre = proto_get_id_by_filter_name("gre");
    layer_proto.vxlan = proto_get_id_by_filter_name("vxlan");
    layer_proto.geneve = proto_get_id_by_filter_name("geneve");
    layer_proto.erspan = proto_get_id_by_filter_name("erspan");
}
