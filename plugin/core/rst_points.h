/* rst_points.h: the connection of a segment, at its capture point (rst_points.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RST_POINTS_H
#define RST_POINTS_H

#include "rst_store.h"

/* The connection a segment belongs to, created on first sight (a SYN with a
 * new ISN on a used tuple starts a new one); NULL when memory runs out.
 * *from: the side index of the segment's sender; *index: the connection's
 * index in the store. */
struct rst_conn *rst_points_lookup(struct rst_core *core, const struct rst_segment *seg,
                                   unsigned *from, uint32_t *index);

/* The same SYN (or SYN-ACK) of side `from` seen at another point of the
 * connection: measures the lag between the two points' clocks. */
void rst_points_note_lag(struct rst_core *core, uint32_t index, unsigned from);

#endif /* RST_POINTS_H */
