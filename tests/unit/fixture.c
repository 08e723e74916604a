/* fixture.c: the unit tests' runner and their fixture (fixture.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "fixture.h"

int test_failures;
int test_checks;
const char *test_current;

/* ------------------------------------------------------------ the runner */

struct test {
    const char *name, *file;
    int line;
    test_fn fn;
};

static struct test *tests;
static size_t n_tests, cap_tests;

void test_register(const char *name, test_fn fn, const char *file, int line)
{
    if (n_tests == cap_tests) {
        cap_tests = cap_tests ? 2 * cap_tests : 256;
        tests = realloc(tests, cap_tests * sizeof *tests);
        if (!tests) {
            fprintf(stderr, "out of memory\n");
            exit(2);
        }
    }
    tests[n_tests++] = (struct test){ name, file, line, fn };
}

/* In the order of the files and of the tests in them. */
static int by_place(const void *a, const void *b)
{
    const struct test *x = a, *y = b;
    int c = strcmp(x->file, y->file);
    return c ? c : x->line - y->line;
}

/* test_core [NAME...]: every test, or those whose name contains a NAME. */
static bool selected(const struct test *t, int argc, char **argv)
{
    if (argc < 2)
        return true;
    for (int i = 1; i < argc; i++)
        if (strstr(t->name, argv[i]))
            return true;
    return false;
}

int main(int argc, char **argv)
{
    size_t run = 0;
    qsort(tests, n_tests, sizeof *tests, by_place);
    for (size_t i = 0; i < n_tests; i++) {
        if (!selected(&tests[i], argc, argv))
            continue;
        test_current = tests[i].name;
        tests[i].fn();
        run++;
    }
    printf("%zu tests, %d checks, %d failed\n", run, test_checks, test_failures);
    free(tests);
    return test_failures || run == 0 ? 1 : 0;
}

/* ------------------------------------------------------------ the fixture */

void net_init(struct net *n, uint8_t ip_version)
{
    static const uint8_t c4[4] = { 198, 51, 100, 10 }, s4[4] = { 203, 0, 113, 2 };
    static const uint8_t c6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 0x10 };
    static const uint8_t s6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 2, [15] = 0x02 };
    static const uint8_t cmac[6] = { 2, 0, 0, 0, 1, 0x0a }, rmac[6] = { 2, 0, 0, 0, 1, 1 };
    memset(n, 0, sizeof *n);
    n->core = rst_core_new();
    rst_params_default(&n->params);
    n->ip_version = ip_version;
    struct end *c = &n->end[CLIENT], *s = &n->end[SERVER];
    memcpy(c->addr, ip_version == 4 ? c4 : c6, ip_version == 4 ? 4 : 16);
    memcpy(s->addr, ip_version == 4 ? s4 : s6, ip_version == 4 ? 4 : 16);
    c->port = 40000, s->port = 8080;
    memcpy(c->mac, cmac, 6), memcpy(s->mac, rmac, 6);
    c->ttl = 64, s->ttl = 63;
    c->ip_id = 0x1118, s->ip_id = 0xc8e2;
    c->ts_offset = 4119795559u, s->ts_offset = 824742477u;
    c->window = 63, s->window = 64;
    c->delay_us = 200, s->delay_us = 20000;
    n->timestamps = true;
    n->now_us = 1700000000LL * 1000000;
}

void net_free(struct net *n)
{
    rst_core_free(n->core);
}

/* A segment as a Linux stack sends it from a socket (also its active RSTs). */
struct rst_segment segment(struct net *n, enum who from, uint8_t flags, uint32_t seq, uint32_t ack,
                           uint32_t len)
{
    struct end *e = &n->end[from], *peer = &n->end[!from];
    struct rst_segment s;
    memset(&s, 0, sizeof s);
    s.frame = ++n->frame;
    n->now_us += e->delay_us;
    s.time_us = n->now_us;
    s.ip_version = n->ip_version;
    memcpy(s.src, e->addr, 16);
    memcpy(s.dst, peer->addr, 16);
    s.sport = e->port;
    s.dport = peer->port;
    s.ttl = e->ttl;
    s.has_mac = true;
    memcpy(s.src_mac, e->mac, 6);
    s.has_link = true;
    memcpy(s.link_src, e->mac, 6);
    memcpy(s.link_dst, peer->mac, 6);
    s.seq = seq;
    s.ack = ack;
    s.flags = flags;
    s.payload_len = len;
    s.window = (flags & SYN) ? 64240 : e->window;
    if (n->ip_version == 4) {
        s.has_ip_id = true;
        s.df = true;
        /* A SYN-ACK comes from a request socket without a peer: ID 0. */
        s.ip_id = (flags & (SYN | ACK)) == (SYN | ACK) ? 0 : e->ip_id++;
    }
    if (n->timestamps) {
        s.has_timestamps = true;
        s.tsval = e->ts_offset + (uint32_t)(n->now_us / 1000);
    }
    if (flags & SYN) {
        s.has_wscale = true;
        s.wscale = 10;
    }
    return s;
}

