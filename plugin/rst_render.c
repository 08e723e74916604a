/* rst_render.c: a RST's verdict as Wireshark shows it.
 *
 * The tree (cause, explanation, sender, acceptability, stated reason, other
 * capture points, suspicion and each piece of evidence), expert
 * information, the head of the Info column and the plugin's tap: on every
 * pass, wherever something reads them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <epan/addr_resolv.h>
#include <epan/tap.h>

#include <stdio.h>
#include <string.h>

#include "rst_compat.h"
#include "rst_diag_fields.h"
#include "rst_evidence_fields.h"
#include "rst_plugin.h"
#include "rst_stats.h"

/* Who reads expert information (wants_detail): the expert tap, and the
 * fields of Wireshark's expert items and of the plugin's own. */
static int expert_tap = -1;
#define MAX_EXPERT_HFS (3 * RST_CAUSE_COUNT + 11)
static int expert_hfs[MAX_EXPERT_HFS];
static unsigned n_expert_hfs;
static unsigned n_wireshark_hfs; /* the first ones: Wireshark's */
static int expert_parent = -1;   /* the protocol of all the plugin's, -1: not one */

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

/* What the RST cost (core/rst_impact.c): the impact, and for data lost
 * the bytes, each count with the frame that shows it. */
static void render_impact(proto_tree *tree, tvbuff_t *tvb, const struct rst_verdict *v)
{
    proto_item *ii = add_generated_string(tree, rst_hf.impact, tvb, rst_impact_name(v->impact));
    if (v->impact_frame) {
        proto_item_append_text(ii, " (counted at frame %u)", v->impact_frame);
        add_generated_uint(proto_item_add_subtree(ii, rst_hf.ett_impact), rst_hf.impact_counted_in,
                           tvb, v->impact_frame);
    }
    if (v->impact != RST_IMPACT_DATA_LOST)
        return;
    const struct rst_loss *l = &v->loss;
    proto_item_append_text(ii, " (%u byte%s%s)", v->impact_bytes, v->impact_bytes == 1 ? "" : "s",
                           l->lower_bound ? " at least" : "");
    proto_tree *it = proto_item_add_subtree(ii, rst_hf.ett_impact);
    add_generated_uint(it, rst_hf.impact_bytes, tvb, v->impact_bytes);
    const struct {
        guint32 bytes, frame;
        int hf, hf_frame;
    } counts[] = {
        { l->receiver_unacked, l->receiver_frame, rst_hf.impact_receiver,
          rst_hf.impact_receiver_frame },
        { l->first_acked, 0, rst_hf.impact_first_acked, -1 },
        { l->sender_unacked, l->sender_frame, rst_hf.impact_sender, rst_hf.impact_sender_frame },
        { l->unanswered, l->unanswered_frame, rst_hf.impact_unanswered,
          rst_hf.impact_unanswered_frame },
    };
    for (unsigned k = 0; k < array_length(counts); k++) {
        if (!counts[k].bytes)
            continue;
        add_generated_uint(it, counts[k].hf, tvb, counts[k].bytes);
        if (counts[k].frame)
            add_generated_uint(it, counts[k].hf_frame, tvb, counts[k].frame);
    }
    if (l->lower_bound)
        proto_item_set_generated(
            proto_tree_add_boolean(it, rst_hf.impact_lower_bound, tvb, 0, 0, TRUE));
}

/* The expert entry of a cause, by what the RST cost. */
static expert_field *cause_expert(const struct rst_verdict *v)
{
    if (v->final_cause == RST_CAUSE_INJECTED)
        return &rst_ei.cause[RST_CAUSE_INJECTED];
    if (v->impact == RST_IMPACT_NONE)
        return &rst_ei.cause_none[v->final_cause];
    if (v->impact == RST_IMPACT_DATA_LOST)
        return &rst_ei.cause_lost[v->final_cause];
    return &rst_ei.cause[v->final_cause];
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
    return wmem_strdup_printf(pinfo->pool, "%s, link of %02x:%02x:%02x:%02x:%02x:%02x", where, m[0],
                              m[1], m[2], m[3], m[4], m[5]);
}

