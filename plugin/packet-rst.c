/* packet-rst.c: the Wireshark side of rst-explain.
 *
 * A post-dissector.  On the first pass over a capture it finds, in every
 * frame, the TCP header that is really on the wire (not one quoted inside an
 * ICMP error), the IP header that carries it and the link-layer source
 * address, and feeds them to the core (core/rst_core.h).  On every pass it
 * renders the core's verdict for each RST: cause, explanation, suspicion,
 * evidence and expert info.
 *
 * Feeding needs no protocol tree, so that the plugin does not make Wireshark
 * build one for every frame of the first pass (docs/performance.md): the
 * frame's layer list says which layer is the live TCP and how many IP layers
 * (tunnels) lie below it, pinfo holds the addresses and ports the IP and TCP
 * dissectors read, and the core finds those headers in the frame's bytes
 * (core/rst_locate.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define WS_LOG_DOMAIN "rst"

#include <epan/packet.h>
#include <epan/addr_resolv.h>
#include <epan/expert.h>
#include <epan/prefs.h>
#include <epan/proto_data.h>
#include <epan/tap.h>

#include <stdio.h>

#include "rst_compat.h"
#include "rst_evidence_fields.h"
#include "rst_stats.h"
#include "core/rst_core.h"

void proto_register_rst(void);
void proto_reg_handoff_rst(void);

static int proto_rst = -1;
static int rst_tap = -1;
static dissector_handle_t rst_handle;

static int hf_rst_cause = -1;
static int hf_rst_explanation = -1;
static int hf_rst_face_value = -1;
static int hf_rst_sender = -1;
static int hf_rst_answers = -1;
static int hf_rst_suspicion = -1;
static int hf_rst_injected = -1;
static int hf_rst_after = -1;
static int hf_rst_acceptable = -1;
static int hf_rst_accept_reason = -1;
static int hf_rst_evidence = -1;
static int hf_rst_diag = -1;
static int hf_rst_diag_format = -1;
static int hf_rst_diag_code = -1;
static int hf_rst_diag_pen = -1;
static int hf_rst_diag_reason = -1;
static int hf_rst_diag_text = -1;
static int hf_rst_vantage_unseen = -1;
static int hf_rst_vantage_peer = -1;
static int hf_rst_vantage_ref = -1;
static int hf_rst_vantage_point = -1;

static gint ett_rst = -1;
static gint ett_rst_evidence = -1;
static gint ett_rst_diag = -1;

static expert_field ei_rst_cause[RST_CAUSE_COUNT];
static expert_field ei_rst_injected = EI_INIT;
static expert_field ei_rst_suspicious = EI_INIT;
static expert_field ei_rst_stated = EI_INIT;
static expert_field ei_rst_unseen = EI_INIT;

/* Who reads expert information (wants_detail): the expert tap, and the
 * fields of Wireshark's expert items and of the plugin's own. */
static int expert_tap = -1;
#define MAX_EXPERT_HFS (RST_CAUSE_COUNT + 9)
static int expert_hfs[MAX_EXPERT_HFS];
static unsigned n_expert_hfs;

/* Preferences, with the core's defaults (see register_preferences). */
static struct rst_params rst_prefs;

/* File scope: one core per capture file, made by the init routine. */
static struct rst_core *core;

/* ------------------------------------------------------------ feeding */

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
        unsigned enclosing = ips - 1;   /* the IP layer below this one */
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
        size_t n = rst_rebuild_fragment(frame, frame_caplen, fragment_ip,
                                        tvb_get_ptr(tvb, 0, len), len, buf, max);
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
               ? RST_FRAME_OK : RST_FRAME_NONE;
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

/* First pass: feed the frame's live TCP segment; remember the verdict id of
 * a RST (file scope: later passes only look it up).  Needs no protocol
 * tree: everything comes from pinfo and the frame's bytes.  Returns the id,
 * 0 for other segments. */
