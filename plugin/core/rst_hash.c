/* rst_hash.c: the keyed hash of the core's indexes.
 *
 * SipHash-1-3 (Aumasson and Bernstein, "SipHash: a fast short-input PRF",
 * INDOCRYPT 2012; one compression and three finalisation rounds, as Rust's
 * and CPython's hash tables use it).  A capture file is input an attacker
 * may write: with an unkeyed hash, keys can be chosen to land in one probe
 * cluster; with a key they do not know, they cannot.  It also reads eight
 * bytes a step, where the byte-wise FNV-1a it replaces read one.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst_store.h"

#include <string.h>

static inline uint64_t rotl(uint64_t x, unsigned b)
{
    return (x << b) | (x >> (64 - b));
}

static inline void sip_round(uint64_t v[4])
{
    v[0] += v[1], v[1] = rotl(v[1], 13), v[1] ^= v[0], v[0] = rotl(v[0], 32);
    v[2] += v[3], v[3] = rotl(v[3], 16), v[3] ^= v[2];
    v[0] += v[3], v[3] = rotl(v[3], 21), v[3] ^= v[0];
    v[2] += v[1], v[1] = rotl(v[1], 17), v[1] ^= v[2], v[2] = rotl(v[2], 32);
}

/* The index keys are structs hashed as this machine holds them; only
 * equality matters, so byte order need not be fixed. */
uint64_t rst_hash(const struct rst_hash_key *key, const void *bytes, size_t len)
{
    const uint8_t *p = bytes;
    uint64_t v[4] = {
        key->k0 ^ 0x736f6d6570736575ull,
        key->k1 ^ 0x646f72616e646f6dull,
        key->k0 ^ 0x6c7967656e657261ull,
        key->k1 ^ 0x7465646279746573ull,
    };
    uint64_t m;
    for (; len >= 8; p += 8, len -= 8) {
        memcpy(&m, p, 8);
        v[3] ^= m;
        sip_round(v);
        v[0] ^= m;
    }
    /* The last bytes, with the length in the top byte (SipHash's padding). */
    uint64_t total = (uint64_t)(p - (const uint8_t *)bytes) + len;
    m = total << 56;
    for (size_t i = 0; i < len; i++)
        m |= (uint64_t)p[i] << (8 * i);
    v[3] ^= m;
    sip_round(v);
    v[0] ^= m;
    v[2] ^= 0xff;
    sip_round(v);
    sip_round(v);
    sip_round(v);
    return v[0] ^ v[1] ^ v[2] ^ v[3];
}
