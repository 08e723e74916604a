/* rst_learn.h: learning from each side's non-RST segments (rst_learn.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RST_LEARN_H
#define RST_LEARN_H

#include "rst_store.h"

/* A tap or SPAN port that mirrors a segment twice, or a capture merged with
 * itself, shows the same frame twice in a row.  A real retransmission comes
 * at least an RTO later (Linux: 200 ms) or after the peer's duplicate ACKs:
 * the same segment again within a millisecond is a copy. */
#define RST_COPY_WINDOW_US 1000

/* Whether s repeats an earlier segment's seq, ack, flags and window less
 * than RST_COPY_WINDOW_US after it: what a copy does.  A copy of a segment
 * also repeats its length and its IP ID (rst_learn.c), a copy of a RST its
 * TTL and IP ID (rst_records.c). */
bool rst_repeats_header(uint32_t seq, uint32_t ack, uint8_t flags, uint16_t window, int64_t time_us,
                        const struct rst_segment *s);

/* Updates side `from` of connection `index` with one of its non-RST segments. */
void rst_learn(struct rst_core *core, struct rst_conn *conn, uint32_t index, unsigned from,
               const struct rst_segment *seg);

/* More than two hops apart: another place, not a route change. */
bool rst_ttl_far(unsigned ttl, unsigned ref);

#endif /* RST_LEARN_H */
