/* rst_impact.h: what a RST cost (rst_impact.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RST_IMPACT_H
#define RST_IMPACT_H

#include "rst_store.h"

/* Side `from` of connection `index` sent s, a non-RST segment: its new
 * data (a request or an answer), the holes the capture left in its
 * sequence space, and its bytes that arrive after the peer's RST.  Called
 * before the side's highest sequence number takes s in. */
void rst_impact_note_data(struct rst_core *core, struct rst_conn *c, uint32_t index, unsigned from,
                          const struct rst_segment *s);

/* Side `from` sent s, a non-RST segment, before its highest ACK takes s
 * in: bytes of the peer it acknowledges that a RST had counted lost
 * arrived after all; a hole it acknowledges past was the capture's only. */
void rst_impact_note_ack(struct rst_core *core, struct rst_conn *c, uint32_t index, unsigned from,
                         const struct rst_segment *s);

/* A RST is fed: what both sides had sent that the other had not
 * acknowledged, and the request nobody answered, as they stand now. */
void rst_impact_note_rst(struct rst_core *core, const struct rst_conn *c, unsigned from,
                         const struct rst_segment *rst, struct rst_record *rec);

/* Step 4 of a verdict: the impact, from the decided cause and the loss.
 * copy_of_frame: the original's frame if the RST is a copy, else 0. */
void rst_impact_decide(const struct rst_core *core, const struct rst_record *rec,
                       uint32_t copy_of_frame, struct rst_verdict *v);

#endif /* RST_IMPACT_H */