static guint32 feed_frame(tvbuff_t *tvb, packet_info *pinfo)
{
    struct rst_segment seg;
    if (!core || !read_segment(tvb, pinfo, &seg))
        return 0;

    guint32 id = rst_core_add(core, &seg, &rst_prefs);
    if (id)
        p_add_proto_data(wmem_file_scope(), pinfo, proto_rst, 0, GUINT_TO_POINTER(id));
    return id;
}

/* ------------------------------------------------------------ rendering */

static proto_item *add_generated_uint(proto_tree *tree, int hf, tvbuff_t *tvb, guint32 value)
{
    proto_item *pi = proto_tree_add_uint(tree, hf, tvb, 0, 0, value);
    proto_item_set_generated(pi);
    return pi;
}

static proto_item *add_generated_string(proto_tree *tree, int hf, tvbuff_t *tvb, const char *s)
{
    proto_item *pi = proto_tree_add_string(tree, hf, tvb, 0, 0, s);
    proto_item_set_generated(pi);
    return pi;
}

/* What the RST's payload says about itself (core/rst_diag.c). */
static void render_diag(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo,
                        const struct rst_diag *d, gboolean detail)
{
    if (d->format == RST_DIAG_NONE)
        return;
    proto_item *di = proto_tree_add_item(tree, hf_rst_diag, tvb, 0, 0, ENC_NA);
    proto_item_set_generated(di);
    proto_tree *dt = proto_item_add_subtree(di, ett_rst_diag);
    add_generated_string(dt, hf_rst_diag_format, tvb, rst_diag_format_name(d->format));
    if (d->format == RST_DIAG_COMPACT) {
        const char *name = d->pen == 0 ? rst_diag_reason_name(d->code) : NULL;
        proto_item_append_text(di, ": code %u%s%s", d->code, name ? " " : "", name ? name : "");
        add_generated_uint(dt, hf_rst_diag_code, tvb, d->code);
        /* PEN 0 is not "Reserved" here: the draft gives it to IANA's registry. */
        proto_item_set_generated(proto_tree_add_uint_format_value(dt, hf_rst_diag_pen, tvb, 0, 0,
            d->pen, "%s (%u)", d->pen ? enterprises_lookup(d->pen, "Unknown")
                                      : "IANA TCP failure causes", d->pen));
        if (name)
            add_generated_string(dt, hf_rst_diag_reason, tvb, name);
        if (detail)
            expert_add_info_format(pinfo, di, &ei_rst_stated, "RST states reason code %u%s%s",
                                   d->code, name ? ": " : "", name ? name : "");
    } else if (d->text) {
        /* The core hands over valid UTF-8 only. */
        char *text = wmem_strndup(pinfo->pool, (const char *)d->text, d->text_len);
        proto_item_append_text(di, ": \"%s%s\"", text, d->text_truncated ? "..." : "");
        add_generated_string(dt, hf_rst_diag_text, tvb, text);
        if (detail)
            expert_add_info_format(pinfo, di, &ei_rst_stated, "RST states: \"%s%s\"", text,
                                   d->text_truncated ? "..." : "");
    }
}

/* The other capture point in words: its interface, and the link within it
 * where a collapsed merge put several links on one interface. */
static const char *point_name(packet_info *pinfo, const struct rst_vantage *v)
{
    guint32 interface_id = v->other_interface;
    const char *name = rst_interface_name(pinfo, interface_id);
    const char *where = name && strcmp(name, "unknown") != 0
        ? wmem_strdup_printf(pinfo->pool, "interface %u (%s)", interface_id, name)
        : wmem_strdup_printf(pinfo->pool, "interface %u", interface_id);
    if (!v->other_mac_known)
        return where;
    const guint8 *m = v->other_mac;
    return wmem_strdup_printf(pinfo->pool, "%s, link of %02x:%02x:%02x:%02x:%02x:%02x", where,
                              m[0], m[1], m[2], m[3], m[4], m[5]);
}

