/* plugin.c: how Wireshark loads rst-explain.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <epan/packet.h>
#include <epan/proto.h>
#include <ws_symbol_export.h>

#include "rst_compat.h"
#include "rst_stats.h"

#ifndef RST_EXPLAIN_VERSION
#define RST_EXPLAIN_VERSION "0.0.0"
#endif

void proto_register_rst(void);
void proto_reg_handoff_rst(void);

WS_DLL_PUBLIC_DEF const gchar plugin_version[] = RST_EXPLAIN_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;

WS_DLL_PUBLIC void plugin_register(void);
RST_PLUGIN_DESCRIBE

void plugin_register(void)
{
    static proto_plugin plug_rst;

    plug_rst.register_protoinfo = proto_register_rst;
    plug_rst.register_handoff = proto_reg_handoff_rst;
    proto_register_plugin(&plug_rst);
    rst_stats_register_plugin();
}
