/* rst_diag_fields.h: registering and rendering the rst.diag.* fields.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RST_DIAG_FIELDS_H
#define RST_DIAG_FIELDS_H

#include <epan/packet.h>
#include <epan/expert.h>

#include "core/rst_core.h"

void rst_diag_register(int proto);

/* What the RST states, as the "Stated reason" item and its fields; the
 * expert entry stated where not NULL.  Returns a short label of the
 * statement for the statistics (packet scope), NULL if it states nothing. */
const char *rst_diag_render(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo,
                            const struct rst_diag *diag, expert_field *stated);

#endif /* RST_DIAG_FIELDS_H */
