/* rst_vantage.h: the RST at the connection's other capture points (rst_vantage.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RST_VANTAGE_H
#define RST_VANTAGE_H

#include "rst_store.h"

void rst_vantage(const struct rst_core *core, const struct rst_record *rec, unsigned copy,
                 struct rst_vantage *vantage);

#endif /* RST_VANTAGE_H */
