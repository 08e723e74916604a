/* packet-rst.c: the Wireshark side of rst-explain.
 *
 * A post-dissector.  On the first pass over a capture it finds, in every
 * frame, the TCP headers that are really on the wire (not the ones quoted
 * inside ICMP errors), the IP header that carries each and the link-layer
 * source address, and feeds them to the core (core/rst_core.h).  On every
 * pass it renders the core's verdict for each RST: cause, explanation,
 * suspicion, evidence and expert info.
 *
 * Headers are located by the position of a few "anchor" fields (ip.version,
 * tcp.srcport, ...): each field_info records the protocol layer it belongs
 * to, so the IP layer carrying a TCP header is the nearest IP layer below it
 * (tunnels), and a TCP header with an ICMP layer below it is a quotation.
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

static gint ett_rst = -1;
static gint ett_rst_evidence = -1;
static gint ett_rst_diag = -1;

static expert_field ei_rst_cause[RST_CAUSE_COUNT];
static expert_field ei_rst_injected = EI_INIT;
static expert_field ei_rst_suspicious = EI_INIT;
static expert_field ei_rst_stated = EI_INIT;

/* Preferences, with the core's defaults (see register_preferences). */
static struct rst_params rst_prefs;

/* File scope: one core per capture file, made by the init routine. */
static struct rst_core *core;

/* ------------------------------------------------------------ anchors */

enum anchor_kind {
    ANCHOR_MAC,      /* a source MAC address */
    ANCHOR_IP,       /* the first byte of an IPv4 or IPv6 header */
    ANCHOR_TCP,      /* the first byte of a TCP header */
    ANCHOR_ICMP,     /* an ICMP or ICMPv6 message: what follows is a quotation */
    ANCHOR_TUNNEL_ID /* a tunnel's network identifier (VXLAN VNI, GRE key) */
};

static const struct {
    const char *name;
    enum anchor_kind kind;
} anchor_names[] = {
    { "eth.src", ANCHOR_MAC },
    { "sll.src.eth", ANCHOR_MAC },
    { "ip.version", ANCHOR_IP },
    { "ipv6.version", ANCHOR_IP },
    { "tcp.srcport", ANCHOR_TCP },
    { "icmp.type", ANCHOR_ICMP },
    { "icmpv6.type", ANCHOR_ICMP },
    { "vxlan.vni", ANCHOR_TUNNEL_ID },
    { "gre.key", ANCHOR_TUNNEL_ID },
    { "geneve.vni", ANCHOR_TUNNEL_ID },
};

/* A name can belong to several fields (the IPv6 dissector adds a hidden
 * "ip.version" of its own): every one of them is an anchor. */
#define MAX_ANCHOR_FIELDS 16
static struct {
    int hf;
    enum anchor_kind kind;
} anchor_fields[MAX_ANCHOR_FIELDS];
static unsigned n_anchor_fields;

#define MAX_ANCHORS 32
#define MAX_TCP_PER_FRAME 8
#define IP_BYTES_MAX 60
#define TCP_BYTES_MAX 60
#define RST_PAYLOAD_MAX 512   /* enough for any reason a RST states */

struct anchor {
    enum anchor_kind kind;
    int layer;
    field_info *fi;
};

struct frame_anchors {
    struct anchor a[MAX_ANCHORS];
    unsigned n;
};

static void collect_anchors(proto_tree *tree, struct frame_anchors *fa)
{
    fa->n = 0;
    for (unsigned f = 0; f < n_anchor_fields; f++) {
        GPtrArray *found = proto_get_finfo_ptr_array(tree, anchor_fields[f].hf);
        for (guint i = 0; found && i < found->len && fa->n < MAX_ANCHORS; i++) {
            field_info *fi = (field_info *)g_ptr_array_index(found, i);
            fa->a[fa->n].kind = anchor_fields[f].kind;
            fa->a[fa->n].layer = RST_FINFO_LAYER(fi);
            fa->a[fa->n].fi = fi;
            fa->n++;
        }
    }
}

