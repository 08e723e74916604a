/* packet-rst.c: the Wireshark side of rst-explain: registration.
 *
 * A post-dissector.  On the first pass over a capture it feeds every
 * frame's live TCP segment to the core (rst_feed.c); on every pass it
 * renders the core's verdict for each RST wherever something reads it
 * (rst_render.c).  This file registers the protocol, its fields, subtrees,
 * expert entries and tap, and keeps the core of the open capture file.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define WS_LOG_DOMAIN "rst"

#include <epan/packet.h>
#include <epan/proto_data.h>

#include <stdio.h>

#include "rst_evidence_fields.h"
#include "rst_diag_fields.h"
#include "rst_plugin.h"
#include "rst_stats.h"

void proto_register_rst(void);
void proto_reg_handoff_rst(void);

struct rst_fields rst_hf = {
    .proto = -1, .tap = -1, .ett_rst = -1, .ett_detail = -1, .ett_impact = -1
};
struct rst_experts rst_ei;

/* The protocol's short name: its column and expert entries' protocol. */
static const char short_name[] = "RST";

/* File scope: one core per capture file, made by the init routine. */
static struct rst_core *core;

/* The fields of the rst tree (docs/fields.md). */
static hf_register_info fields[] = {
    { &rst_hf.cause,
      { "Cause", "rst.cause", FT_STRING, BASE_NONE, NULL, 0x0,
        "Why the RST was sent, its final cause: injected where forged, else its face value: "
        "refused, no-connection, accept-queue-overflow, abort, data-after-close, "
        "invalid-segment, keepalive-timeout, retransmission-timeout, idle-timeout, unknown",
        HFILL } },
    { &rst_hf.why,
      { "Why", "rst.why", FT_STRING, BASE_NONE, NULL, 0x0,
        "The explanation (rst.explanation) line by line, under the cause, as the tree shows it",
        HFILL } },
    { &rst_hf.explanation,
      { "Explanation", "rst.explanation", FT_STRING, BASE_NONE, NULL, 0x0,
        "The verdict and its evidence in plain words", HFILL } },
    { &rst_hf.face_value,
      { "Cause at face value", "rst.face_value", FT_STRING, BASE_NONE, NULL, 0x0,
        "What the RST means if its claimed sender sent it: the cause it states "
        "itself, else the wire cause (read from the connection)",
        HFILL } },
    { &rst_hf.wire_cause,
      { "Cause on the wire", "rst.wire_cause", FT_STRING, BASE_NONE, NULL, 0x0,
        "What the connection alone says, as if the claimed sender sent it, whatever the RST "
        "states about itself",
        HFILL } },
    { &rst_hf.sender,
      { "Sender", "rst.sender", FT_STRING, BASE_NONE, NULL, 0x0,
        "The claimed sender: client or server (by who sent the SYN), or unknown", HFILL } },
    { &rst_hf.answers,
      { "Answers frame", "rst.answers", FT_FRAMENUM, BASE_NONE, FRAMENUM_TYPE(FT_FRAMENUM_REQUEST),
        0x0, "The segment this RST replies to", HFILL } },
    { &rst_hf.suspicion,
      { "Suspicion", "rst.suspicion", FT_UINT8, BASE_DEC, NULL, 0x0,
        "How likely a device on the path forged this RST (0-100)", HFILL } },
    { &rst_hf.injected,
      { "Injected", "rst.injected", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
        "Present (true) when the suspicion is at or above the threshold preference", HFILL } },
    { &rst_hf.after,
      { "After the RST in frame", "rst.after", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
        "The RST that had already ended this connection; this one answers late packets", HFILL } },
    { &rst_hf.acceptable,
      { "Acceptable", "rst.acceptable", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
        "Would the receiver accept this RST (RFC 9293 3.10.7, RFC 5961)", HFILL } },
    { &rst_hf.accept_reason,
      { "Reason", "rst.acceptable.reason", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL } },
    { &rst_hf.evidence,
      { "Injection evidence", "rst.evidence", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL } },
    { &rst_hf.vantage_point,
      { "Other capture point", "rst.vantage.point", FT_STRING, BASE_NONE, NULL, 0x0,
        "The capture point of the same file that saw this RST too, or proves it forged", HFILL } },
    { &rst_hf.vantage_peer,
      { "Also seen in frame", "rst.vantage.peer_frame", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
        "The same RST at the other capture point", HFILL } },
    { &rst_hf.vantage_unseen,
      { "Unseen where it had to pass", "rst.vantage.unseen", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
        "Present (true) when a capture point nearer the claimed sender, which the sender's "
        "other packets pass, never saw this RST: it was forged on the path",
        HFILL } },
    { &rst_hf.impact,
      { "Impact", "rst.impact", FT_STRING, BASE_NONE, NULL, 0x0,
        "What the RST cost: none (nothing lost or left unanswered), data-lost, "
        "connection-failed (a connection attempt ended), unknown (the capture cannot tell)",
        HFILL } },
    { &rst_hf.impact_bytes,
      { "Bytes lost", "rst.impact.bytes", FT_UINT32, BASE_DEC, NULL, 0x0,
        "All bytes thrown away or left unanswered, each counted once", HFILL } },
    { &rst_hf.impact_receiver,
      { "Receiver's bytes never acknowledged", "rst.impact.receiver_unacked", FT_UINT32, BASE_DEC,
        NULL, 0x0,
        "Bytes the RST's receiver sent, before it or in flight after it, that its sender "
        "never acknowledged",
        HFILL } },
    { &rst_hf.impact_receiver_frame,
      { "Receiver's last such segment", "rst.impact.receiver_unacked.frame", FT_FRAMENUM, BASE_NONE,
        NULL, 0x0, NULL, HFILL } },
    { &rst_hf.impact_first_acked,
      { "Bytes first acknowledged by the RST", "rst.impact.first_acked", FT_UINT32, BASE_DEC, NULL,
        0x0,
        "Bytes the RST acknowledges for the first time: its sender's TCP had them, its "
        "application closed without reading them",
        HFILL } },
    { &rst_hf.impact_sender,
      { "Sender's bytes never acknowledged", "rst.impact.sender_unacked", FT_UINT32, BASE_DEC, NULL,
        0x0, "The RST's sender's own bytes that its peer never acknowledged", HFILL } },
    { &rst_hf.impact_sender_frame,
      { "Sender's last such segment", "rst.impact.sender_unacked.frame", FT_FRAMENUM, BASE_NONE,
        NULL, 0x0, NULL, HFILL } },
    { &rst_hf.impact_unanswered,
      { "Request never answered", "rst.impact.unanswered", FT_UINT32, BASE_DEC, NULL, 0x0,
        "The connection's last data, the client's request, got no answer before the RST: "
        "its bytes",
        HFILL } },
    { &rst_hf.impact_unanswered_frame,
      { "Request's first segment", "rst.impact.unanswered.frame", FT_FRAMENUM, BASE_NONE,
        FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0x0, NULL, HFILL } },
    { &rst_hf.impact_lower_bound,
      { "Lower bound", "rst.impact.lower_bound", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
        "Present (true) when the capture missed part of the sequence space: the counts are "
        "at least these",
        HFILL } },
    { &rst_hf.impact_counted_in,
      { "Counted at the RST in frame", "rst.impact.counted_in", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
        "The connection had already ended with the RST in that frame, which counts what was lost; "
        "or this RST is a copy of it",
        HFILL } },
    { &rst_hf.vantage_ref,
      { "Sender's packet there", "rst.vantage.ref_frame", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
        "A packet of the claimed sender at the other capture point", HFILL } },
};

