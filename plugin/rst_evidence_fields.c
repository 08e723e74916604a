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

/* Each kind's fields: rst.evidence.<abbrev> (the item), .expected and
 * .frame where named, .other_connection where the reference may come from
 * another connection of the host, and .weight. */
struct evidence_fields {
    const char *abbrev, *name;
    enum ftenum type;
    int display;
    const char *blurb;
    const char *expected; /* NULL: no .expected */
    enum ftenum expected_type;
    int expected_display;
    const char *frame; /* NULL: no .frame */
    bool other_connection;
};

static const struct evidence_fields kinds[RST_EV_COUNT] = {
    [RST_EV_TTL] = { "ttl_delta", "TTL / hop limit delta", FT_INT32, BASE_DEC,
                     "The RST's TTL minus the claimed sender's usual TTL", "Sender's TTL", FT_UINT8,
                     BASE_DEC, "Compared with frame", true },
    [RST_EV_MAC] = { "mac_mismatch", "Source MAC mismatch", FT_BOOLEAN, BASE_NONE,
                     "The RST's source MAC differs from the claimed sender's", "Sender's MAC",
                     FT_ETHER, BASE_NONE, "Compared with frame", true },
    [RST_EV_SEQ_ZERO] = { "seq_zero", "Forbidden seq 0", FT_BOOLEAN, BASE_NONE,
                          "seq 0 where the RST generation rule does not allow it", NULL, FT_NONE,
                          BASE_NONE, "Because of frame", false },
    [RST_EV_RACE] = { "race", "Sender kept talking", FT_BOOLEAN, BASE_NONE,
                      "The claimed sender sent more packets in this connection after its RST", NULL,
                      FT_NONE, BASE_NONE, "First packet after the RST", false },
    [RST_EV_BURST_SEQ] = { "burst_seq", "Burst with rising seq", FT_BOOLEAN, BASE_NONE,
                           "RSTs of one sender within the burst interval whose seq rises "
                           "(RST_SEQ_CHANGE)",
                           NULL, FT_NONE, BASE_NONE, "Other RST of the burst", false },
    [RST_EV_BURST_WINDOW] = { "burst_window", "Burst with consecutive windows", FT_BOOLEAN,
                              BASE_NONE,
                              "RSTs of one sender within the burst interval with windows w, w+1",
                              NULL, FT_NONE, BASE_NONE, "Other RST of the burst", false },
    [RST_EV_BURST_TTL] = { "burst_ttl", "Burst with changing TTL", FT_BOOLEAN, BASE_NONE,
                           "RSTs of one sender within the burst interval with different TTLs", NULL,
                           FT_NONE, BASE_NONE, "Other RST of the burst", false },
    [RST_EV_WINDOW] = { "window", "Unexpected window", FT_UINT16, BASE_DEC,
                        "A window no stack puts on this kind of RST", "Expected at most", FT_UINT16,
                        BASE_DEC, "Sender's last packet", false },
    [RST_EV_ACK] = { "ack_mismatch", "ACK matches nothing sent", FT_BOOLEAN, BASE_NONE,
                     "The ACK number lies before the receiver's ISN + 1 or beyond what it sent",
                     NULL, FT_NONE, BASE_NONE, NULL, false },
    [RST_EV_NO_TIMESTAMPS] = { "no_timestamps", "No timestamps", FT_BOOLEAN, BASE_NONE,
                               "No TSopt although both SYNs negotiated it (RFC 7323)", NULL,
                               FT_NONE, BASE_NONE, "Sender's SYN", false },
    [RST_EV_TIMESTAMP] = { "timestamp", "Timestamp off the sender's clock", FT_UINT32, BASE_DEC,
                           "TSval the claimed sender's RFC 7323 clock cannot have produced",
                           "Sender's clock near", FT_UINT32, BASE_DEC, "Sender's last packet",
                           false },
    [RST_EV_IP_ID] = { "ip_id", "Unexpected IP ID", FT_UINT16, BASE_HEX_DEC,
                       "An IP ID off the claimed sender's counter, fixed, or repeated in a burst",
                       "Sender's counter at", FT_UINT16, BASE_HEX_DEC, "Other RST of the burst",
                       false },
    [RST_EV_TIMING] = { "timing", "Too fast", FT_RELATIVE_TIME, BASE_NONE,
                        "Time from the segment it reacts to, shorter than half the sender's "
                        "fastest answer",
                        "Sender's fastest answer", FT_RELATIVE_TIME, BASE_NONE,
                        "Fastest answer in frame", true },
    [RST_EV_CONTRADICTION] = { "contradiction", "Abort after its own RST", FT_BOOLEAN, BASE_NONE,
                               "Not a reply, from a host that had reset this connection itself: "
                               "a host without the connection only replies",
                               NULL, FT_NONE, BASE_NONE, "Its earlier RST", false },
};