/* The RST at the connection's other capture points (core/rst_vantage.c). */
static void render_vantage(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo,
                           const struct rst_verdict *v, gboolean detail)
{
    const struct rst_vantage *w = &v->vantage;
    if (!w->peer_frame && !w->unseen)
        return;
    const char *point = point_name(pinfo, w);
    add_generated_string(tree, hf_rst_vantage_point, tvb, point);
    if (w->peer_frame)
        add_generated_uint(tree, hf_rst_vantage_peer, tvb, w->peer_frame);
    if (!w->unseen)
        return;
    /* Present only when true, as rst.injected. */
    proto_item *ui = proto_tree_add_boolean(tree, hf_rst_vantage_unseen, tvb, 0, 0, TRUE);
    proto_item_set_generated(ui);
    add_generated_uint(tree, hf_rst_vantage_ref, tvb, w->ref_frame);
    if (detail)
        expert_add_info_format(pinfo, ui, &ei_rst_unseen,
                               "RST never seen at %s, nearer its claimed sender (%s), whose "
                               "packets pass there (frame %u): forged on the path",
                               point, v->sender_address, w->ref_frame);
}

/* Whether this dissection shows the explanation or expert information: a
 * tree that is displayed or printed, a filter, column or field that names
 * them, the Expert Information dialog or "-z expert" (the expert tap), or an
 * Expert column.  Writing them is most of the cost of rendering a verdict;
 * "-Y rst.injected" or "-T fields -e rst.cause" reads neither. */
static gboolean wants_detail(proto_tree *tree, packet_info *pinfo)
{
    if (proto_field_is_referenced(tree, hf_rst_explanation) || have_tap_listener(expert_tap) ||
        rst_has_column(pinfo->cinfo, COL_EXPERT))
        return TRUE;
    for (unsigned k = 0; k < n_expert_hfs; k++)
        if (proto_field_is_referenced(tree, expert_hfs[k]))
            return TRUE;
    return FALSE;
}

/* The verdict at the head of the Info column, in every profile, as TCP puts
 * its own analysis there ("[TCP Retransmission] "): the cause, the claimed
 * sender and any suspicion ("[RST cause: abort, from the client] ",
 * "[RST cause: injected, in the server's name, suspicion 100] "), where a
 * long TCP summary cannot push it out of sight.  The profile shows the
 * verdict here rather than in custom columns: tshark evaluates and prints a
 * custom column on every frame, which cost more than the plugin's whole
 * analysis (docs/performance.md). */
static void put_info(packet_info *pinfo, const struct rst_verdict *v, const char *cause)
{
    const char *role = v->sender == RST_ROLE_UNKNOWN ? NULL : rst_role_name(v->sender);
    char suspicion[24] = "";
    if (v->suspicion)
        snprintf(suspicion, sizeof suspicion, ", suspicion %u", v->suspicion);
    if (!role)
        col_prepend_fstr(pinfo->cinfo, COL_INFO, "[RST cause: %s%s] ", cause, suspicion);
    else if (v->injected)
        col_prepend_fstr(pinfo->cinfo, COL_INFO, "[RST cause: %s, in the %s's name%s] ", cause,
                         role, suspicion);
    else
        col_prepend_fstr(pinfo->cinfo, COL_INFO, "[RST cause: %s, from the %s%s] ", cause, role,
                         suspicion);
}