static int dissect_rst(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    guint32 id =
        PINFO_FD_VISITED(pinfo) ? rst_frame_rst(core, pinfo) : rst_feed_frame(core, tvb, pinfo);
    if (id) {
        /* What Wireshark sets for a protocol's own handle (see
         * proto_register_rst): expert entries and any malformed-packet
         * item name the protocol they come from. */
        const char *saved = pinfo->current_proto;
        pinfo->current_proto = short_name;
        rst_render(core, tvb, pinfo, tree, id);
        pinfo->current_proto = saved;
    }
    return 0;
}

static void rst_init(void)
{
    rst_core_free(core);
    core = rst_core_new();
    /* A key per capture file, which the file cannot know (rst_core.h). */
    rst_core_set_hash_key(core, ((guint64)g_random_int() << 32) | g_random_int(),
                          ((guint64)g_random_int() << 32) | g_random_int());
    rst_render_find_readers();
}

static void rst_cleanup(void)
{
    rst_core_free(core);
    core = NULL;
}

/* A cause's own severity: Warning where the network or a host's state went
 * wrong, Note where an endpoint acted by design. */
static int cause_severity(enum rst_cause c)
{
    switch (c) {
    case RST_CAUSE_NO_CONNECTION:
    case RST_CAUSE_ACCEPT_QUEUE_OVERFLOW:
    case RST_CAUSE_INVALID_SEGMENT:
    case RST_CAUSE_KEEPALIVE_TIMEOUT:
    case RST_CAUSE_RETRANSMISSION_TIMEOUT:
    case RST_CAUSE_INJECTED:
        return PI_WARN;
    default:
        return PI_NOTE;
    }
}