/* The most fields a kind registers, and the two observed values of TTL and MAC. */
#define FIELDS_PER_KIND 5
#define OBSERVED_FIELDS 2

static hf_register_info field(int *id, const char *name, const char *abbrev, enum ftenum type,
                              int display, const char *blurb)
{
    return (hf_register_info){ id, { name, abbrev, type, display, NULL, 0x0, blurb, HFILL } };
}

/* Field names live as long as the program: registration keeps the pointers. */
static const char *abbrev_of(const struct evidence_fields *f, const char *suffix)
{
    return g_strdup_printf("rst.evidence.%s%s", f->abbrev, suffix);
}

/* Appends kind k's fields to hf, returns how many. */
static unsigned kind_fields(int k, hf_register_info *hf)
{
    const struct evidence_fields *f = &kinds[k];
    unsigned n = 0;
    hf[n++] = field(&hf_item[k], f->name, abbrev_of(f, ""), f->type, f->display, f->blurb);
    if (f->expected)
        hf[n++] = field(&hf_expected[k], f->expected, abbrev_of(f, ".expected"), f->expected_type,
                        f->expected_display, NULL);
    if (f->frame)
        hf[n++] =
            field(&hf_frame[k], f->frame, abbrev_of(f, ".frame"), FT_FRAMENUM, BASE_NONE, NULL);
    if (f->other_connection)
        hf[n++] = field(&hf_other_connection[k], "From another connection",
                        abbrev_of(f, ".other_connection"), FT_BOOLEAN, BASE_NONE,
                        "The reference comes from another connection of the same host");
    hf[n++] = field(&hf_weight[k], "Weight", abbrev_of(f, ".weight"), FT_UINT8, BASE_DEC,
                    "Added to the suspicion score");
    return n;
}

void rst_evidence_register(int proto)
{
    static hf_register_info hf[RST_EV_COUNT * FIELDS_PER_KIND + OBSERVED_FIELDS];
    static gint *ett[] = { &ett_item };
    unsigned n = 0;
    for (int k = 0; k < RST_EV_COUNT; k++)
        n += kind_fields(k, hf + n);
    hf[n++] = field(&hf_ttl_observed, "RST TTL", "rst.evidence.ttl_delta.observed", FT_UINT8,
                    BASE_DEC, NULL);
    hf[n++] = field(&hf_mac_observed, "RST source MAC", "rst.evidence.mac_mismatch.observed",
                    FT_ETHER, BASE_NONE, NULL);
    proto_register_field_array(proto, hf, (int)n);
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
        proto_item_set_generated(
            proto_tree_add_ether(et, hf_mac_observed, tvb, 0, 0, e->observed_mac));
        proto_item_set_generated(
            proto_tree_add_ether(et, hf_expected[k], tvb, 0, 0, e->expected_mac));
    } else if (hf_expected[k] > 0 && (k != RST_EV_IP_ID || e->ip_id_sign == RST_IP_ID_JUMP)) {
        add_value(et, hf_expected[k], tvb, e->expected);
    }
    if (e->ref_frame)
        add_value(et, hf_frame[k], tvb, e->ref_frame);
    if (e->other_connection && hf_other_connection[k] > 0)
        add_value(et, hf_other_connection[k], tvb, 1);
    add_value(et, hf_weight[k], tvb, e->weight);
}
