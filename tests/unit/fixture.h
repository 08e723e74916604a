/* fixture.h: what the core's unit tests share.
 *
 * Checks (CHECK, CHECK_STR, CHECK_CONTAINS), tests that register themselves
 * (TEST: the compiler builds the list, no one keeps it by hand), and the
 * fixture most tests feed the core through: a client and a server as a
 * capture point near the client sees them, both Linux.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RST_TEST_FIXTURE_H
#define RST_TEST_FIXTURE_H

#include "rst_core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ checks */

extern int test_failures;
extern int test_checks;
extern const char *test_current;

#define CHECK(cond) \
    do { \
        test_checks++; \
        if (!(cond)) { \
            fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n", __FILE__, __LINE__, test_current, \
                    #cond); \
            test_failures++; \
        } \
    } while (0)

#define CHECK_STR(a, b) \
    do { \
        test_checks++; \
        if (strcmp((a), (b)) != 0) { \
            fprintf(stderr, "%s:%d: %s: \"%s\" != \"%s\"\n", __FILE__, __LINE__, test_current, \
                    (a), (b)); \
            test_failures++; \
        } \
    } while (0)

#define CHECK_CONTAINS(hay, needle) \
    do { \
        test_checks++; \
        if (!strstr((hay), (needle))) { \
            fprintf(stderr, "%s:%d: %s: \"%s\" lacks \"%s\"\n", __FILE__, __LINE__, test_current, \
                    (hay), (needle)); \
            test_failures++; \
        } \
    } while (0)

/* ------------------------------------------------------------ tests */

/* TEST(name) { ... } defines a test and registers it before main() runs
 * (a constructor: GCC and Clang); fixture.c runs them in file order. */
typedef void (*test_fn)(void);
void test_register(const char *name, test_fn fn, const char *file, int line);

#define TEST(name) \
    static void name(void); \
    __attribute__((constructor)) static void register_##name(void) \
    { \
        test_register(#name, name, __FILE__, __LINE__); \
    } \
    static void name(void)

/* ------------------------------------------------------------ the fixture */

/* A client and a server as a capture point near the client sees them, both
 * Linux: the server's packets arrive through the router (its MAC, TTL 63)
 * 20 ms after whatever they answer; the client answers within 0.2 ms. */
struct end {
    uint8_t addr[16];
    uint16_t port;
    uint8_t mac[6];
    uint8_t ttl;
    uint16_t ip_id;     /* its socket's next IP ID (Linux counts per socket) */
    uint32_t ts_offset; /* its RFC 7323 clock: offset + milliseconds */
    uint16_t window;    /* the raw window it advertises */
    int64_t delay_us;   /* how long after the previous segment its segments arrive */
};

enum who { CLIENT, SERVER };

struct net {
    struct rst_core *core;
    struct rst_params params;
    uint8_t ip_version;
    struct end end[2];
    bool timestamps; /* both SYNs offer RFC 7323 timestamps */
    uint32_t frame;
    int64_t now_us;
};

#define C_ISN 1000u
#define S_ISN 5000u
#define SYN RST_TH_SYN
#define ACK RST_TH_ACK
#define FIN RST_TH_FIN
#define RST RST_TH_RST
#define PSH RST_TH_PSH

void net_init(struct net *n, uint8_t ip_version);
void net_free(struct net *n);
/* A segment as a Linux stack sends it from a socket (also its active RSTs). */
struct rst_segment segment(struct net *n, enum who from, uint8_t flags, uint32_t seq, uint32_t ack,
                           uint32_t len);
/* Feeds a segment; returns the RST id (0 for other segments). */
uint32_t send_seg(struct net *n, enum who from, uint8_t flags, uint32_t seq, uint32_t ack,
                  uint32_t len);
/* A RST built without a socket (Linux tcp_v4_send_reset): IP ID 0, window 0,
 * no options. */
uint32_t send_reply_rst(struct net *n, enum who from, uint8_t flags, uint32_t seq, uint32_t ack);
/* The verdict with its explanation (the one a displayed tree shows). */
struct rst_verdict verdict(struct net *n, uint32_t id);
const struct rst_evidence *evidence(const struct rst_verdict *v, enum rst_evidence_kind k);
/* SYN, SYN-ACK, ACK (frames 1-3). */
void handshake(struct net *n);
/* SYN, SYN-ACK, ACK; then a 100-byte request (frames 1-4). */
void handshake_and_request(struct net *n);
/* SYN, SYN-ACK, ACK; then a 100-byte request and a 300-byte response
 * (frames 1-7). */
void handshake_and_exchange(struct net *n);
/* A RST from a device on the client's segment, 1 ms after the last segment,
 * in the name of `claimed`: its own MAC, TTL 64, IP ID 1 and window 8192
 * (scapy's defaults), no options. */
struct rst_segment forged(struct net *n, enum who claimed, uint8_t flags, uint32_t seq,
                          uint32_t ack);
uint32_t send_forged(struct net *n, struct rst_segment s);
/* A fresh net where a device answers the client's SYN as a closed port
 * would, in the server's name; the real SYN-ACK follows if feed_synack. */
uint32_t forged_handshake_rst(struct net *n, bool feed_synack);

#endif /* RST_TEST_FIXTURE_H */
