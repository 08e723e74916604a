/* rst_text.c: writing a verdict's words: bounded appends and endpoint names;
 * the verdict in one line, and the explanation cut into lines.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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
    rst_format_address(c->key->ip_version, c->key->addr[side], addr, sizeof addr);
    rst_put(t, c->key->ip_version == 6 ? "[%s]:%u" : "%s:%u", addr, c->key->port[side]);
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

/* "from the server, lost 1082 bytes": who sent it and what it cost. */
void rst_summary(const struct rst_verdict *v, char *buf, size_t size)
{
    struct text t = { buf, size, 0 };
    if (!size)
        return;
    buf[0] = '\0';
    if (v->sender != RST_ROLE_UNKNOWN)
        rst_put(&t, v->injected ? "in the %s's name, " : "from the %s, ", rst_role_name(v->sender));
    switch (v->impact) {
    case RST_IMPACT_NONE:
        if (v->impact_frame)
            rst_put(&t, "nothing more lost (frame %u ended the connection)", v->impact_frame);
        else
            rst_put(&t, "nothing lost");
        break;
    case RST_IMPACT_DATA_LOST:
        rst_put(&t, "lost %s%u byte%s", v->loss.lower_bound ? "at least " : "", v->impact_bytes,
                v->impact_bytes == 1 ? "" : "s");
        break;
    case RST_IMPACT_CONNECTION_FAILED:
        rst_put(&t, "the connection attempt failed");
        break;
    default:
        rst_put(&t, "cost unknown");
        break;
    }
}

/* A sentence ends at ". " before a capital, a quote or a parenthesis. */
static bool sentence_end(const char *text, size_t i)
{
    char after = text[i + 2];
    return text[i] == '.' && text[i + 1] == ' '
        && ((after >= 'A' && after <= 'Z') || after == '"' || after == '(');
}

/* Where to cut a clause too long for one line: after the last "; ", ": "
 * or ", " within max, else the last space; 0 if none. */
static size_t clause_end(const char *text, size_t max)
{
    static const char marks[] = ";:,";
    for (const char *m = marks; *m; m++)
        for (size_t i = max; i-- > 1;)
            if (text[i - 1] == *m && text[i] == ' ')
                return i;
    for (size_t i = max; i-- > 1;)
        if (text[i] == ' ')
            return i;
    return 0;
}

size_t rst_text_line(const char *text, size_t max, size_t *next)
{
    size_t len = strlen(text);
    size_t cut = len;
    for (size_t i = 0; i + 2 < len; i++) {
        if (sentence_end(text, i)) {
            cut = i + 1;
            break;
        }
    }
    if (cut > max) {
        size_t c = clause_end(text, max);
        cut = c ? c : max;
    }
    size_t skip = cut;
    while (text[skip] == ' ')
        skip++;
    *next = skip;
    while (cut && text[cut - 1] == ' ')
        cut--;
    return cut;
}
