/* collide.h: port-scan tuples whose connection keys collide under the
 * core's hash without a key, as an attacker who writes a capture file for
 * an analyst to open would choose them (issue 18).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RST_TEST_COLLIDE_H
#define RST_TEST_COLLIDE_H

#include <stddef.h>
#include <stdint.h>

/* One connection attempt of the scan: scanner -> net.host:dport from sport. */
struct collision {
    uint8_t host; /* last byte of the scanned IPv4 address */
    uint16_t sport, dport;
};

/* The first n attempts of a scan from scanner across net.1-254 (ports 1 and
 * up, then the next source port) whose connection keys (IPv4, outside
 * tunnels, on capture interface 0, as rst_points.c builds them) hash to a
 * value with the low `bits` bits zero under the all-zero key: whatever the
 * size of an index up to 2^bits, they all start probing in one slot.
 * Deterministic.  Returns n (or fewer if the scan's space runs out). */
size_t collide_scan(const uint8_t scanner[4], const uint8_t net[3], unsigned bits,
                    struct collision *out, size_t n);

#endif /* RST_TEST_COLLIDE_H */
