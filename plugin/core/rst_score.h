/* rst_score.h: the evidence of forgery and the suspicion score (rst_score.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RST_SCORE_H
#define RST_SCORE_H

#include "rst_state.h"

/* own_reset: the sender's earlier genuine RST that ended this connection,
 * NULL if none. */
void rst_score(const struct rst_conn *conn, const struct rst_host *host,
               const struct rst_record *rec, const struct rst_record *own_reset,
               const struct rst_params *params, struct rst_verdict *verdict);

#endif /* RST_SCORE_H */
