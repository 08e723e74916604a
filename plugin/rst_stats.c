/* rst_stats.c: Statistics > TCP RST Analysis, and "tshark -z rst,tree".
 *
 * A stats tree fed by the plugin's own tap "rst": one tap record per RST
 * verdict (queued where the fields are rendered).  Each RST counts once:
 * a mirrored copy of it, or the same RST seen again at a second capture
 * point of a merged file, is not counted again.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst_stats.h"

#include <epan/stats_tree.h>

static int st_total = -1;
static int st_cause = -1;
static int st_sender = -1;
static int st_verdict = -1;
static int st_hosts = -1;
static int st_impact = -1;
static int st_bytes = -1;
static int st_servers = -1;
static int st_stated = -1;

static const char *const st_str_total = "RSTs";
static const char *const st_str_cause = "By cause";
static const char *const st_str_sender = "By sender role";
static const char *const st_str_verdict = "Injected or genuine";
static const char *const st_str_hosts = "By source address";
static const char *const st_str_impact = "By impact";
static const char *const st_str_bytes = "Bytes lost, by server";
static const char *const st_str_servers = "By server";
static const char *const st_str_stated = "By stated reason";
static const char *const st_str_no_roles = "(roles unknown)";

static void rst_stats_init(stats_tree *st)
{
    st_total = stats_tree_create_node(st, st_str_total, 0, STAT_DT_INT, TRUE);
    st_cause = stats_tree_create_node(st, st_str_cause, st_total, STAT_DT_INT, TRUE);
    st_sender = stats_tree_create_node(st, st_str_sender, st_total, STAT_DT_INT, TRUE);
    st_verdict = stats_tree_create_node(st, st_str_verdict, st_total, STAT_DT_INT, TRUE);
    st_impact = stats_tree_create_node(st, st_str_impact, st_total, STAT_DT_INT, TRUE);
    st_servers = stats_tree_create_pivot(st, st_str_servers, st_total);
    /* What RSTs say about themselves (payload, MPTCP, NetScaler window). */
    st_stated = stats_tree_create_pivot(st, st_str_stated, st_total);
    /* A tree of its own: its count is bytes, not RSTs. */
    st_bytes = stats_tree_create_node(st, st_str_bytes, 0, STAT_DT_INT, TRUE);
    st_hosts = stats_tree_create_pivot(st, st_str_hosts, st_total);
}

/* What the RSTs cost: how many of each impact, and by server; the bytes
 * lost in all and per server. */
static void tick_impact(stats_tree *st, const struct rst_tap_info *rst)
{
    const char *server = rst->server[0] ? rst->server : st_str_no_roles;
    tick_stat_node(st, st_str_impact, st_total, TRUE);
    tick_stat_node(st, rst->impact, st_impact, FALSE);
    stats_tree_tick_pivot(st, st_servers, server);
    if (!rst->impact_bytes)
        return;
    increase_stat_node(st, st_str_bytes, 0, FALSE, (gint)rst->impact_bytes);
    increase_stat_node(st, server, st_bytes, FALSE, (gint)rst->impact_bytes);
}

static tap_packet_status rst_stats_packet(stats_tree *st, packet_info *pinfo _U_,
                                          epan_dissect_t *edt _U_, const void *data,
                                          tap_flags_t flags _U_)
{
    const struct rst_tap_info *rst = (const struct rst_tap_info *)data;
    if (!rst->first_sighting)
        return TAP_PACKET_DONT_REDRAW;

    tick_stat_node(st, st_str_total, 0, FALSE);
    tick_stat_node(st, st_str_cause, st_total, TRUE);
    tick_stat_node(st, rst->cause, st_cause, FALSE);
    tick_stat_node(st, st_str_sender, st_total, TRUE);
    tick_stat_node(st, rst->sender, st_sender, FALSE);
    tick_stat_node(st, st_str_verdict, st_total, TRUE);
    tick_stat_node(st, rst->injected ? "injected" : "genuine", st_verdict, FALSE);
    tick_impact(st, rst);
    if (rst->stated)
        stats_tree_tick_pivot(st, st_stated, rst->stated);
    stats_tree_tick_pivot(st, st_hosts, rst->source);
    return TAP_PACKET_REDRAW;
}

static void register_rst_stats(void)
{
    stats_tree_register_plugin(RST_TAP_NAME, "rst", "TCP RST Analysis", 0, rst_stats_packet,
                               rst_stats_init, NULL);
}

void rst_stats_register_plugin(void)
{
    static tap_plugin plug;
    plug.register_tap_listener = register_rst_stats;
    tap_register_plugin(&plug);
}