static void render(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, guint32 id,
                   gboolean detail)
{
    struct rst_verdict v;
    if (!core || !rst_core_verdict(core, id, &rst_prefs, detail, &v))
        return;
    const char *cause = rst_cause_name(v.final_cause);

    put_info(pinfo, &v, cause);
    proto_item *ti = proto_tree_add_item(tree, proto_rst, tvb, 0, 0, ENC_NA);
    proto_item_append_text(ti, ": %s, suspicion %u", cause, v.suspicion);
    proto_tree *rt = proto_item_add_subtree(ti, ett_rst);

    proto_item *cause_item = add_generated_string(rt, hf_rst_cause, tvb, cause);
    if (detail)
        add_generated_string(rt, hf_rst_explanation, tvb, v.explanation);
    add_generated_string(rt, hf_rst_face_value, tvb, rst_cause_name(v.face_value));
    add_generated_string(rt, hf_rst_sender, tvb, rst_role_name(v.sender));
    if (v.answers_frame)
        add_generated_uint(rt, hf_rst_answers, tvb, v.answers_frame);
    if (v.after_frame)
        add_generated_uint(rt, hf_rst_after, tvb, v.after_frame);
    if (v.acceptable >= 0) {
        proto_item *ai = proto_tree_add_boolean(rt, hf_rst_acceptable, tvb, 0, 0, v.acceptable);
        proto_item_set_generated(ai);
        add_generated_string(proto_item_add_subtree(ai, ett_rst_evidence), hf_rst_accept_reason,
                             tvb, v.accept_reason);
    }
    render_diag(rt, tvb, pinfo, &v.diag, detail);
    render_vantage(rt, tvb, pinfo, &v, detail);
    proto_item *susp_item = add_generated_uint(rt, hf_rst_suspicion, tvb, v.suspicion);
    /* Present only when true: in a display filter a bare field name tests
     * presence, and "-Y rst.injected" must mean what it says. */
    if (v.injected)
        proto_item_set_generated(proto_tree_add_boolean(rt, hf_rst_injected, tvb, 0, 0, TRUE));

    if (v.n_evidence) {
        proto_item *ei = proto_tree_add_item(rt, hf_rst_evidence, tvb, 0, 0, ENC_NA);
        proto_item_append_text(ei, " (%u item%s)", v.n_evidence, v.n_evidence == 1 ? "" : "s");
        proto_item_set_generated(ei);
        proto_tree *et = proto_item_add_subtree(ei, ett_rst_evidence);
        for (unsigned i = 0; i < v.n_evidence; i++)
            rst_evidence_render(et, tvb, &v.evidence[i]);
    }

    if (have_tap_listener(rst_tap)) {
        struct rst_tap_info *info = wmem_new(pinfo->pool, struct rst_tap_info);
        info->cause = cause;
        info->sender = rst_role_name(v.sender);
        info->source = wmem_strdup(pinfo->pool, v.sender_address);
        info->injected = v.injected;
        info->suspicion = v.suspicion;
        info->first_sighting = v.first_sighting;
        tap_queue_packet(rst_tap, pinfo, info);
    }

    if (!detail)
        return;
    expert_add_info_format(pinfo, cause_item, &ei_rst_cause[v.final_cause], "RST cause %s: %s",
                           cause, v.explanation);
    if (v.n_evidence)
        expert_add_info_format(pinfo, susp_item, v.injected ? &ei_rst_injected : &ei_rst_suspicious,
                               "%s (suspicion %u, threshold %u)",
                               v.injected ? "RST forged by a device on the path"
                                          : "Signs of a forged RST, below the threshold",
                               v.suspicion, rst_prefs.threshold);
}

/* Whether anything reads this dissection's verdict: a tree that is shown or
 * whose RST fields a filter, column or colouring rule asks for, the Info
 * column, the plugin's statistics or expert information.  The first pass of
 * "tshark -2" and the GUI's loading pass usually have none of them, and a
 * verdict is the dearest part of a RST. */
static gboolean is_observed(proto_tree *tree, packet_info *pinfo, gboolean detail)
{
    return detail || pinfo->cinfo || proto_field_is_referenced(tree, proto_rst) ||
           have_tap_listener(rst_tap);
}

static int dissect_rst(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    guint32 id = PINFO_FD_VISITED(pinfo)
        ? GPOINTER_TO_UINT(p_get_proto_data(wmem_file_scope(), pinfo, proto_rst, 0))
        : feed_frame(tvb, pinfo);
    if (!id)
        return 0;
    gboolean detail = wants_detail(tree, pinfo);
    if (is_observed(tree, pinfo, detail))
        render(tvb, pinfo, tree, id, detail);
    return 0;
}

/* ------------------------------------------------------------ registration */

/* The expert tap and the expert fields (wants_detail).  Looked up when a
 * capture is opened: the expert module registers its tap after the
 * handoffs. */
