/* rst_score.h: the evidence of forgery and the suspicion score (rst_score.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RST_SCORE_H
#define RST_SCORE_H

#include "rst_state.h"

struct rst_core;

/* When a RST is fed, before its wire cause (rst_classify.c reads the seq 0
 * mark): a seq 0 no reply of its sender's may carry, an ACK that matches
 * nothing its receiver sent. */
void rst_score_note_rst(const struct rst_conn *conn, unsigned from, const struct rst_segment *rst,
                        struct rst_record *rec);
/* After its wire cause: what changes between rec and its sender's previous
 * RST prev, when they come close enough to form a burst; first_of_three:
 * the RST before prev (the third of three identical ones), or NULL. */
void rst_score_note_burst(struct rst_record *prev, struct rst_record *rec,
                          struct rst_record *first_of_three, const struct rst_params *params);
/* A mirrored copy of original arrived: its count of copies went up. */
void rst_score_note_copy(struct rst_record *original);
/* A genuine segment of side x: its RSTs since its last segment raced it. */
void rst_score_note_race(struct rst_core *core, struct rst_side *x, uint32_t frame);

/* At verdict time: the evidence against rec and its weights.  own_reset: the sender's earlier
 * genuine RST that ended this connection, NULL if none. */
void rst_score(const struct rst_conn *conn, const struct rst_host *host,
               const struct rst_record *rec, const struct rst_record *own_reset,
               const struct rst_params *params, struct rst_verdict *verdict);

#endif /* RST_SCORE_H */
