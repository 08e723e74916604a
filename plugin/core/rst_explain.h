/* rst_explain.h: the verdict in plain words (rst_explain.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RST_EXPLAIN_H
#define RST_EXPLAIN_H

#include "rst_state.h"

void rst_explain(const struct rst_conn *conn, const struct rst_record *rec,
                 struct rst_verdict *verdict);

#endif /* RST_EXPLAIN_H */