static void find_expert_readers(void)
{
    static const char *const expert_fields[] = {
        "_ws.expert", "_ws.expert.message", "_ws.expert.group", "_ws.expert.severity",
    };
    expert_tap = find_tap_id("expert");
    n_expert_hfs = 0;
    for (unsigned k = 0; k < array_length(expert_fields); k++) {
        int hf = proto_registrar_get_id_byname(expert_fields[k]);
        if (hf >= 0)
            expert_hfs[n_expert_hfs++] = hf;
    }
    for (int c = 0; c < RST_CAUSE_COUNT; c++)
        expert_hfs[n_expert_hfs++] = ei_rst_cause[c].hf;
    expert_hfs[n_expert_hfs++] = ei_rst_injected.hf;
    expert_hfs[n_expert_hfs++] = ei_rst_suspicious.hf;
    expert_hfs[n_expert_hfs++] = ei_rst_stated.hf;
    expert_hfs[n_expert_hfs++] = ei_rst_unseen.hf;
}

static void rst_init(void)
{
    rst_core_free(core);
    core = rst_core_new();
    find_expert_readers();
}

static void rst_cleanup(void)
{
    rst_core_free(core);
    core = NULL;
}

static void register_causes_expert(expert_module_t *module)
{
    /* One entry per cause, so Expert Information groups them. */
    static ei_register_info ei[RST_CAUSE_COUNT + 4];
    static char abbrev[RST_CAUSE_COUNT][48];
    static char summary[RST_CAUSE_COUNT][64];
    for (int c = 0; c < RST_CAUSE_COUNT; c++) {
        const char *name = rst_cause_name((enum rst_cause)c);
        snprintf(abbrev[c], sizeof abbrev[c], "rst.expert.%s", name);
        for (char *p = abbrev[c]; *p; p++)
            if (*p == '-')
                *p = '_';
        snprintf(summary[c], sizeof summary[c], "RST cause: %s", name);
        /* Warn where the network or a host's state went wrong; Note where an
         * endpoint acted by design. */
        int severity = PI_NOTE;
        switch (c) {
        case RST_CAUSE_NO_CONNECTION:
        case RST_CAUSE_ACCEPT_QUEUE_OVERFLOW:
        case RST_CAUSE_INVALID_SEGMENT:
        case RST_CAUSE_KEEPALIVE_TIMEOUT:
        case RST_CAUSE_RETRANSMISSION_TIMEOUT:
        case RST_CAUSE_INJECTED:
            severity = PI_WARN;
            break;
        default:
            break;
        }
        ei_rst_cause[c] = (expert_field)EI_INIT;
        ei[c] = (ei_register_info){ &ei_rst_cause[c],
            { abbrev[c], PI_SEQUENCE, severity, summary[c], EXPFILL } };
    }
    ei[RST_CAUSE_COUNT] = (ei_register_info){ &ei_rst_injected,
        { "rst.expert.forged", PI_SECURITY, PI_WARN, "RST forged by a device on the path", EXPFILL } };
    ei[RST_CAUSE_COUNT + 1] = (ei_register_info){ &ei_rst_suspicious,
        { "rst.expert.suspicious", PI_SECURITY, PI_NOTE, "Signs of a forged RST", EXPFILL } };
    ei[RST_CAUSE_COUNT + 2] = (ei_register_info){ &ei_rst_stated,
        { "rst.expert.stated_reason", PI_RESPONSE_CODE, PI_NOTE, "RST states its reason",
          EXPFILL } };
    ei[RST_CAUSE_COUNT + 3] = (ei_register_info){ &ei_rst_unseen,
        { "rst.expert.unseen", PI_SECURITY, PI_WARN,
          "RST never seen at the capture point nearer its claimed sender", EXPFILL } };
    expert_register_field_array(module, ei, array_length(ei));
}

