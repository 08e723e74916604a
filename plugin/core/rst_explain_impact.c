/* rst_explain_impact.c: what a RST cost, in words (core/rst_impact.c decides it).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst_text.h"

/* " It threw away 2000 bytes: ..." (core/rst_impact.c). */
static void put_loss(struct text *t, const struct rst_conn *c, const struct rst_record *r,
                     const struct rst_verdict *v)
{
    const struct rst_loss *l = &v->loss;
    const char *sep = "";
    rst_put(t, " It threw away %s%u byte%s: ", l->lower_bound ? "at least " : "", v->impact_bytes,
            v->impact_bytes == 1 ? "" : "s");
    if (l->receiver_unacked) {
        rst_put(t, "%u that ", l->receiver_unacked);
        rst_put_endpoint(t, c, !r->from);
        rst_put(t, " sent (the last in frame %u) and ", l->receiver_frame);
        rst_put_endpoint(t, c, r->from);
        rst_put(t, " never acknowledged");
        sep = "; ";
    }
    if (l->first_acked) {
        rst_put(t, "%s%u that this RST acknowledges first: ", sep, l->first_acked);
        rst_put_endpoint(t, c, r->from);
        rst_put(t, "'s TCP had them, never read");
        sep = "; ";
    }
    if (l->sender_unacked) {
        rst_put(t, "%s%u of its own that ", sep, l->sender_unacked);
        rst_put_endpoint(t, c, !r->from);
        rst_put(t, " never acknowledged (the last in frame %u)", l->sender_frame);
        sep = "; ";
    }
    if (l->unanswered)
        rst_put(t, "%sthe client's request of %u bytes (frame %u) got no answer", sep,
                l->unanswered, l->unanswered_frame);
    rst_put(t, ".");
}

void rst_explain_impact(struct text *t, const struct rst_conn *c, const struct rst_record *r,
                        const struct rst_verdict *v)
{
    switch (v->impact) {
    case RST_IMPACT_NONE:
        /* A copy's verdict is its original's, r: it names r itself. */
        if (v->impact_frame && v->impact_frame == r->frame)
            rst_put(t,
                    " Nothing more was lost: the RST in frame %u, of which this is a copy, "
                    "counts it.",
                    v->impact_frame);
        else if (v->impact_frame)
            rst_put(t, " Nothing more was lost: the RST in frame %u had ended the connection.",
                    v->impact_frame);
        else
            rst_put(t,
                    " Nothing was lost: every byte either side had sent was acknowledged and "
                    "no request was left unanswered.");
        break;
    case RST_IMPACT_CONNECTION_FAILED:
        rst_put(t, " The connection attempt failed.");
        break;
    case RST_IMPACT_DATA_LOST:
        put_loss(t, c, r, v);
        break;
    default:
        rst_put(t,
                r->sequence_gap ? " What it cost is unknown: the capture missed part of the "
                                  "sequence space."
                                : " What it cost is unknown: the capture starts mid-connection.");
        break;
    }
}
