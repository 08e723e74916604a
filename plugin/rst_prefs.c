/* rst_prefs.c: the plugin's preferences (Edit > Preferences > Protocols >
 * RST, or -o rst.threshold:50): the injection threshold, a weight per sign
 * of forgery, and the thresholds of the timeout causes.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <epan/prefs.h>

#include <stdio.h>

#include "rst_compat.h"
#include "rst_plugin.h"

struct rst_params rst_prefs;

/* The boolean preferences' own variables (their type is the version's,
 * rst_compat.h), copied into rst_prefs when they change. */
static rst_pref_bool netscaler_codes = TRUE;

static void apply_prefs(void)
{
    rst_prefs.netscaler_codes = netscaler_codes != 0;
}

void rst_prefs_register(int proto)
{
    /* Weights keep the names the first three had. */
    static const char *const weight_pref[RST_EV_COUNT] = {
        [RST_EV_TTL] = "weight_ttl",
        [RST_EV_MAC] = "weight_mac",
        [RST_EV_SEQ_ZERO] = "weight_seq_zero",
        [RST_EV_RACE] = "weight_race",
        [RST_EV_BURST_SEQ] = "weight_burst_seq",
        [RST_EV_BURST_WINDOW] = "weight_burst_window",
        [RST_EV_BURST_TTL] = "weight_burst_ttl",
        [RST_EV_WINDOW] = "weight_window",
        [RST_EV_ACK] = "weight_ack",
        [RST_EV_NO_TIMESTAMPS] = "weight_no_timestamps",
        [RST_EV_TIMESTAMP] = "weight_timestamp",
        [RST_EV_IP_ID] = "weight_ip_id",
        [RST_EV_TIMING] = "weight_timing",
        [RST_EV_CONTRADICTION] = "weight_contradiction",
    };
    static char titles[RST_EV_COUNT][64], descriptions[RST_EV_COUNT][160];
    module_t *m = prefs_register_protocol(proto, apply_prefs);
    rst_params_default(&rst_prefs);
    prefs_register_uint_preference(m, "threshold", "Injection threshold",
                                   "Suspicion score (0-100) at which a RST is called injected", 10,
                                   &rst_prefs.threshold);
    for (int k = 0; k < RST_EV_COUNT; k++) {
        const char *name = rst_evidence_name((enum rst_evidence_kind)k);
        snprintf(titles[k], sizeof titles[k], "Weight: %s", name);
        snprintf(descriptions[k], sizeof descriptions[k],
                 "Score added by rst.evidence.%s (0 turns it off; docs/evidence.md)", name);
        prefs_register_uint_preference(m, weight_pref[k], titles[k], descriptions[k], 10,
                                       &rst_prefs.weight[k]);
    }
    prefs_register_uint_preference(m, "burst_ms", "Burst interval (ms)",
                                   "RSTs of one sender closer than this form a burst", 10,
                                   &rst_prefs.burst_ms);
    prefs_register_uint_preference(
        m, "keepalive_probes", "Keepalive probes",
        "Unanswered keepalive probes before a RST counts as keepalive-timeout", 10,
        &rst_prefs.keepalive_probes);
    prefs_register_uint_preference(
        m, "retransmissions", "Retransmissions",
        "Unanswered retransmissions of the same data before a RST counts as "
        "retransmission-timeout (Windows resets after 5)",
        10, &rst_prefs.retransmissions);
    prefs_register_bool_preference(
        m, "netscaler_codes", "Read NetScaler reset codes",
        "Read a RST's window that is in Citrix's reset code table (CTX200852) as the code of "
        "the Citrix NetScaler (ADC) that sent it, where the RST shows no other sign of forgery",
        &netscaler_codes);
    prefs_register_uint_preference(m, "idle_seconds", "Idle timeout (s)",
                                   "Silence in a connection before a RST counts as idle-timeout",
                                   10, &rst_prefs.idle_seconds);
}
