/* rst_names.h: words of the core that are not in rst_core.h (rst_names.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RST_NAMES_H
#define RST_NAMES_H

#include "rst_state.h"

/* Why the receiver would or would not accept it (RFC 9293, RFC 5961), NULL
 * if unknown. */
const char *rst_accept_reason(enum rst_accept accept);

#endif /* RST_NAMES_H */
