/* rst_classify.h: the wire cause (rst_classify.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RST_CLASSIFY_H
#define RST_CLASSIFY_H

#include "rst_state.h"

/* The cause read from the connection just before the RST, as if its
 * claimed sender sent it: sets rec's wire cause, the segment it answers,
 * its shape and whether the receiver would accept it. */
void rst_classify(const struct rst_core *core, const struct rst_conn *conn, unsigned from,
                  const struct rst_segment *rst, const struct rst_params *params,
                  struct rst_record *rec);

#endif /* RST_CLASSIFY_H */