static void register_preferences(void)
{
    /* Weights keep the names the first three had. */
    static const char *const weight_pref[RST_EV_COUNT] = {
        [RST_EV_TTL] = "weight_ttl", [RST_EV_MAC] = "weight_mac",
        [RST_EV_SEQ_ZERO] = "weight_seq_zero", [RST_EV_RACE] = "weight_race",
        [RST_EV_BURST_SEQ] = "weight_burst_seq", [RST_EV_BURST_WINDOW] = "weight_burst_window",
        [RST_EV_BURST_TTL] = "weight_burst_ttl", [RST_EV_WINDOW] = "weight_window",
        [RST_EV_ACK] = "weight_ack", [RST_EV_NO_TIMESTAMPS] = "weight_no_timestamps",
        [RST_EV_TIMESTAMP] = "weight_timestamp", [RST_EV_IP_ID] = "weight_ip_id",
        [RST_EV_TIMING] = "weight_timing", [RST_EV_CONTRADICTION] = "weight_contradiction",
    };
    static char titles[RST_EV_COUNT][64], descriptions[RST_EV_COUNT][160];
    module_t *m = prefs_register_protocol(proto_rst, NULL);
    rst_params_default(&rst_prefs);
    prefs_register_uint_preference(m, "threshold", "Injection threshold",
        "Suspicion score (0-100) at which a RST is called injected", 10, &rst_prefs.threshold);
    for (int k = 0; k < RST_EV_COUNT; k++) {
        const char *name = rst_evidence_name((enum rst_evidence_kind)k);
        snprintf(titles[k], sizeof titles[k], "Weight: %s", name);
        snprintf(descriptions[k], sizeof descriptions[k],
                 "Score added by rst.evidence.%s (0 turns it off; docs/evidence.md)", name);
        prefs_register_uint_preference(m, weight_pref[k], titles[k], descriptions[k], 10,
                                       &rst_prefs.weight[k]);
    }
    prefs_register_uint_preference(m, "burst_ms", "Burst interval (ms)",
        "RSTs of one sender closer than this form a burst", 10, &rst_prefs.burst_ms);
    prefs_register_uint_preference(m, "keepalive_probes", "Keepalive probes",
        "Unanswered keepalive probes before a RST counts as keepalive-timeout", 10,
        &rst_prefs.keepalive_probes);
    prefs_register_uint_preference(m, "retransmissions", "Retransmissions",
        "Unanswered retransmissions of the same data before a RST counts as "
        "retransmission-timeout (Windows resets after 5)", 10, &rst_prefs.retransmissions);
    prefs_register_uint_preference(m, "idle_seconds", "Idle timeout (s)",
        "Silence in a connection before a RST counts as idle-timeout", 10,
        &rst_prefs.idle_seconds);
}

