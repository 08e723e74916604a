/* rst_text.h: writing a verdict's words (rst_text.c), for rst_explain.c and
 * rst_explain_impact.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RST_TEXT_H
#define RST_TEXT_H

#include "rst_state.h"

struct text {
    char *buf;
    size_t size, pos;
};

/* Appends; past the end the text stays cut and terminated. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void rst_put(struct text *t, const char *fmt, ...);

/* "203.0.113.2:8080", "[2001:db8::2]:8080" */
void rst_put_host_port(struct text *t, const struct rst_conn *c, unsigned side);
/* "the server", "the client", or the address where roles are unknown. */
void rst_put_endpoint_as(struct text *t, const struct rst_conn *c, unsigned side, bool capital);
void rst_put_endpoint(struct text *t, const struct rst_conn *c, unsigned side);

/* What the RST cost, in words (rst_explain_impact.c). */
void rst_explain_impact(struct text *t, const struct rst_conn *c, const struct rst_record *r,
                        const struct rst_verdict *v);

/* What the RST states about itself, in one or two sentences
 * (rst_explain_diag.c). */
void rst_explain_statement(struct text *t, const struct rst_conn *c, const struct rst_record *r,
                           const struct rst_verdict *v);

#endif /* RST_TEXT_H */
