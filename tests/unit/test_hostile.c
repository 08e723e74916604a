/* test_hostile.c: captures built to make the plugin slow (issue 18): keys
 * chosen to collide in its tables, under the hash an attacker can compute
 * (no key) and under the key the plugin gives each file.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "collide.h"
#include "fixture.h"

#define COLLIDING 4000
#define COLLIDE_BITS 12 /* the indexes of 4000 connections have 2^13 slots */

/* A scan of the colliding tuples, SYN and RST/ACK each, under the hash key
 * (k0, k1); every 1000th refusal forged by a device next to the scanner
 * (for an open port: the real SYN-ACK follows).
 * The causes go to out, one character per RST; returns the longest run of
 * occupied slots in the core's indexes. */
static size_t colliding_scan(uint64_t k0, uint64_t k1, const struct collision *c, char *out)
{
    struct net n;
    net_init(&n, 4);
    CHECK(rst_core_set_hash_key(n.core, k0, k1));
    for (size_t i = 0; i < COLLIDING; i++) {
        n.end[SERVER].addr[3] = c[i].host;
        n.end[SERVER].port = c[i].dport;
        n.end[CLIENT].port = c[i].sport;
        uint32_t isn = (uint32_t)i * 7919u;
        send_seg(&n, CLIENT, SYN, isn, 0, 0);
        uint32_t id;
        if (i % 1000 == 999) {
            /* An open port a device refuses in the host's name; the
             * host's SYN-ACK follows. */
            id = send_forged(&n, forged(&n, SERVER, ACK, 0, isn + 1));
            send_seg(&n, SERVER, SYN | ACK, S_ISN, isn + 1, 0);
        } else {
            id = send_reply_rst(&n, SERVER, ACK, 0, isn + 1);
        }
        out[i] = (char)('a' + verdict(&n, id).final_cause);
    }
    out[COLLIDING] = 0;
    CHECK(rst_core_connections(n.core) == COLLIDING);
    size_t longest = rst_core_longest_cluster(n.core);
    net_free(&n);
    return longest;
}

TEST(test_colliding_keys_make_no_long_probes)
{
    static struct collision c[COLLIDING];
    static const uint8_t net[3] = { 203, 0, 113 };
    struct net probe;
    net_init(&probe, 4); /* the fixture's addresses: the client scans */
    CHECK(collide_scan(probe.end[CLIENT].addr, net, COLLIDE_BITS, c, COLLIDING) == COLLIDING);
    net_free(&probe);

    static char unkeyed[COLLIDING + 1], keyed[COLLIDING + 1];
    size_t longest_unkeyed = colliding_scan(0, 0, c, unkeyed);
    size_t longest_keyed = colliding_scan(0x9e3779b97f4a7c15ull, 0xd1b54a32d192ed03ull, c, keyed);
    /* Without a key the tuples do what they were chosen for: the 2^13-slot
     * index holds them in two runs, each lookup walks a thousand slots
     * (this proves collide.c builds the core's own keys)... */
    CHECK(longest_unkeyed >= COLLIDING / 4);
    /* ... with one, they are keys like any others: at half load, runs of
     * a few dozen slots at most. */
    CHECK(longest_keyed <= 100);
    /* The same verdicts either way: every refusal refused, every forged
     * one found. */
    CHECK(strcmp(unkeyed, keyed) == 0);
    size_t refused = 0, injected = 0;
    for (size_t i = 0; i < COLLIDING; i++) {
        refused += keyed[i] == 'a' + RST_CAUSE_REFUSED;
        injected += keyed[i] == 'a' + RST_CAUSE_INJECTED;
    }
    CHECK(refused == COLLIDING - COLLIDING / 1000);
    CHECK(injected == COLLIDING / 1000);
}