/* The cause entries of one impact: "rst.expert.<cause><suffix>". */
static void register_cause_entries(ei_register_info *ei, expert_field *fields, const char *suffix,
                                   int severity, char (*abbrev)[64], char (*summary)[64])
{
    for (int c = 0; c < RST_CAUSE_COUNT; c++) {
        const char *name = rst_cause_name((enum rst_cause)c);
        snprintf(abbrev[c], sizeof abbrev[c], "rst.expert.%s%s", name, suffix);
        for (char *p = abbrev[c]; *p; p++)
            if (*p == '-')
                *p = '_';
        snprintf(summary[c], sizeof summary[c], "RST cause: %s", name);
        fields[c] = (expert_field)EI_INIT;
        ei[c] = (ei_register_info){ &fields[c],
                                    { abbrev[c], PI_SEQUENCE,
                                      severity ? severity : cause_severity((enum rst_cause)c),
                                      summary[c], EXPFILL } };
    }
}

static void register_causes_expert(expert_module_t *module)
{
    /* One entry per cause, so Expert Information groups them. */
    static ei_register_info ei[3 * RST_CAUSE_COUNT + 6];
    static char abbrev[3][RST_CAUSE_COUNT][64];
    static char summary[3][RST_CAUSE_COUNT][64];
    register_cause_entries(ei, rst_ei.cause, "", 0, abbrev[0], summary[0]);
    register_cause_entries(ei + RST_CAUSE_COUNT, rst_ei.cause_none, ".no_loss", PI_CHAT, abbrev[1],
                           summary[1]);
    register_cause_entries(ei + 2 * RST_CAUSE_COUNT, rst_ei.cause_lost, ".data_lost", PI_WARN,
                           abbrev[2], summary[2]);
    ei_register_info *more = ei + 3 * RST_CAUSE_COUNT;
    more[0] = (ei_register_info){ &rst_ei.injected,
                                  { "rst.expert.forged", PI_SECURITY, PI_WARN,
                                    "RST forged by a device on the path", EXPFILL } };
    more[1] = (ei_register_info){ &rst_ei.suspicious,
                                  { "rst.expert.suspicious", PI_SECURITY, PI_NOTE,
                                    "Signs of a forged RST", EXPFILL } };
    more[2] = (ei_register_info){ &rst_ei.suspicious_none,
                                  { "rst.expert.suspicious.no_loss", PI_SECURITY, PI_CHAT,
                                    "Signs of a forged RST", EXPFILL } };
    more[3] = (ei_register_info){ &rst_ei.stated,
                                  { "rst.expert.stated_reason", PI_RESPONSE_CODE, PI_NOTE,
                                    "RST states its reason", EXPFILL } };
    more[4] = (ei_register_info){ &rst_ei.stated_none,
                                  { "rst.expert.stated_reason.no_loss", PI_RESPONSE_CODE, PI_CHAT,
                                    "RST states its reason", EXPFILL } };
    more[5] = (ei_register_info){ &rst_ei.unseen,
                                  { "rst.expert.unseen", PI_SECURITY, PI_WARN,
                                    "RST never seen at the capture point nearer its claimed sender",
                                    EXPFILL } };
    expert_register_field_array(module, ei, array_length(ei));
}

void proto_register_rst(void)
{
    static gint *ett[] = { &rst_hf.ett_rst, &rst_hf.ett_detail, &rst_hf.ett_impact };

    rst_hf.proto = proto_register_protocol("TCP RST Analysis", short_name, "rst");
    proto_register_field_array(rst_hf.proto, fields, array_length(fields));
    proto_register_subtree_array(ett, array_length(ett));
    rst_evidence_register(rst_hf.proto);
    rst_diag_register(rst_hf.proto);
    register_causes_expert(expert_register_protocol(rst_hf.proto));
    rst_prefs_register(rst_hf.proto);

    rst_hf.tap = register_tap(RST_TAP_NAME);
    /* The post-dissector runs on every frame, and takes nothing of the
     * frame's bytes (it returns 0).  Its handle belongs to a protocol in
     * name only, a helper of rst's enabled and disabled with it
     * (proto_is_protocol_enabled asks a helper's parent): for such a
     * handle Wireshark does not add a layer to the frame's layer list and
     * its per-frame count of each protocol's layers, only to take it off
     * again because nothing was consumed, some 450 instructions a frame
     * (callgrind, Wireshark 4.0.17) where a port scan's whole verdict
     * costs a few thousand. */
    int post = proto_register_protocol_in_name_only("TCP RST Analysis post-dissector",
                                                    "RST post-dissector", "rst.postdissector",
                                                    rst_hf.proto, FT_PROTOCOL);
    register_postdissector(create_dissector_handle(dissect_rst, post));
    register_init_routine(rst_init);
    register_cleanup_routine(rst_cleanup);
}

void proto_reg_handoff_rst(void)
{
    rst_feed_handoff();
}
