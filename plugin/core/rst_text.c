/* rst_text.c: writing a verdict's words: bounded appends and endpoint names.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst_text.h"

#include <stdarg.h>
#include <stdio.h>

void rst_put(struct text *t, const char *fmt, ...)
{
    va_list ap;
    if (t->pos >= t->size)
        return;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->pos, t->size - t->pos, fmt, ap);
    va_end(ap);
    if (n > 0)
        t->pos += (size_t)n;
    if (t->pos >= t->size)
        t->pos = t->size; /* truncated, still terminated */
}

/* "203.0.113.2:8080", "[2001:db8::2]:8080" */
void rst_put_host_port(struct text *t, const struct rst_conn *c, unsigned side)
{
    char addr[64];
    rst_format_address(c->key.ip_version, c->key.addr[side], addr, sizeof addr);
    rst_put(t, c->key.ip_version == 6 ? "[%s]:%u" : "%s:%u", addr, c->key.port[side]);
}

/* "the server", "the client", or the address where roles are unknown. */
void rst_put_endpoint_as(struct text *t, const struct rst_conn *c, unsigned side, bool capital)
{
    if (c->client >= 0)
        rst_put(t, "%s %s", capital ? "The" : "the", c->client == (int)side ? "client" : "server");
    else
        rst_put_host_port(t, c, side);
}

void rst_put_endpoint(struct text *t, const struct rst_conn *c, unsigned side)
{
    rst_put_endpoint_as(t, c, side, false);
}
