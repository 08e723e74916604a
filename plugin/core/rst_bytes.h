/* rst_bytes.h: reading header fields from a frame's bytes (network byte
 * order), and the header sizes the frame readers share.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RST_BYTES_H
#define RST_BYTES_H

#include <stdint.h>

#define IPV4_MIN_HEADER 20
#define IPV6_HEADER 40
#define TCP_MIN_HEADER 20

static inline uint16_t get16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t get32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

#endif /* RST_BYTES_H */
