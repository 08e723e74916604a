/* rst_plugin.h: what the Wireshark layer's files share.
 *
 *   packet-rst.c         registration: the protocol, its fields, subtrees, expert
 *                        entries and tap, the post-dissector that feeds or renders
 *   rst_feed.c           feeding: a frame's live TCP segment, from what the
 *                        dissectors found, into the core
 *   rst_render.c         rendering: the verdict as a tree, expert information, the
 *                        Info column and the tap
 *   rst_prefs.c          preferences
 *   rst_evidence_fields.c  the rst.evidence.* fields
 *   rst_diag_fields.c    the rst.diag.* fields: what a RST states about itself
 *   rst_stats.c          Statistics > TCP RST Analysis
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RST_PLUGIN_H
#define RST_PLUGIN_H

#include <epan/packet.h>
#include <epan/expert.h>

#include "core/rst_core.h"

/* The protocol, its tap and its fields (registered in packet-rst.c). */
struct rst_fields {
    int proto, tap;
    int cause, explanation, why, face_value, wire_cause, sender, answers, suspicion, injected,
        after;
    int acceptable, accept_reason, evidence;
    int vantage_point, vantage_peer, vantage_unseen, vantage_ref;
    int impact, impact_bytes, impact_receiver, impact_receiver_frame, impact_first_acked;
    int impact_sender, impact_sender_frame, impact_unanswered, impact_unanswered_frame;
    int impact_lower_bound, impact_counted_in;
    gint ett_rst, ett_detail, ett_impact;
};
extern struct rst_fields rst_hf;

/* Expert entries: one per final cause, so Expert Information groups them,
 * and the signs of forgery, a stated reason, the proof.  A RST that lost
 * nothing has its entries at Chat (Expert Information hides them at a
 * click), one that lost data at Warning, any other at its cause's own
 * severity; a forged RST is a Warning whatever it cost. */
struct rst_experts {
    expert_field cause[RST_CAUSE_COUNT];
    expert_field cause_none[RST_CAUSE_COUNT]; /* impact none: Chat */
    expert_field cause_lost[RST_CAUSE_COUNT]; /* impact data-lost: Warning */
    expert_field injected, suspicious, stated, unseen;
    expert_field suspicious_none, stated_none; /* impact none: Chat */
};
extern struct rst_experts rst_ei;

/* rst_prefs.c: the preferences, with the core's defaults. */
extern struct rst_params rst_prefs;
void rst_prefs_register(int proto);

/* rst_feed.c */
void rst_feed_handoff(void);
/* Feeds the frame's live TCP segment to the core on the first pass; the
 * id of a RST's record, else 0. */
guint32 rst_feed_frame(struct rst_core *core, tvbuff_t *tvb, packet_info *pinfo);
/* Later passes: the verdict id of the frame's RST, 0 for none. */
guint32 rst_frame_rst(struct rst_core *core, packet_info *pinfo);

/* rst_render.c */
void rst_render_find_readers(void);
/* The verdict of the RST with record id, where something reads it. */
void rst_render(const struct rst_core *core, tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                guint32 id);

#endif /* RST_PLUGIN_H */
