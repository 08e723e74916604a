/* collide.c: port-scan tuples colliding under the unkeyed hash (collide.h).
 *
 * The search is brute force: SipHash has no shortcut, so a tuple whose
 * hash has b low bits zero takes 2^b tries; 2^12 to 2^14 tries a tuple is
 * what an attacker spends in seconds to minutes for a capture of 10^4 to
 * 10^5 such connections.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "collide.h"

#include "rst_store.h"

#include <string.h>

/* The key rst_points.c's make_key builds for an IPv4 segment outside
 * tunnels on interface 0 (group 0, view 0, point 0): the endpoints in
 * address order, padding zeroed.  The unit test proves it is the same key
 * by the clusters it makes inside the core. */
static void scan_key(const uint8_t scanner[4], const uint8_t target[4], uint16_t sport,
                     uint16_t dport, struct rst_conn_key *key)
{
    unsigned from = memcmp(scanner, target, 4) > 0 ? 1 : 0;
    memset(key, 0, sizeof *key);
    key->ip_version = 4;
    memcpy(key->addr[from], scanner, 4);
    memcpy(key->addr[!from], target, 4);
    key->port[from] = sport;
    key->port[!from] = dport;
}

size_t collide_scan(const uint8_t scanner[4], const uint8_t net[3], unsigned bits,
                    struct collision *out, size_t n)
{
    static const struct rst_hash_key unkeyed = { 0, 0 };
    const uint64_t mask = (bits >= 64) ? ~0ull : ((1ull << bits) - 1);
    uint8_t target[4] = { net[0], net[1], net[2], 0 };
    struct rst_conn_key key;
    size_t found = 0;
    for (uint32_t sport = 1024; sport <= 65535 && found < n; sport++)
        for (uint32_t dport = 1; dport <= 65535 && found < n; dport++)
            for (unsigned host = 1; host <= 254 && found < n; host++) {
                target[3] = (uint8_t)host;
                scan_key(scanner, target, (uint16_t)sport, (uint16_t)dport, &key);
                if ((rst_hash(&unkeyed, &key, sizeof key) & mask) == 0)
                    out[found++] =
                        (struct collision){ (uint8_t)host, (uint16_t)sport, (uint16_t)dport };
            }
    return found;
}
