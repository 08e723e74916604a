/* collide_keys: prints port-scan tuples colliding under the unkeyed hash,
 * one "host sport dport" line each, for tests/gen_capture.py collide.
 *
 *     collide_keys N BITS
 *
 * Scanner 198.51.100.7, scanned hosts 203.0.113.1-254 (collide.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "collide.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    static const uint8_t scanner[4] = { 198, 51, 100, 7 }, net[3] = { 203, 0, 113 };
    if (argc != 3) {
        fprintf(stderr, "usage: %s N BITS\n", argv[0]);
        return 2;
    }
    size_t n = strtoul(argv[1], NULL, 10);
    unsigned bits = (unsigned)strtoul(argv[2], NULL, 10);
    struct collision *c = calloc(n ? n : 1, sizeof *c);
    if (!c || bits > 32)
        return 2;
    size_t found = collide_scan(scanner, net, bits, c, n);
    for (size_t i = 0; i < found; i++)
        printf("%u %u %u\n", c[i].host, c[i].sport, c[i].dport);
    free(c);
    return found == n ? 0 : 1;
}
