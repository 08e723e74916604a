/* rst_explain_diag.c: what a RST states about itself, in words (rst_diag.c
 * reads it; a registered code's cause outranks the wire, rst_verdict.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst_text.h"

/* Quoted text on one line, from byte from. */
static void put_quoted(struct text *t, const struct rst_diag *d, size_t from)
{
    rst_put(t, "\"");
    for (size_t i = from; i < d->text_len; i++) {
        uint8_t b = d->text[i];
        rst_put(t, "%c", (b == '\t' || b == '\r' || b == '\n') ? ' ' : (char)b);
    }
    rst_put(t, d->text_truncated ? "...\"" : "\"");
}

/* " (the capture cut off its last 12 bytes)" where the snap length did. */
static void put_uncaptured(struct text *t, const struct rst_diag *d)
{
    if (d->uncaptured)
        rst_put(t, " (the capture cut off its last %u bytes)", (unsigned)d->uncaptured);
}

/* A code of the diagnostic payload: the IANA registry's, or a vendor's. */
static void put_code(struct text *t, const struct rst_diag *d, const char *layout)
{
    const char *name = d->pen == 0 ? rst_diag_reason_name(d->code) : NULL;
    if (name)
        rst_put(t, "It states its reason%s: \"%s\" (TCP failure cause %u).", layout, name, d->code);
    else if (d->pen == 0)
        rst_put(t,
                "It states reason code %u%s, which the IANA TCP failure causes registry does "
                "not assign.",
                d->code, layout);
    else
        rst_put(t,
                "It states reason code %u of private enterprise number %u%s (the vendor "
                "defines its meaning).",
                d->code, d->pen, layout);
}

/* The individual drafts' CBOR layout: a code, a description, or both. */
static void put_cbor(struct text *t, const struct rst_diag *d)
{
    static const char layout[] = " in the CBOR layout of the individual drafts (-00 to -12)";
    if (d->has_code)
        put_code(t, d, layout);
    if (d->text) {
        rst_put(t, d->has_code ? " Its description: " : "It states its reason%s: ",
                d->has_code ? "" : layout);
        put_quoted(t, d, 0);
        rst_put(t, ".");
    }
}

/* MP_FASTCLOSE, in the RST or before it (RFC 8684 3.5). */
static void put_fastclose(struct text *t, const struct rst_conn *c, const struct rst_record *r,
                          const struct rst_diag *d)
{
    if (d->fastclose_frame == r->frame) {
        rst_put(t,
                "It carries MP_FASTCLOSE: its sender closes the whole Multipath TCP "
                "connection at once, every subflow, as an abort does (RFC 8684 3.5).");
        return;
    }
    if (d->fastclose_by_peer) {
        rst_put(t, "It follows the MP_FASTCLOSE that ");
        rst_put_endpoint(t, c, !r->from);
        rst_put(t,
                " sent in frame %u: that side closed the whole Multipath TCP connection at "
                "once, and a RST on each subflow is the answer RFC 8684 3.5 asks for.",
                d->fastclose_frame);
        return;
    }
    rst_put(t,
            "It follows its sender's own MP_FASTCLOSE in frame %u: the whole Multipath TCP "
            "connection closes at once, every subflow reset (RFC 8684 3.5).",
            d->fastclose_frame);
}

static void put_mptcp(struct text *t, const struct rst_conn *c, const struct rst_record *r,
                      const struct rst_diag *d)
{
    if (d->has_code) {
        const char *name = rst_diag_reason(d);
        if (name)
            rst_put(t, "Its MP_TCPRST option states \"%s\" (reason %u, RFC 8684 3.6)", name,
                    d->code);
        else
            rst_put(t, "Its MP_TCPRST option states reason %u, which RFC 8684 does not assign",
                    d->code);
        rst_put(t, "%s",
                (d->mptcp_flags & RST_MPTCP_FLAG_T)
                    ? "; transient: its sender expects a new subflow may work."
                    : ".");
        if (d->fastclose_frame)
            rst_put(t, " ");
    }
    if (d->fastclose_frame)
        put_fastclose(t, c, r, d);
}

/* F5 BIG-IP reset-cause logging: the cause, where in F5's code, {peer}. */
static void put_f5(struct text *t, const struct rst_diag *d)
{
    rst_put(t, "It carries an F5 BIG-IP reset cause: ");
    if (d->cause_offset < d->text_len)
        put_quoted(t, d, d->cause_offset);
    else
        rst_put(t, "(no text)");
    rst_put(t, " (value 0x%llx, line %u of the BIG-IP's code", (unsigned long long)d->f5_value,
            d->f5_line);
    if (d->f5_peer)
        rst_put(t, "; {peer}: the BIG-IP reset this side because of the other side of its proxy");
    rst_put(t, ")");
    put_uncaptured(t, d);
    rst_put(t, ".");
}

static void put_window_code(struct text *t, const struct rst_record *r, const struct rst_verdict *v)
{
    if (v->diag.format == RST_DIAG_WINDOW) {
        rst_put(t,
                "Its window, %u, is a Citrix NetScaler reset code: \"%s\" (Citrix CTX200852); "
                "with no other sign of forgery it is read as the NetScaler's statement.",
                r->window, rst_diag_reason(&v->diag));
    } else if (v->window_code_unread) {
        rst_put(t,
                "Its window, %u, would be a Citrix NetScaler reset code (\"%s\"), but with "
                "other signs of forgery it is not read as one.",
                r->window, rst_netscaler_reason(r->window));
    }
}

void rst_explain_statement(struct text *t, const struct rst_conn *c, const struct rst_record *r,
                           const struct rst_verdict *v)
{
    const struct rst_diag *d = &v->diag;
    switch (d->format) {
    case RST_DIAG_COMPACT:
        put_code(t, d, "");
        break;
    case RST_DIAG_CBOR:
        put_cbor(t, d);
        break;
    case RST_DIAG_MPTCP:
        put_mptcp(t, c, r, d);
        break;
    case RST_DIAG_WINDOW:
        put_window_code(t, r, v);
        break;
    case RST_DIAG_DESCRIPTION:
        rst_put(t, "It states its reason: ");
        put_quoted(t, d, 0);
        put_uncaptured(t, d);
        rst_put(t, ".");
        break;
    case RST_DIAG_TEXT:
        if (d->vendor == RST_VENDOR_F5) {
            put_f5(t, d);
            break;
        }
        rst_put(t, "It carries text (RFC 1122 4.2.2.12): ");
        put_quoted(t, d, 0);
        put_uncaptured(t, d);
        rst_put(t, ".");
        break;
    case RST_DIAG_MALFORMED:
        rst_put(t,
                "Its payload or MPTCP reset option has the form of a statement but is "
                "malformed, so it states nothing.");
        break;
    case RST_DIAG_DATA:
        /* RFC 1122 4.2.2.12: a reason may be there; the snap length cut it. */
        if (d->uncaptured)
            rst_put(t,
                    "The capture cut off %u bytes of its payload (snap length): a reason it "
                    "may state cannot be read.",
                    (unsigned)d->uncaptured);
        break;
    default:
        put_window_code(t, r, v);
        break;
    }
}
