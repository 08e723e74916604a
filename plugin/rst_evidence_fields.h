/* rst_evidence_fields.h: registering and rendering the rst.evidence.* fields.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RST_EVIDENCE_FIELDS_H
#define RST_EVIDENCE_FIELDS_H

#include <epan/packet.h>

#include "core/rst_core.h"

void rst_evidence_register(int proto);

/* One piece of evidence as an item with its expected value, reference frame
 * and weight below it. */
void rst_evidence_render(proto_tree *tree, tvbuff_t *tvb, const struct rst_evidence *e);

#endif /* RST_EVIDENCE_FIELDS_H */
