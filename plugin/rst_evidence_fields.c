/* rst_evidence_fields.c: the rst.evidence.* fields, one set per kind of
 * evidence: the item itself (its value, or TRUE), what was expected, the
 * frame compared with and the weight it added to the suspicion score.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst_evidence_fields.h"

static int hf_item[RST_EV_COUNT];
static int hf_expected[RST_EV_COUNT];
static int hf_frame[RST_EV_COUNT];
static int hf_weight[RST_EV_COUNT];
static int hf_other_connection[RST_EV_COUNT];
static int hf_ttl_observed;
static int hf_mac_observed;

static gint ett_item = -1;

#define ITEM(kind, name, abbrev, type, display, blurb) \
    { &hf_item[kind], { name, "rst.evidence." abbrev, type, display, NULL, 0x0, blurb, HFILL } }
#define EXPECTED(kind, name, abbrev, type, display) \
    { &hf_expected[kind], { name, "rst.evidence." abbrev ".expected", type, display, NULL, 0x0, \
                            NULL, HFILL } }
#define FRAME(kind, name, abbrev) \
    { &hf_frame[kind], { name, "rst.evidence." abbrev ".frame", FT_FRAMENUM, BASE_NONE, NULL, \
                         0x0, NULL, HFILL } }
#define WEIGHT(kind, abbrev) \
    { &hf_weight[kind], { "Weight", "rst.evidence." abbrev ".weight", FT_UINT8, BASE_DEC, NULL, \
                          0x0, "Added to the suspicion score", HFILL } }
#define OTHER(kind, abbrev) \
    { &hf_other_connection[kind], { "From another connection", "rst.evidence." abbrev \
        ".other_connection", FT_BOOLEAN, BASE_NONE, NULL, 0x0, \
        "The reference comes from another connection of the same host", HFILL } }

void rst_evidence_register(int proto)
{
    static hf_register_info hf[] = {
        ITEM(RST_EV_TTL, "TTL / hop limit delta", "ttl_delta", FT_INT32, BASE_DEC,
             "The RST's TTL minus the claimed sender's usual TTL"),
        { &hf_ttl_observed, { "RST TTL", "rst.evidence.ttl_delta.observed", FT_UINT8, BASE_DEC,
                              NULL, 0x0, NULL, HFILL } },
        EXPECTED(RST_EV_TTL, "Sender's TTL", "ttl_delta", FT_UINT8, BASE_DEC),
        FRAME(RST_EV_TTL, "Compared with frame", "ttl_delta"),
        OTHER(RST_EV_TTL, "ttl_delta"),
        WEIGHT(RST_EV_TTL, "ttl_delta"),

        ITEM(RST_EV_MAC, "Source MAC mismatch", "mac_mismatch", FT_BOOLEAN, BASE_NONE,
             "The RST's source MAC differs from the claimed sender's"),
        { &hf_mac_observed, { "RST source MAC", "rst.evidence.mac_mismatch.observed", FT_ETHER,
                              BASE_NONE, NULL, 0x0, NULL, HFILL } },
        EXPECTED(RST_EV_MAC, "Sender's MAC", "mac_mismatch", FT_ETHER, BASE_NONE),
        FRAME(RST_EV_MAC, "Compared with frame", "mac_mismatch"),
        OTHER(RST_EV_MAC, "mac_mismatch"),
        WEIGHT(RST_EV_MAC, "mac_mismatch"),

        ITEM(RST_EV_SEQ_ZERO, "Forbidden seq 0", "seq_zero", FT_BOOLEAN, BASE_NONE,
             "seq 0 where the RST generation rule does not allow it"),
        FRAME(RST_EV_SEQ_ZERO, "Because of frame", "seq_zero"),
        WEIGHT(RST_EV_SEQ_ZERO, "seq_zero"),

        ITEM(RST_EV_RACE, "Sender kept talking", "race", FT_BOOLEAN, BASE_NONE,
             "The claimed sender sent more packets in this connection after its RST"),
        FRAME(RST_EV_RACE, "First packet after the RST", "race"),
        WEIGHT(RST_EV_RACE, "race"),

        ITEM(RST_EV_BURST_SEQ, "Burst with rising seq", "burst_seq", FT_BOOLEAN, BASE_NONE,
             "RSTs of one sender within the burst interval whose seq rises (RST_SEQ_CHANGE)"),
        FRAME(RST_EV_BURST_SEQ, "Other RST of the burst", "burst_seq"),
        WEIGHT(RST_EV_BURST_SEQ, "burst_seq"),

        ITEM(RST_EV_BURST_WINDOW, "Burst with consecutive windows", "burst_window", FT_BOOLEAN,
             BASE_NONE, "RSTs of one sender within the burst interval with windows w, w+1"),
        FRAME(RST_EV_BURST_WINDOW, "Other RST of the burst", "burst_window"),
        WEIGHT(RST_EV_BURST_WINDOW, "burst_window"),

        ITEM(RST_EV_BURST_TTL, "Burst with changing TTL", "burst_ttl", FT_BOOLEAN, BASE_NONE,
             "RSTs of one sender within the burst interval with different TTLs"),
        FRAME(RST_EV_BURST_TTL, "Other RST of the burst", "burst_ttl"),
        WEIGHT(RST_EV_BURST_TTL, "burst_ttl"),

        ITEM(RST_EV_WINDOW, "Unexpected window", "window", FT_UINT16, BASE_DEC,
             "A window no stack puts on this kind of RST"),
        EXPECTED(RST_EV_WINDOW, "Expected at most", "window", FT_UINT16, BASE_DEC),
        FRAME(RST_EV_WINDOW, "Sender's last packet", "window"),
        WEIGHT(RST_EV_WINDOW, "window"),

        ITEM(RST_EV_ACK, "ACK matches nothing sent", "ack_mismatch", FT_BOOLEAN, BASE_NONE,
             "The ACK number lies before the receiver's ISN + 1 or beyond what it sent"),
        WEIGHT(RST_EV_ACK, "ack_mismatch"),

        ITEM(RST_EV_NO_TIMESTAMPS, "No timestamps", "no_timestamps", FT_BOOLEAN, BASE_NONE,
             "No TSopt although both SYNs negotiated it (RFC 7323)"),
        FRAME(RST_EV_NO_TIMESTAMPS, "Sender's SYN", "no_timestamps"),
        WEIGHT(RST_EV_NO_TIMESTAMPS, "no_timestamps"),

        ITEM(RST_EV_TIMESTAMP, "Timestamp off the sender's clock", "timestamp", FT_UINT32,
             BASE_DEC, "TSval the claimed sender's RFC 7323 clock cannot have produced"),
        EXPECTED(RST_EV_TIMESTAMP, "Sender's clock near", "timestamp", FT_UINT32, BASE_DEC),
        FRAME(RST_EV_TIMESTAMP, "Sender's last packet", "timestamp"),
        WEIGHT(RST_EV_TIMESTAMP, "timestamp"),

        ITEM(RST_EV_IP_ID, "Unexpected IP ID", "ip_id", FT_UINT16, BASE_HEX_DEC,
             "An IP ID off the claimed sender's counter, fixed, or repeated in a burst"),
        EXPECTED(RST_EV_IP_ID, "Sender's counter at", "ip_id", FT_UINT16, BASE_HEX_DEC),
        FRAME(RST_EV_IP_ID, "Other RST of the burst", "ip_id"),
        WEIGHT(RST_EV_IP_ID, "ip_id"),

        ITEM(RST_EV_TIMING, "Too fast", "timing", FT_RELATIVE_TIME, BASE_NONE,
             "Time from the segment it reacts to, shorter than half the sender's fastest answer"),
        EXPECTED(RST_EV_TIMING, "Sender's fastest answer", "timing", FT_RELATIVE_TIME, BASE_NONE),
        FRAME(RST_EV_TIMING, "Fastest answer in frame", "timing"),
        OTHER(RST_EV_TIMING, "timing"),
        WEIGHT(RST_EV_TIMING, "timing"),

        ITEM(RST_EV_CONTRADICTION, "Abort after its own RST", "contradiction", FT_BOOLEAN,
             BASE_NONE, "Not a reply, from a host that had reset this connection itself: "
             "a host without the connection only replies"),
        FRAME(RST_EV_CONTRADICTION, "Its earlier RST", "contradiction"),
        WEIGHT(RST_EV_CONTRADICTION, "contradiction"),
    };
    static gint *ett[] = { &ett_item };
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
}

static proto_item *add_value(proto_tree *tree, int hf, tvbuff_t *tvb, gint64 value)
{
    proto_item *pi;
    nstime_t t;
    switch (proto_registrar_get_ftype(hf)) {
    case FT_BOOLEAN:
        pi = proto_tree_add_boolean(tree, hf, tvb, 0, 0, TRUE);
        break;
    case FT_INT32:
        pi = proto_tree_add_int(tree, hf, tvb, 0, 0, (gint32)value);
        break;
    case FT_RELATIVE_TIME:
        t.secs = (time_t)(value / 1000000);
        t.nsecs = (int)(value % 1000000) * 1000;
        pi = proto_tree_add_time(tree, hf, tvb, 0, 0, &t);
        break;
    default:
        pi = proto_tree_add_uint(tree, hf, tvb, 0, 0, (guint32)value);
        break;
    }
    proto_item_set_generated(pi);
    return pi;
}

void rst_evidence_render(proto_tree *tree, tvbuff_t *tvb, const struct rst_evidence *e)
{
    unsigned k = (unsigned)e->kind;
    if (k >= RST_EV_COUNT)
        return;
    gint64 value = k == RST_EV_TTL ? e->observed - e->expected : e->observed;
    proto_item *pi = add_value(tree, hf_item[k], tvb, value);
    proto_item_append_text(pi, " [+%u]", e->weight);
    proto_tree *et = proto_item_add_subtree(pi, ett_item);
    if (k == RST_EV_TTL)
        add_value(et, hf_ttl_observed, tvb, e->observed);
    if (k == RST_EV_MAC) {
        proto_item_set_generated(proto_tree_add_ether(et, hf_mac_observed, tvb, 0, 0,
                                                      e->observed_mac));
        proto_item_set_generated(proto_tree_add_ether(et, hf_expected[k], tvb, 0, 0,
                                                      e->expected_mac));
    } else if (hf_expected[k] > 0 && (k != RST_EV_IP_ID || e->ip_id_sign == RST_IP_ID_JUMP)) {
        add_value(et, hf_expected[k], tvb, e->expected);
    }
    if (e->ref_frame)
        add_value(et, hf_frame[k], tvb, e->ref_frame);
    if (e->other_connection && hf_other_connection[k] > 0)
        add_value(et, hf_other_connection[k], tvb, 1);
    add_value(et, hf_weight[k], tvb, e->weight);
}
