/* rst_stats.h: the plugin's tap and the statistics it feeds.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RST_STATS_H
#define RST_STATS_H

#include <epan/packet.h>
#include <epan/tap.h>

#define RST_TAP_NAME "rst"

/* One RST's verdict, queued on the "rst" tap. */
struct rst_tap_info {
    const char *cause;  /* rst.cause */
    const char *sender; /* rst.sender */
    const char *source; /* the RST's source address */
    const char *server; /* the connection's server address, "" if roles are unknown */
    const char *impact; /* rst.impact */
    guint impact_bytes; /* rst.impact.bytes */
    gboolean injected;  /* rst.injected */
    guint suspicion;
    gboolean first_sighting; /* not a copy, nor seen at another capture point before */
    const char *stated;      /* what it states about its reason (rst.diag), NULL: nothing */
};

/* Called from plugin_register(): registers the stats tree as a tap plugin. */
void rst_stats_register_plugin(void);

#endif /* RST_STATS_H */
