/* floor.c: what Wireshark itself charges for showing a port scan's
 * refusals as the plugin shows them, with no analysis at all: a measuring
 * aid for tests/benchmark.py --floor, not part of the plugin.
 *
 * A post-dissector that, on every IPv4-over-Ethernet frame with the RST flag
 * and a visible tree, writes the tree, Info prefix and expert entry that
 * rst.so writes for a refusal answering a SYN (rst_render.c: cause, the
 * explanation hidden and line by line, cause at face value and on the wire,
 * sender, answered frame, acceptability and its reason, impact, suspicion),
 * with constant text and the same field names and types.  Nothing is fed,
 * learnt or classified: the difference between this and tshark without it
 * is the floor under any plugin that shows those items through Wireshark's
 * API, and the difference between rst.so and this is the analysis.
 *
 * RST_FLOOR=minimal in the environment writes only what the mission asks
 * of every RST: the protocol item, the cause, the explanation (hidden), the
 * suspicion, the Info prefix and the expert entry.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <epan/expert.h>
#include <epan/packet.h>
#include <ws_version.h>

#include <stdlib.h>
#include <string.h>

WS_DLL_PUBLIC_DEF const gchar plugin_version[] = "0";
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;
WS_DLL_PUBLIC void plugin_register(void);

static int proto = -1, helper = -1;
static int hf_cause = -1, hf_why = -1, hf_explanation = -1, hf_face = -1, hf_wire = -1;
static int hf_sender = -1, hf_answers = -1, hf_acceptable = -1, hf_reason = -1, hf_impact = -1;
static int hf_suspicion = -1;
static gint ett_rst = -1, ett_detail = -1;
static expert_field ei_refused = EI_INIT;
static gboolean minimal;

/* A refusal's explanation as rst.so writes it for a scan (two lines). */
static const char why_answer[] =
    "Answers the SYN in frame 1: nothing accepts connections on 203.0.113.1:1 (no listener, or "
    "the host's firewall rejects; RST/ACK, seq 0, ack = SYN + 1).";
static const char why_failed[] = "The connection attempt failed.";
static const char summary[] = "from the server, the connection attempt failed";

static proto_item *add_string(proto_tree *tree, int hf, tvbuff_t *tvb, const char *s)
{
    proto_item *pi = proto_tree_add_string(tree, hf, tvb, 0, 0, s);
    proto_item_set_generated(pi);
    return pi;
}

/* The TCP flags of an IPv4 segment on Ethernet, -1 for anything else. */
static int tcp_flags(tvbuff_t *tvb)
{
    guint len = tvb_captured_length(tvb);
    if (len < 34 || tvb_get_ntohs(tvb, 12) != 0x0800 || tvb_get_guint8(tvb, 23) != 6)
        return -1;
    guint ihl = (tvb_get_guint8(tvb, 14) & 0x0f) * 4u;
    return len >= 14 + ihl + 14 ? tvb_get_guint8(tvb, 14 + ihl + 13) : -1;
}

static int dissect_floor(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    int flags = tcp_flags(tvb);
    if (flags < 0 || !(flags & 0x04) || !tree || !PTREE_DATA(tree)->visible)
        return 0;
    col_prepend_fstr(pinfo->cinfo, COL_INFO, "[RST cause: %s, from the %s%s] ", "refused", "server",
                     "");
    proto_item *ti = proto_tree_add_item(tree, proto, tvb, 0, 0, ENC_NA);
    proto_item_append_text(ti, ": %s, %s, suspicion %u", "refused", summary, 0);
    proto_tree *rt = proto_item_add_subtree(ti, ett_rst);
    proto_item *cause = add_string(rt, hf_cause, tvb, "refused");
    char explanation[sizeof why_answer + sizeof why_failed];
    snprintf(explanation, sizeof explanation, "%s %s", why_answer, why_failed);
    proto_item_set_hidden(add_string(rt, hf_explanation, tvb, explanation));
    if (!minimal) {
        proto_tree *ct = proto_item_add_subtree(cause, ett_detail);
        add_string(ct, hf_why, tvb, why_answer);
        add_string(ct, hf_why, tvb, why_failed);
        add_string(rt, hf_face, tvb, "refused");
        add_string(rt, hf_wire, tvb, "refused");
        add_string(rt, hf_sender, tvb, "server");
        proto_item_set_generated(proto_tree_add_uint(rt, hf_answers, tvb, 0, 0, pinfo->num - 1));
        proto_item *ai = proto_tree_add_boolean(rt, hf_acceptable, tvb, 0, 0, TRUE);
        proto_item_set_generated(ai);
        add_string(proto_item_add_subtree(ai, ett_detail), hf_reason, tvb,
                   "it acknowledges the SYN (SYN-SENT, RFC 9293 3.10.7.3)");
        add_string(rt, hf_impact, tvb, "connection-failed");
    }
    proto_item_set_generated(proto_tree_add_uint(rt, hf_suspicion, tvb, 0, 0, 0));
    expert_add_info_format(pinfo, cause, &ei_refused, "RST cause %s: %s", "refused", summary);
    return 0;
}

static void register_floor(void)
{
    static hf_register_info hf[] = {
        { &hf_cause, { "Cause", "rst.cause", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_why, { "Why", "rst.why", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_explanation,
          { "Explanation", "rst.explanation", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_face,
          { "Cause at face value", "rst.face_value", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_wire,
          { "Cause on the wire", "rst.wire_cause", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_sender, { "Sender", "rst.sender", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_answers,
          { "Answers frame", "rst.answers", FT_FRAMENUM, BASE_NONE,
            FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0, NULL, HFILL } },
        { &hf_acceptable,
          { "Acceptable", "rst.acceptable", FT_BOOLEAN, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_reason,
          { "Reason", "rst.acceptable.reason", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_impact, { "Impact", "rst.impact", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_suspicion,
          { "Suspicion", "rst.suspicion", FT_UINT8, BASE_DEC, NULL, 0, NULL, HFILL } },
    };
    static gint *ett[] = { &ett_rst, &ett_detail };
    static ei_register_info ei[] = {
        { &ei_refused,
          { "rst.cause.refused", PI_SEQUENCE, PI_NOTE, "RST cause refused", EXPFILL } },
    };
    const char *mode = getenv("RST_FLOOR");
    minimal = mode && strcmp(mode, "minimal") == 0;
    proto = proto_register_protocol("TCP RST Analysis", "RST", "rst");
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto), ei, array_length(ei));
    /* A helper's handle, as rst.so's (packet-rst.c): no layer per frame. */
    helper = proto_register_protocol_in_name_only("RST floor", "RST floor", "rst.postdissector",
                                                  proto, FT_PROTOCOL);
}

static void handoff_floor(void)
{
    register_postdissector(create_dissector_handle(dissect_floor, helper));
}

void plugin_register(void)
{
    static proto_plugin plugin = { register_floor, handoff_floor };
    proto_register_plugin(&plugin);
}