/* The anchor of a kind in the highest layer below `below`. */
static const struct anchor *nearest_below(const struct frame_anchors *fa, int below,
                                          enum anchor_kind kind)
{
    const struct anchor *best = NULL;
    for (unsigned i = 0; i < fa->n; i++) {
        const struct anchor *a = &fa->a[i];
        if (a->kind == kind && a->layer < below && (!best || a->layer > best->layer))
            best = a;
    }
    return best;
}

static size_t copy_bytes(field_info *fi, guint8 *buf, size_t max)
{
    tvbuff_t *tvb = RST_FINFO_TVB(fi);
    gint start = RST_FINFO_START(fi);
    gint avail = tvb ? tvb_captured_length_remaining(tvb, start) : -1;
    if (avail <= 0)
        return 0;
    size_t n = (size_t)avail < max ? (size_t)avail : max;
    tvb_memcpy(tvb, buf, start, n);
    return n;
}

/* Adds an enclosing IP header's two addresses to h, in either direction
 * alike (the lower one first). */
static guint32 mix_endpoints(guint32 h, field_info *fi)
{
    guint8 b[40];
    size_t n = copy_bytes(fi, b, sizeof b);
    size_t at, len;
    if (n >= 20 && b[0] >> 4 == 4)
        at = 12, len = 4;
    else if (n >= 40 && b[0] >> 4 == 6)
        at = 8, len = 16;
    else
        return h;
    const guint8 *lo = b + at, *hi = b + at + len;
    if (memcmp(lo, hi, len) > 0) {
        const guint8 *t = lo;
        lo = hi, hi = t;
    }
    return rst_fnv1a(rst_fnv1a(h, lo, len), hi, len);
}

/* Where a connection lives: the capture interface and, inside tunnels, the
 * tunnels themselves (the enclosing IP layers' endpoints and any VXLAN VNI or
 * GRE key between them).  The same inner address pair in two tunnels
 * (tenants of a VXLAN fabric reuse their private ranges) is two connections,
 * and an inner connection never mixes with an outer one.  Outside tunnels the
 * view is interface << 4; inside, a hash with the top bit set and the depth
 * in the low four bits. */
static guint32 segment_view(const packet_info *pinfo, const struct frame_anchors *fa,
                            const struct anchor *ip)
{
    guint32 iface = rst_frame_interface_id(pinfo), depth = 0;
    guint32 h = rst_fnv1a(RST_FNV_BASIS, &iface, sizeof iface);
    for (const struct anchor *a = nearest_below(fa, ip->layer, ANCHOR_IP); a;
         a = nearest_below(fa, a->layer, ANCHOR_IP)) {
        depth++;
        h = mix_endpoints(h, a->fi);
    }
    if (!depth)
        return iface << 4;
    for (unsigned i = 0; i < fa->n; i++) {
        const struct anchor *t = &fa->a[i];
        guint8 id[4];
        if (t->kind == ANCHOR_TUNNEL_ID && t->layer < ip->layer) {
            size_t width = MIN(sizeof id, (size_t)MAX(RST_FINFO_LENGTH(t->fi), 0));
            h = rst_fnv1a(h, id, copy_bytes(t->fi, id, width));
        }
    }
    return 0x80000000u | (h & 0x7ffffff0u) | MIN(depth, 15);
}

/* A RST's payload is its stated reason (RFC 1122 4.2.2.12): the core gets
 * the captured bytes; other segments' payloads are not its business. */
static void read_rst_payload(const struct anchor *tcp, const guint8 *tcp_bytes,
                             guint8 *buf, struct rst_segment *seg)
{
    if (!(seg->flags & RST_TH_RST) || seg->payload_len == 0)
        return;
    tvbuff_t *tvb = RST_FINFO_TVB(tcp->fi);
    gint start = RST_FINFO_START(tcp->fi) + (tcp_bytes[12] >> 4) * 4;
    gint avail = tvb_captured_length_remaining(tvb, start);
    if (avail <= 0)
        return;
    guint32 n = MIN(MIN((guint32)avail, seg->payload_len), RST_PAYLOAD_MAX);
    tvb_memcpy(tvb, buf, start, n);
    seg->payload = buf;
    seg->payload_caplen = n;
}

