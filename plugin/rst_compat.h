/* rst_compat.h: every difference between the Wireshark versions the plugin
 * builds against, in one place.  Nothing else in the plugin tests a version.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RST_COMPAT_H
#define RST_COMPAT_H

#include <ws_version.h>
#include <epan/packet.h>
#include <epan/epan.h>        /* epan_get_interface_name */
#include <wiretap/wtap.h>     /* wtap_rec: a complete type only through this header from 4.2 on */
#include <epan/column-info.h> /* column_info's fields (rst_has_column) */

#define RST_WS_VERSION_AT_LEAST(major, minor) \
    (WIRESHARK_VERSION_MAJOR > (major) \
     || (WIRESHARK_VERSION_MAJOR == (major) && WIRESHARK_VERSION_MINOR >= (minor)))

/* A boolean preference's variable: gboolean up to 4.2 (4.0.17's and 4.2.6's
 * epan/prefs.h), bool from 4.4 on (4.4.19's and 4.6's). */
#if RST_WS_VERSION_AT_LEAST(4, 4)
#include <stdbool.h>
typedef bool rst_pref_bool;
#else
typedef gboolean rst_pref_bool;
#endif

/* The capture interface a frame came from (0 when the file has none). */
static inline guint32 rst_frame_interface_id(const packet_info *pinfo)
{
    if (pinfo->rec && (pinfo->rec->presence_flags & WTAP_HAS_INTERFACE_ID))
        return pinfo->rec->rec_header.packet_header.interface_id;
    return 0;
}

/* The name of a capture interface of the frame's file. From 4.4 on it takes
 * the frame's section too, as a pcapng file may hold several (4.2.6's
 * epan/epan.h still has the two-argument form, 4.4.0's the three). */
static inline const char *rst_interface_name(const packet_info *pinfo, guint32 interface_id)
{
#if RST_WS_VERSION_AT_LEAST(4, 4)
    return epan_get_interface_name(pinfo->epan, interface_id,
                                   pinfo->rec ? pinfo->rec->section_number : 0);
#else
    return epan_get_interface_name(pinfo->epan, interface_id);
#endif
}

/* Whether the columns being filled include one of a format (COL_EXPERT):
 * col_first is -1 for formats no column has. */
static inline gboolean rst_has_column(const column_info *cinfo, int format)
{
    return cinfo && cinfo->col_first && cinfo->col_first[format] >= 0;
}

/* Plugins describe their kind from 4.4 on (wsutil/plugins.h: plugin_describe,
 * WS_PLUGIN_DESC_*; absent from 4.2.6's headers). */
#if RST_WS_VERSION_AT_LEAST(4, 4)
#include <wsutil/plugins.h>
#define RST_PLUGIN_DESCRIBE \
    WS_DLL_PUBLIC uint32_t plugin_describe(void); \
    uint32_t plugin_describe(void) \
    { \
        return WS_PLUGIN_DESC_DISSECTOR | WS_PLUGIN_DESC_TAP_LISTENER; \
    }
#else
#define RST_PLUGIN_DESCRIBE
#endif

#endif /* RST_COMPAT_H */