void proto_register_rst(void)
{
    static hf_register_info hf[] = {
        { &hf_rst_cause, { "Cause", "rst.cause", FT_STRING, BASE_NONE, NULL, 0x0,
            "Why the RST was sent: refused, no-connection, accept-queue-overflow, abort, "
            "data-after-close, invalid-segment, keepalive-timeout, retransmission-timeout, "
            "idle-timeout, injected, unknown", HFILL } },
        { &hf_rst_explanation, { "Explanation", "rst.explanation", FT_STRING, BASE_NONE, NULL, 0x0,
            "The verdict and its evidence in plain words", HFILL } },
        { &hf_rst_face_value, { "Cause at face value", "rst.face_value", FT_STRING, BASE_NONE,
            NULL, 0x0, "What the RST means if its claimed sender sent it", HFILL } },
        { &hf_rst_sender, { "Sender", "rst.sender", FT_STRING, BASE_NONE, NULL, 0x0,
            "The claimed sender: client or server (by who sent the SYN), or unknown", HFILL } },
        { &hf_rst_answers, { "Answers frame", "rst.answers", FT_FRAMENUM, BASE_NONE,
            FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0x0, "The segment this RST replies to", HFILL } },
        { &hf_rst_suspicion, { "Suspicion", "rst.suspicion", FT_UINT8, BASE_DEC, NULL, 0x0,
            "How likely a device on the path forged this RST (0-100)", HFILL } },
        { &hf_rst_injected, { "Injected", "rst.injected", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "Present (true) when the suspicion is at or above the threshold preference", HFILL } },
        { &hf_rst_after, { "After the RST in frame", "rst.after", FT_FRAMENUM, BASE_NONE, NULL,
            0x0, "The RST that had already ended this connection; this one answers late packets",
            HFILL } },
        { &hf_rst_acceptable, { "Acceptable", "rst.acceptable", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "Would the receiver accept this RST (RFC 9293 3.10.7, RFC 5961)", HFILL } },
        { &hf_rst_accept_reason, { "Reason", "rst.acceptable.reason", FT_STRING, BASE_NONE, NULL,
            0x0, NULL, HFILL } },
        { &hf_rst_evidence, { "Injection evidence", "rst.evidence", FT_NONE, BASE_NONE, NULL, 0x0,
            NULL, HFILL } },
        { &hf_rst_diag, { "Stated reason", "rst.diag", FT_NONE, BASE_NONE, NULL, 0x0,
            "What the RST's payload says about its cause (RFC 1122 4.2.2.12, "
            "draft-boucadair-tcpm-rst-diagnostic-payload)", HFILL } },
        { &hf_rst_diag_format, { "Format", "rst.diag.format", FT_STRING, BASE_NONE, NULL, 0x0,
            "compact (0x33AA), description (0xF317), text (RFC 1122), malformed, or data",
            HFILL } },
        { &hf_rst_diag_code, { "Reason code", "rst.diag.reason_code", FT_UINT16, BASE_DEC, NULL,
            0x0, "Compact format: the reason code", HFILL } },
        { &hf_rst_diag_pen, { "Enterprise number", "rst.diag.pen", FT_UINT32, BASE_DEC, NULL,
            0x0,
            "Compact format: whose reason code (0: the IANA TCP failure causes registry)",
            HFILL } },
        { &hf_rst_diag_reason, { "Reason", "rst.diag.reason", FT_STRING, BASE_NONE, NULL, 0x0,
            "The IANA TCP failure cause named by the reason code", HFILL } },
        { &hf_rst_diag_text, { "Text", "rst.diag.text", FT_STRING, BASE_NONE, NULL, 0x0,
            "The reason in words: a 0xF317 description or RFC 1122 reset text", HFILL } },
        { &hf_rst_vantage_point, { "Other capture point", "rst.vantage.point", FT_STRING,
            BASE_NONE, NULL, 0x0,
            "The capture point of the same file that saw this RST too, or proves it forged",
            HFILL } },
        { &hf_rst_vantage_peer, { "Also seen in frame", "rst.vantage.peer_frame", FT_FRAMENUM,
            BASE_NONE, NULL, 0x0, "The same RST at the other capture point", HFILL } },
        { &hf_rst_vantage_unseen, { "Unseen where it had to pass", "rst.vantage.unseen",
            FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "Present (true) when a capture point nearer the claimed sender, which the sender's "
            "other packets pass, never saw this RST: it was forged on the path", HFILL } },
        { &hf_rst_vantage_ref, { "Sender's packet there", "rst.vantage.ref_frame", FT_FRAMENUM,
            BASE_NONE, NULL, 0x0,
            "A packet of the claimed sender at the other capture point", HFILL } },
    };
    static gint *ett[] = { &ett_rst, &ett_rst_evidence, &ett_rst_diag };

    proto_rst = proto_register_protocol("TCP RST Analysis", "RST", "rst");
    proto_register_field_array(proto_rst, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    rst_evidence_register(proto_rst);
    register_causes_expert(expert_register_protocol(proto_rst));
    register_preferences();

    rst_tap = register_tap(RST_TAP_NAME);
    rst_handle = create_dissector_handle(dissect_rst, proto_rst);
    register_postdissector(rst_handle);
    register_init_routine(rst_init);
    register_cleanup_routine(rst_cleanup);
}

void proto_reg_handoff_rst(void)
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