/* The RST at the connection's other capture points (core/rst_vantage.c). */
static void render_vantage(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo,
                           const struct rst_verdict *v, gboolean detail)
{
    const struct rst_vantage *w = &v->vantage;
    if (!w->peer_frame && !w->unseen)
        return;
    const char *point = point_name(pinfo, w);
    add_generated_string(tree, rst_hf.vantage_point, tvb, point);
    if (w->peer_frame)
        add_generated_uint(tree, rst_hf.vantage_peer, tvb, w->peer_frame);
    if (!w->unseen)
        return;
    /* Present only when true, as rst.injected. */
    proto_item *ui = proto_tree_add_boolean(tree, rst_hf.vantage_unseen, tvb, 0, 0, TRUE);
    proto_item_set_generated(ui);
    add_generated_uint(tree, rst_hf.vantage_ref, tvb, w->ref_frame);
    if (detail)
        expert_add_info_format(pinfo, ui, &rst_ei.unseen,
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
    if (proto_field_is_referenced(tree, rst_hf.explanation) || have_tap_listener(expert_tap)
        || rst_has_column(pinfo->cinfo, COL_EXPERT))
        return TRUE;
    if (!tree)
        return FALSE; /* without a tree no field is referenced */
    for (unsigned k = 0; k < n_wireshark_hfs; k++)
        if (proto_field_is_referenced(tree, expert_hfs[k]))
            return TRUE;
    /* A filter, colouring rule or field list that names a field marks its
     * protocol as well (proto_tree_prime_with_hfid): where the plugin's is
     * unmarked, none of its ~40 expert fields is named, and asking each
     * would cost more than the rest of a RST that nothing reads. */
    if (expert_parent >= 0 && !proto_field_is_referenced(tree, expert_parent))
        return FALSE;
    for (unsigned k = n_wireshark_hfs; k < n_expert_hfs; k++)
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

/* Wireshark cuts a tree label at ITEM_LABEL_LENGTH (240) characters: the
 * whole explanation is a hidden field (for -T fields and filters), and the
 * tree shows it line by line under the cause. */
#define WHY_LINE_MAX 200

static void render_explanation(proto_tree *rt, proto_item *cause_item, tvbuff_t *tvb,
                               const char *explanation)
{
    proto_item_set_hidden(add_generated_string(rt, rst_hf.explanation, tvb, explanation));
    proto_tree *ct = proto_item_add_subtree(cause_item, rst_hf.ett_detail);
    const char *p = explanation;
    char line[WHY_LINE_MAX + 1];
    while (*p) {
        size_t next;
        size_t len = rst_text_line(p, WHY_LINE_MAX, &next);
        if (!next)
            break;
        memcpy(line, p, len);
        line[len] = '\0';
        if (len)
            add_generated_string(ct, rst_hf.why, tvb, line);
        p += next;
    }
}

/* Who sent it as the connection tells, what it answers and whether its
 * receiver would accept it (RFC 9293 3.10.7, RFC 5961). */
static void render_connection(proto_tree *rt, tvbuff_t *tvb, const struct rst_verdict *v)
{
    add_generated_string(rt, rst_hf.face_value, tvb, rst_cause_name(v->face_value));
    add_generated_string(rt, rst_hf.wire_cause, tvb, rst_cause_name(v->wire_cause));
    add_generated_string(rt, rst_hf.sender, tvb, rst_role_name(v->sender));
    if (v->answers_frame)
        add_generated_uint(rt, rst_hf.answers, tvb, v->answers_frame);
    if (v->after_frame)
        add_generated_uint(rt, rst_hf.after, tvb, v->after_frame);
    if (v->acceptable >= 0) {
        proto_item *ai = proto_tree_add_boolean(rt, rst_hf.acceptable, tvb, 0, 0, v->acceptable);
        proto_item_set_generated(ai);
        add_generated_string(proto_item_add_subtree(ai, rst_hf.ett_detail), rst_hf.accept_reason,
                             tvb, v->accept_reason);
    }
}

static void render(const struct rst_core *core, tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                   guint32 id, gboolean detail)
{
    struct rst_verdict v;
    if (!core || !rst_core_verdict(core, id, &rst_prefs, detail, &v))
        return;
    const char *cause = rst_cause_name(v.final_cause);

    put_info(pinfo, &v, cause);
    /* The one-line summary labels a tree that is shown and the expert
     * entry; a filter or a field list over a hidden tree reads neither. */
    char summary[128] = "";
    gboolean labelled = tree && PTREE_DATA(tree)->visible;
    if (labelled || detail)
        rst_summary(&v, summary, sizeof summary);
    proto_item *ti = proto_tree_add_item(tree, rst_hf.proto, tvb, 0, 0, ENC_NA);
    if (labelled)
        proto_item_append_text(ti, ": %s, %s, suspicion %u", cause, summary, v.suspicion);
    proto_tree *rt = proto_item_add_subtree(ti, rst_hf.ett_rst);

    proto_item *cause_item = add_generated_string(rt, rst_hf.cause, tvb, cause);
    if (detail)
        render_explanation(rt, cause_item, tvb, v.explanation);
    render_connection(rt, tvb, &v);
    gboolean harmless = v.impact == RST_IMPACT_NONE && !v.injected;
    const char *stated = rst_diag_render(rt, tvb, pinfo, &v.diag,
                                         !detail        ? NULL
                                             : harmless ? &rst_ei.stated_none
                                                        : &rst_ei.stated);
    render_vantage(rt, tvb, pinfo, &v, detail);
    render_impact(rt, tvb, &v);
    proto_item *susp_item = add_generated_uint(rt, rst_hf.suspicion, tvb, v.suspicion);
    /* Present only when true: in a display filter a bare field name tests
     * presence, and "-Y rst.injected" must mean what it says. */
    if (v.injected)
        proto_item_set_generated(proto_tree_add_boolean(rt, rst_hf.injected, tvb, 0, 0, TRUE));

    if (v.n_evidence) {
        proto_item *ei = proto_tree_add_item(rt, rst_hf.evidence, tvb, 0, 0, ENC_NA);
        proto_item_append_text(ei, " (%u item%s)", v.n_evidence, v.n_evidence == 1 ? "" : "s");
        proto_item_set_generated(ei);
        proto_tree *et = proto_item_add_subtree(ei, rst_hf.ett_detail);
        for (unsigned i = 0; i < v.n_evidence; i++)
            rst_evidence_render(et, tvb, &v.evidence[i]);
    }

    if (have_tap_listener(rst_hf.tap)) {
        struct rst_tap_info *info = wmem_new(pinfo->pool, struct rst_tap_info);
        info->cause = cause;
        info->sender = rst_role_name(v.sender);
        info->source = wmem_strdup(pinfo->pool, v.sender_address);
        info->server = wmem_strdup(pinfo->pool, v.server_address);
        info->impact = rst_impact_name(v.impact);
        info->impact_bytes = v.impact_bytes;
        info->injected = v.injected;
        info->suspicion = v.suspicion;
        info->first_sighting = v.first_sighting;
        info->stated = stated;
        tap_queue_packet(rst_hf.tap, pinfo, info);
    }

    if (!detail)
        return;
    expert_add_info_format(pinfo, cause_item, cause_expert(&v), "RST cause %s: %s", cause, summary);
    if (v.n_evidence)
        expert_add_info_format(pinfo, susp_item,
                               v.injected     ? &rst_ei.injected
                                   : harmless ? &rst_ei.suspicious_none
                                              : &rst_ei.suspicious,
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
    return detail || pinfo->cinfo || proto_field_is_referenced(tree, rst_hf.proto)
        || have_tap_listener(rst_hf.tap);
}

/* The expert tap and the expert fields (wants_detail).  Looked up when a
 * capture is opened: the expert module registers its tap after the
 * handoffs. */
void rst_render_find_readers(void)
{
    static const char *const expert_fields[] = {
        "_ws.expert",
        "_ws.expert.message",
        "_ws.expert.group",
        "_ws.expert.severity",
    };
    expert_tap = find_tap_id("expert");
    n_expert_hfs = 0;
    for (unsigned k = 0; k < array_length(expert_fields); k++) {
        int hf = proto_registrar_get_id_byname(expert_fields[k]);
        if (hf >= 0)
            expert_hfs[n_expert_hfs++] = hf;
    }
    n_wireshark_hfs = n_expert_hfs;
    for (int c = 0; c < RST_CAUSE_COUNT; c++) {
        expert_hfs[n_expert_hfs++] = rst_ei.cause[c].hf;
        expert_hfs[n_expert_hfs++] = rst_ei.cause_none[c].hf;
        expert_hfs[n_expert_hfs++] = rst_ei.cause_lost[c].hf;
    }
    const expert_field *others[] = {
        &rst_ei.injected, &rst_ei.suspicious,      &rst_ei.stated,
        &rst_ei.unseen,   &rst_ei.suspicious_none, &rst_ei.stated_none
    };
    for (unsigned k = 0; k < array_length(others); k++)
        expert_hfs[n_expert_hfs++] = others[k]->hf;
    expert_parent = proto_registrar_get_parent(expert_hfs[n_wireshark_hfs]);
    for (unsigned k = n_wireshark_hfs; k < n_expert_hfs; k++)
        if (proto_registrar_get_parent(expert_hfs[k]) != expert_parent)
            expert_parent = -1;
}

void rst_render(const struct rst_core *core, tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                guint32 id)
{
    gboolean detail = wants_detail(tree, pinfo);
    if (is_observed(tree, pinfo, detail))
        render(core, tvb, pinfo, tree, id, detail);
}