/* Feeds a segment; returns the RST id (0 for other segments). */
uint32_t send_seg(struct net *n, enum who from, uint8_t flags, uint32_t seq, uint32_t ack,
                  uint32_t len)
{
    struct rst_segment s = segment(n, from, flags, seq, ack, len);
    return rst_core_add(n->core, &s, &n->params);
}

/* A RST built without a socket (Linux tcp_v4_send_reset): IP ID 0, window 0,
 * no options. */
uint32_t send_reply_rst(struct net *n, enum who from, uint8_t flags, uint32_t seq, uint32_t ack)
{
    struct rst_segment s = segment(n, from, flags | RST_TH_RST, seq, ack, 0);
    s.ip_id = 0;
    n->end[from].ip_id--;
    s.window = 0;
    s.has_timestamps = false;
    return rst_core_add(n->core, &s, &n->params);
}

struct rst_verdict verdict(struct net *n, uint32_t id)
{
    struct rst_verdict v;
    memset(&v, 0, sizeof v);
    CHECK(id != 0);
    CHECK(rst_core_verdict(n->core, id, &n->params, true, &v));
    return v;
}

const struct rst_evidence *evidence(const struct rst_verdict *v, enum rst_evidence_kind k)
{
    for (unsigned i = 0; i < v->n_evidence; i++)
        if (v->evidence[i].kind == k)
            return &v->evidence[i];
    return NULL;
}

/* SYN, SYN-ACK, ACK; then a 100-byte request and a 300-byte response
 * (frames 1-7). */
void handshake(struct net *n)
{
    send_seg(n, CLIENT, SYN, C_ISN, 0, 0);
    send_seg(n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);
    send_seg(n, CLIENT, ACK, C_ISN + 1, S_ISN + 1, 0);
}

void handshake_and_request(struct net *n)
{
    handshake(n);
    send_seg(n, CLIENT, PSH | ACK, C_ISN + 1, S_ISN + 1, 100);
}

void handshake_and_exchange(struct net *n)
{
    handshake_and_request(n);
    send_seg(n, SERVER, ACK, S_ISN + 1, C_ISN + 101, 0);
    send_seg(n, SERVER, PSH | ACK, S_ISN + 1, C_ISN + 101, 300);
    send_seg(n, CLIENT, ACK, C_ISN + 101, S_ISN + 301, 0);
}

/* A RST from a device on the client's segment, 1 ms after the last segment,
 * in the name of `claimed`: its own MAC, TTL 64, IP ID 1 and window 8192
 * (scapy's defaults), no options. */
struct rst_segment forged(struct net *n, enum who claimed, uint8_t flags, uint32_t seq,
                          uint32_t ack)
{
    int64_t delay = n->end[claimed].delay_us;
    n->end[claimed].delay_us = 1000;
    struct rst_segment s = segment(n, claimed, flags | RST, seq, ack, 0);
    n->end[claimed].delay_us = delay;
    n->end[claimed].ip_id--;
    s.src_mac[5] = 0x66;
    s.link_src[5] = 0x66;
    s.ttl = 64;
    s.ip_id = 1;
    s.window = 8192;
    s.has_timestamps = false;
    return s;
}

uint32_t send_forged(struct net *n, struct rst_segment s)
{
    return rst_core_add(n->core, &s, &n->params);
}

uint32_t forged_handshake_rst(struct net *n, bool feed_synack)
{
    net_init(n, 4);
    send_seg(n, CLIENT, SYN, C_ISN, 0, 0);
    /* Answers the SYN as a closed port would: RST/ACK, seq 0, window 0. */
    struct rst_segment f = forged(n, SERVER, ACK, 0, C_ISN + 1);
    f.window = 0;
    uint32_t id = send_forged(n, f);
    if (feed_synack)
        send_seg(n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);
    return id;
}
