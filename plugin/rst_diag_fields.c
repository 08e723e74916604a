/* rst_diag_fields.c: the rst.diag.* fields, what a RST states about its own
 * reason (core/rst_diag.c): the diagnostic payload's code and enterprise
 * number, reset text, an F5 BIG-IP reset cause, Multipath TCP's MP_TCPRST
 * and MP_FASTCLOSE, a Citrix NetScaler reset code in the window.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst_diag_fields.h"

#include <epan/addr_resolv.h>

static int hf_diag, hf_format, hf_vendor, hf_code, hf_pen, hf_reason, hf_text;
static int hf_transient, hf_mptcp_flags, hf_fastclose, hf_fastclose_by;
static int hf_f5_location, hf_f5_peer;
static gint ett_diag = -1;

void rst_diag_register(int proto)
{
    static hf_register_info fields[] = {
        { &hf_diag,
          { "Stated reason", "rst.diag", FT_NONE, BASE_NONE, NULL, 0x0,
            "What the RST says about its own cause: its payload (RFC 1122 4.2.2.12, "
            "draft-ietf-tcpm-rst-diagnostic-payload, an F5 BIG-IP reset cause), its MPTCP "
            "options (RFC 8684), a Citrix NetScaler code in its window",
            HFILL } },
        { &hf_format,
          { "Format", "rst.diag.format", FT_STRING, BASE_NONE, NULL, 0x0,
            "compact (0x33AA), description (0xF317), cbor (the individual drafts' CBOR), text "
            "(RFC 1122), mptcp (MP_TCPRST / MP_FASTCLOSE), window (NetScaler), malformed, data",
            HFILL } },
        { &hf_vendor,
          { "Vendor", "rst.diag.vendor", FT_STRING, BASE_NONE, NULL, 0x0,
            "Whose convention the statement follows: F5 BIG-IP, Citrix NetScaler", HFILL } },
        { &hf_code,
          { "Reason code", "rst.diag.reason_code", FT_UINT16, BASE_DEC, NULL, 0x0,
            "The diagnostic payload's reason code, MP_TCPRST's reason, the NetScaler code",
            HFILL } },
        { &hf_pen,
          { "Enterprise number", "rst.diag.pen", FT_UINT32, BASE_DEC, NULL, 0x0,
            "Whose reason code (0: the IANA TCP failure causes registry)", HFILL } },
        { &hf_reason,
          { "Reason", "rst.diag.reason", FT_STRING, BASE_NONE, NULL, 0x0,
            "What the code means in its registry (IANA, RFC 8684, Citrix CTX200852), or an F5 "
            "reset cause's text",
            HFILL } },
        { &hf_text,
          { "Text", "rst.diag.text", FT_STRING, BASE_NONE, NULL, 0x0,
            "The reason in words: a description or RFC 1122 reset text, as sent", HFILL } },
        { &hf_transient,
          { "Transient", "rst.diag.transient", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "MP_TCPRST's T flag: the error may go away, a new subflow may work (RFC 8684 3.6)",
            HFILL } },
        { &hf_mptcp_flags,
          { "MP_TCPRST flags", "rst.diag.mptcp_flags", FT_UINT8, BASE_HEX, NULL, 0x0,
            "The U V W T bits (RFC 8684 3.6, figure 16)", HFILL } },
        { &hf_fastclose,
          { "MP_FASTCLOSE in frame", "rst.diag.fastclose", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
            "The segment carrying MP_FASTCLOSE: the whole MPTCP connection closes at once "
            "(RFC 8684 3.5)",
            HFILL } },
        { &hf_fastclose_by,
          { "MP_FASTCLOSE sent by", "rst.diag.fastclose_by", FT_STRING, BASE_NONE, NULL, 0x0,
            "sender (this RST's own) or receiver (this RST answers it, RFC 8684 3.5 option A)",
            HFILL } },
        { &hf_f5_location,
          { "F5 reset cause location", "rst.diag.f5.location", FT_STRING, BASE_NONE, NULL, 0x0,
            "The value and line in the BIG-IP's code that reset, as in [0x...:line]", HFILL } },
        { &hf_f5_peer,
          { "F5 {peer}", "rst.diag.f5.peer", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "The BIG-IP reset this side because of the other side of its proxy (its peer flow)",
            HFILL } },
    };
    static gint *ett[] = { &ett_diag };
    proto_register_field_array(proto, fields, array_length(fields));
    proto_register_subtree_array(ett, array_length(ett));
}

static void add_string(proto_tree *tree, int hf, tvbuff_t *tvb, const char *s)
{
    proto_item_set_generated(proto_tree_add_string(tree, hf, tvb, 0, 0, s));
}

static void add_uint(proto_tree *tree, int hf, tvbuff_t *tvb, guint32 value)
{
    proto_item_set_generated(proto_tree_add_uint(tree, hf, tvb, 0, 0, value));
}

static void add_boolean(proto_tree *tree, int hf, tvbuff_t *tvb, gboolean value)
{
    proto_item_set_generated(proto_tree_add_boolean(tree, hf, tvb, 0, 0, value));
}

/* A code, its enterprise number and its meaning. */
static void render_code(proto_tree *dt, proto_item *di, tvbuff_t *tvb, const struct rst_diag *d,
                        const char *reason)
{
    proto_item_append_text(di, ": code %u%s%s", d->code, reason ? " " : "", reason ? reason : "");
    add_uint(dt, hf_code, tvb, d->code);
    if (d->format == RST_DIAG_COMPACT || d->format == RST_DIAG_CBOR) {
        /* PEN 0 is not "Reserved" here: the draft gives it to IANA's registry. */
        proto_item_set_generated(proto_tree_add_uint_format_value(
            dt, hf_pen, tvb, 0, 0, d->pen, "%s (%u)",
            d->pen ? enterprises_lookup(d->pen, "Unknown") : "IANA TCP failure causes", d->pen));
    }
    if (reason)
        add_string(dt, hf_reason, tvb, reason);
}