/* Reads one live TCP header and what carries it into a core segment; a
 * RST's payload goes to payload_buf (RST_PAYLOAD_MAX bytes). */
static gboolean read_segment(packet_info *pinfo, const struct frame_anchors *fa,
                             const struct anchor *tcp, struct rst_segment *seg,
                             guint8 *payload_buf)
{
    const struct anchor *ip = nearest_below(fa, tcp->layer, ANCHOR_IP);
    if (!ip)
        return FALSE;
    guint8 ip_bytes[IP_BYTES_MAX], tcp_bytes[TCP_BYTES_MAX];
    size_t ip_len = copy_bytes(ip->fi, ip_bytes, sizeof ip_bytes);
    size_t tcp_len = copy_bytes(tcp->fi, tcp_bytes, sizeof tcp_bytes);
    tvbuff_t *tcp_tvb = RST_FINFO_TVB(tcp->fi);
    long tcp_offset = -1;
    if (RST_FINFO_TVB(ip->fi) == tcp_tvb && RST_FINFO_START(tcp->fi) > RST_FINFO_START(ip->fi))
        tcp_offset = RST_FINFO_START(tcp->fi) - RST_FINFO_START(ip->fi);
    gint reported = tvb_reported_length_remaining(tcp_tvb, RST_FINFO_START(tcp->fi));

    memset(seg, 0, sizeof *seg);
    if (rst_parse_ip_tcp(ip_bytes, ip_len, tcp_bytes, tcp_len, tcp_offset,
                         reported > 0 ? (guint32)reported : 0, seg) != RST_PARSE_OK)
        return FALSE;
    read_rst_payload(tcp, tcp_bytes, payload_buf, seg);
    seg->frame = pinfo->num;
    seg->time_us = (gint64)pinfo->abs_ts.secs * 1000000 + pinfo->abs_ts.nsecs / 1000;
    seg->view = segment_view(pinfo, fa, ip);

    const struct anchor *mac = nearest_below(fa, ip->layer, ANCHOR_MAC);
    if (mac && copy_bytes(mac->fi, seg->src_mac, 6) == 6)
        seg->has_mac = true;
    return TRUE;
}

static gboolean is_quoted(const struct frame_anchors *fa, const struct anchor *tcp)
{
    return nearest_below(fa, tcp->layer, ANCHOR_ICMP) != NULL;
}

/* First pass: feed every live TCP segment of the frame; remember the verdict
 * ids of its RSTs (file scope: later passes only look them up). */
static void feed_frame(packet_info *pinfo, proto_tree *tree)
{
    struct frame_anchors fa;
    guint32 rsts = 0;
    guint8 payload[RST_PAYLOAD_MAX];

    if (!core || !tree)
        return;
    collect_anchors(tree, &fa);
    for (unsigned i = 0; i < fa.n && rsts < MAX_TCP_PER_FRAME; i++) {
        struct rst_segment seg;
        if (fa.a[i].kind != ANCHOR_TCP || is_quoted(&fa, &fa.a[i]))
            continue;
        if (!read_segment(pinfo, &fa, &fa.a[i], &seg, payload))
            continue;
        guint32 id = rst_core_add(core, &seg, &rst_prefs);
        if (id)
            p_add_proto_data(wmem_file_scope(), pinfo, proto_rst, rsts++, GUINT_TO_POINTER(id));
    }
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
                        const struct rst_diag *d)
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
        expert_add_info_format(pinfo, di, &ei_rst_stated, "RST states reason code %u%s%s",
                               d->code, name ? ": " : "", name ? name : "");
    } else if (d->text) {
        /* The core hands over valid UTF-8 only. */
        char *text = wmem_strndup(pinfo->pool, (const char *)d->text, d->text_len);
        proto_item_append_text(di, ": \"%s%s\"", text, d->text_truncated ? "..." : "");
        add_generated_string(dt, hf_rst_diag_text, tvb, text);
        expert_add_info_format(pinfo, di, &ei_rst_stated, "RST states: \"%s%s\"", text,
                               d->text_truncated ? "..." : "");
    }
}