static void render_mptcp(proto_tree *dt, proto_item *di, tvbuff_t *tvb, const struct rst_diag *d)
{
    if (d->has_code) {
        add_boolean(dt, hf_transient, tvb, (d->mptcp_flags & RST_MPTCP_FLAG_T) != 0);
        add_uint(dt, hf_mptcp_flags, tvb, d->mptcp_flags);
    }
    if (!d->fastclose_frame)
        return;
    proto_item_append_text(di, "%sMP_FASTCLOSE", d->has_code ? ", " : ": ");
    add_uint(dt, hf_fastclose, tvb, d->fastclose_frame);
    add_string(dt, hf_fastclose_by, tvb, d->fastclose_by_peer ? "receiver" : "sender");
}

/* F5 BIG-IP: where in its code it reset, the {peer} marker, the cause. */
static void render_f5(proto_tree *dt, tvbuff_t *tvb, packet_info *pinfo, const struct rst_diag *d,
                      const char *text)
{
    add_string(dt, hf_f5_location, tvb,
               wmem_strdup_printf(pinfo->pool, "0x%" PRIx64 ":%u", d->f5_value, d->f5_line));
    add_boolean(dt, hf_f5_peer, tvb, d->f5_peer);
    if (d->cause_offset < d->text_len)
        add_string(dt, hf_reason, tvb, text + d->cause_offset);
}

/* A short label for the statistics: "mptcp 3 Administratively prohibited",
 * "compact 14 Connection timeout", "Citrix NetScaler 9814" (Citrix's texts
 * are long: the tree shows them), "F5 BIG-IP: <cause>", or the format. */
static const char *stats_label(packet_info *pinfo, const struct rst_diag *d, const char *reason,
                               const char *text)
{
    if (d->vendor == RST_VENDOR_F5)
        return wmem_strdup_printf(pinfo->pool, "%s: %s", rst_diag_vendor_name(d->vendor),
                                  text + d->cause_offset);
    if (d->vendor == RST_VENDOR_NETSCALER)
        return wmem_strdup_printf(pinfo->pool, "%s %u", rst_diag_vendor_name(d->vendor), d->code);
    if (d->format == RST_DIAG_MPTCP && !d->has_code)
        return "mptcp MP_FASTCLOSE";
    if (d->has_code)
        return wmem_strdup_printf(pinfo->pool, "%s %u%s%s", rst_diag_format_name(d->format),
                                  d->code, reason ? " " : "", reason ? reason : "");
    return rst_diag_format_name(d->format);
}

const char *rst_diag_render(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo,
                            const struct rst_diag *d, expert_field *stated)
{
    if (d->format == RST_DIAG_NONE)
        return NULL;
    proto_item *di = proto_tree_add_item(tree, hf_diag, tvb, 0, 0, ENC_NA);
    proto_item_set_generated(di);
    proto_tree *dt = proto_item_add_subtree(di, ett_diag);
    add_string(dt, hf_format, tvb, rst_diag_format_name(d->format));
    const char *vendor = rst_diag_vendor_name(d->vendor);
    if (vendor)
        add_string(dt, hf_vendor, tvb, vendor);
    const char *reason = rst_diag_reason(d);
    /* The core hands over valid UTF-8 only. */
    char *text = d->text ? wmem_strndup(pinfo->pool, (const char *)d->text, d->text_len) : NULL;
    if (d->has_code)
        render_code(dt, di, tvb, d, reason);
    if (d->format == RST_DIAG_MPTCP)
        render_mptcp(dt, di, tvb, d);
    if (text) {
        proto_item_append_text(di, "%s\"%s%s\"", d->has_code ? ", " : ": ", text,
                               d->text_truncated ? "..." : "");
        add_string(dt, hf_text, tvb, text);
        if (d->vendor == RST_VENDOR_F5)
            render_f5(dt, tvb, pinfo, d, text);
    }
    if (d->format <= RST_DIAG_MALFORMED)
        return NULL;
    const char *label = stats_label(pinfo, d, reason, text);
    if (stated)
        expert_add_info_format(pinfo, di, stated, "RST states: %s", label);
    return label;
}