static void render(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, guint32 id)
{
    struct rst_verdict v;
    if (!core || !rst_core_verdict(core, id, &rst_prefs, &v))
        return;
    const char *cause = rst_cause_name(v.cause);

    col_append_fstr(pinfo->cinfo, COL_INFO, " [RST cause: %s]", cause);
    proto_item *ti = proto_tree_add_item(tree, proto_rst, tvb, 0, 0, ENC_NA);
    proto_item_append_text(ti, ": %s, suspicion %u", cause, v.suspicion);
    proto_tree *rt = proto_item_add_subtree(ti, ett_rst);

    proto_item *cause_item = add_generated_string(rt, hf_rst_cause, tvb, cause);
    add_generated_string(rt, hf_rst_explanation, tvb, v.explanation);
    add_generated_string(rt, hf_rst_face_value, tvb, rst_cause_name(v.genuine_cause));
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
    render_diag(rt, tvb, pinfo, &v.diag);
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
        tap_queue_packet(rst_tap, pinfo, info);
    }

    expert_add_info_format(pinfo, cause_item, &ei_rst_cause[v.cause], "RST cause %s: %s",
                           cause, v.explanation);
    if (v.n_evidence)
        expert_add_info_format(pinfo, susp_item, v.injected ? &ei_rst_injected : &ei_rst_suspicious,
                               "%s (suspicion %u, threshold %u)",
                               v.injected ? "RST forged by a device on the path"
                                          : "Signs of a forged RST, below the threshold",
                               v.suspicion, rst_prefs.threshold);
}

static int dissect_rst(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    if (!PINFO_FD_VISITED(pinfo))
        feed_frame(pinfo, tree);
    for (guint32 k = 0; k < MAX_TCP_PER_FRAME; k++) {
        guint32 id = GPOINTER_TO_UINT(p_get_proto_data(wmem_file_scope(), pinfo, proto_rst, k));
        if (!id)
            break;
        render(tvb, pinfo, tree, id);
    }
    return 0;
}

/* ------------------------------------------------------------ registration */

/* Like transum: ask for the anchor fields only while the protocol is
 * enabled, so that "--disable-protocol rst" costs nothing. */
static void rst_init(void)
{
    rst_core_free(core);
    core = rst_core_new();
    GArray *wanted = NULL;
    if (proto_is_protocol_enabled(find_protocol_by_id(proto_rst))) {
        wanted = g_array_new(FALSE, FALSE, (guint)sizeof(int));
        for (unsigned f = 0; f < n_anchor_fields; f++)
            g_array_append_val(wanted, anchor_fields[f].hf);
    }
    set_postdissector_wanted_hfids(rst_handle, wanted);
}

static void rst_cleanup(void)
{
    rst_core_free(core);
    core = NULL;
    set_postdissector_wanted_hfids(rst_handle, NULL);
}

static void register_causes_expert(expert_module_t *module)
{
    /* One entry per cause, so Expert Information groups them. */
    static ei_register_info ei[RST_CAUSE_COUNT + 3];
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
        [RST_EV_TIMING] = "weight_timing",
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
    /* Other protocols' fields exist only once every protocol registered. */
    n_anchor_fields = 0;
    for (unsigned k = 0; k < array_length(anchor_names); k++) {
        header_field_info *hfi = proto_registrar_get_byname(anchor_names[k].name);
        while (hfi && RST_HFINFO_SAME_NAME_PREV(hfi) >= 0)
            hfi = proto_registrar_get_nth(RST_HFINFO_SAME_NAME_PREV(hfi));
        for (; hfi && n_anchor_fields < MAX_ANCHOR_FIELDS; hfi = RST_HFINFO_SAME_NAME_NEXT(hfi)) {
            anchor_fields[n_anchor_fields].hf = hfi->id;
            anchor_fields[n_anchor_fields].kind = anchor_names[k].kind;
            n_anchor_fields++;
        }
    }
}
