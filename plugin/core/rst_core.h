/* rst_core.h: why was this TCP RST sent, and was it forged on the path?
 *
 * The classification core of rst-explain.  It knows TCP and IP and nothing
 * of Wireshark: segments go in (in capture order, read from frames by
 * rst_frame.h), a verdict with its evidence comes out for every RST.  The
 * Wireshark layer (packet-rst.c) only says what its dissectors found, feeds
 * the segments here and renders the verdict.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RST_CORE_H
#define RST_CORE_H

#include "rst_frame.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Why a RST was sent.  The names (rst_cause_name) are the public values of
 * the rst.cause field; scripts depend on them. */
enum rst_cause {
    RST_CAUSE_UNKNOWN = 0,
    RST_CAUSE_REFUSED,
    RST_CAUSE_NO_CONNECTION,
    RST_CAUSE_ACCEPT_QUEUE_OVERFLOW,
    RST_CAUSE_ABORT,
    RST_CAUSE_DATA_AFTER_CLOSE,
    RST_CAUSE_INVALID_SEGMENT,
    RST_CAUSE_KEEPALIVE_TIMEOUT,
    RST_CAUSE_RETRANSMISSION_TIMEOUT,
    RST_CAUSE_IDLE_TIMEOUT,
    RST_CAUSE_INJECTED,
    RST_CAUSE_COUNT
};

/* What a RST cost (rst_impact.c).  The names (rst_impact_name) are the
 * public values of the rst.impact field. */
enum rst_impact {
    RST_IMPACT_UNKNOWN = 0,       /* the capture cannot tell */
    RST_IMPACT_NONE,              /* nothing lost or left unanswered */
    RST_IMPACT_DATA_LOST,         /* data thrown away or left unanswered */
    RST_IMPACT_CONNECTION_FAILED, /* a connection attempt ended */
    RST_IMPACT_COUNT
};

/* The bytes behind a data-lost impact, each with the frame that shows it
 * (0 where the count is 0). */
struct rst_loss {
    uint32_t receiver_unacked; /* bytes the RST's receiver sent (before it, or in flight
                                * after it) that its sender never acknowledged */
    uint32_t receiver_frame;   /* the receiver's last segment of them, or of the bytes
                                * first acknowledged */
    uint32_t first_acked;      /* bytes the RST acknowledges for the first time: read by
                                * the sender's TCP, thrown away unread (frame: the RST) */
    uint32_t sender_unacked;   /* the sender's own bytes its peer never acknowledged */
    uint32_t sender_frame;     /* the sender's last segment of them */
    uint32_t unanswered;       /* the connection's last data, a request, that got no
                                * answer before the RST */
    uint32_t unanswered_frame; /* the request's first segment */
    uint32_t receiver_seq;     /* where the receiver's and the sender's counted bytes */
    uint32_t sender_seq;       /* begin: an ACK after the RST past it shows they arrived */
    uint32_t unanswered_seq;   /* where the request begins */
    uint8_t unanswered_from;   /* enum rst_role: who asked */
    bool lower_bound;          /* the capture missed part of the sequence space */
};

/* Who sent the RST, by who sent the SYN. */
enum rst_role { RST_ROLE_UNKNOWN = 0, RST_ROLE_CLIENT, RST_ROLE_SERVER };

/* The pieces of evidence that a device on the path forged the RST; where
 * each comes from is in rst_score.c and docs/evidence.md. */
enum rst_evidence_kind {
    RST_EV_TTL = 0,       /* TTL / hop limit differs from the claimed sender's */
    RST_EV_MAC,           /* source MAC differs from the claimed sender's */
    RST_EV_SEQ_ZERO,      /* seq 0 where the RST generation rule forbids it */
    RST_EV_RACE,          /* the claimed sender goes on sending after "its" RST */
    RST_EV_BURST_SEQ,     /* RSTs of a burst with rising seq */
    RST_EV_BURST_WINDOW,  /* RSTs of a burst with consecutive windows */
    RST_EV_BURST_TTL,     /* RSTs of a burst with changing TTLs */
    RST_EV_WINDOW,        /* a window no stack puts on such a RST */
    RST_EV_ACK,           /* an ACK number that matches nothing the receiver sent */
    RST_EV_NO_TIMESTAMPS, /* no timestamps although the connection negotiated them */
    RST_EV_TIMESTAMP,     /* a timestamp off the claimed sender's clock */
    RST_EV_IP_ID,         /* an IP ID off the claimed sender's counter */
    RST_EV_TIMING,        /* sooner than the claimed sender can answer */
    RST_EV_CONTRADICTION, /* not a reply, from a host that had reset the connection */
    RST_EV_COUNT
};

/* Tunables (Wireshark preferences). */
struct rst_params {
    unsigned threshold;            /* suspicion at which a RST counts as injected */
    unsigned weight[RST_EV_COUNT]; /* what each kind of evidence adds (TTL off by one
                                    * hop and timing under half the reply time: 5/8) */
    unsigned keepalive_probes;     /* unanswered probes before keepalive-timeout */
    unsigned retransmissions;      /* unanswered retransmissions before retransmission-timeout */
    unsigned idle_seconds;         /* silence before idle-timeout */
    unsigned burst_ms;             /* RSTs closer than this form a burst */
    bool netscaler_codes;          /* read a window in Citrix's table as a NetScaler
                                    * reset code (RSTs otherwise consistent only) */
};

void rst_params_default(struct rst_params *params);

/* The two signs a window can be. */
enum rst_window_sign {
    RST_WINDOW_ON_REPLY = 0, /* nonzero on a reply RST, which stacks send with 0 */
    RST_WINDOW_OFF_SENDER,   /* far from what the sender's packets advertise */
};

/* The three signs an IP ID can be. */
enum rst_ip_id_sign {
    RST_IP_ID_JUMP = 0, /* off the sender's counter (a step of 0 or a leap) */
    RST_IP_ID_FIXED,    /* 0 or 1 where the sender counts */
    RST_IP_ID_REPEATED, /* on the counter, but repeated across a burst */
};

struct rst_evidence {
    enum rst_evidence_kind kind;
    unsigned weight;                  /* what it added to the suspicion score */
    uint32_t ref_frame;               /* the packet compared against, 0 if none */
    bool other_connection;            /* ref_frame belongs to another connection of the host */
    enum rst_window_sign window_sign; /* RST_EV_WINDOW: which */
    enum rst_ip_id_sign ip_id_sign;   /* RST_EV_IP_ID: which */
    bool repeated;                    /* IP ID: also repeated across a burst */
    int64_t observed, expected;       /* TTL, window, IP ID, timestamp; timing: microseconds */
    uint8_t observed_mac[6], expected_mac[6];
};

/* What a RST says about its own reason (rst_diag.c): its payload (RFC 1122
 * 4.2.2.12 reset text, the TCPM working group's diagnostic payload and the
 * individual drafts' layouts before it, an F5 BIG-IP reset cause), its
 * Multipath TCP options (RFC 8684 3.5, 3.6), or a Citrix NetScaler reset
 * code in its window. */
enum rst_diag_format {
    RST_DIAG_NONE = 0,    /* no payload */
    RST_DIAG_DATA,        /* a payload that is neither of the below */
    RST_DIAG_MALFORMED,   /* a diagnostic magic number, or an MPTCP reset option, with a
                           * bad body (ignored, draft 3.2; RFC 8684 3.6) */
    RST_DIAG_COMPACT,     /* 0x33AA: reason code + private enterprise number */
    RST_DIAG_DESCRIPTION, /* 0xF317: UTF-8 description (individual drafts -14 to -16) */
    RST_DIAG_TEXT,        /* plain text (RFC 1122); an F5 BIG-IP reset cause */
    RST_DIAG_CBOR,        /* CBOR sequence [12345, {1: code, 2: PEN, 3: text}]
                           * (individual drafts -00 to -12) */
    RST_DIAG_MPTCP,       /* MP_TCPRST and / or MP_FASTCLOSE (RFC 8684) */
    RST_DIAG_WINDOW       /* a NetScaler reset code in the window (verdict time) */
};

/* Whose convention a statement follows, where it is a vendor's. */
enum rst_diag_vendor { RST_VENDOR_NONE = 0, RST_VENDOR_F5, RST_VENDOR_NETSCALER };

#define RST_DIAG_TEXT_MAX 200 /* bytes of text the core keeps */

/* MP_TCPRST flags (RFC 8684 3.6, figure 16): the low nibble of its third byte. */
#define RST_MPTCP_FLAG_T 0x1 /* transient: the error may go away, a new subflow may work */

struct rst_diag {
    enum rst_diag_format format;
    enum rst_diag_vendor vendor;
    bool has_code;       /* code below holds one */
    uint16_t code;       /* compact / CBOR: reason code; MPTCP: MP_TCPRST reason;
                          * window: the NetScaler code */
    uint32_t pen;        /* compact / CBOR: 0 = IANA TCP Failure Causes registry */
    const uint8_t *text; /* description / text / CBOR: valid UTF-8, not terminated */
    size_t text_len;
    bool text_truncated;      /* the capture or RST_DIAG_TEXT_MAX cut it short */
    uint32_t uncaptured;      /* payload bytes the capture did not keep (snap length) */
    uint8_t mptcp_flags;      /* MPTCP: MP_TCPRST's U V W T bits */
    uint32_t fastclose_frame; /* MPTCP: the frame with MP_FASTCLOSE (the RST itself, or an
                               * earlier segment of the connection), 0: none */
    bool fastclose_by_peer;   /* ... sent by the RST's receiver: this RST answers it */
    /* F5 BIG-IP: "BIG-IP: [0x<value>:<line>] {peer} <cause>" (the value and line of
     * F5's code that reset, the "{peer}" marker, the cause from cause_offset) */
    uint64_t f5_value;
    uint16_t f5_line;
    bool f5_peer;
    uint8_t cause_offset;
};

/* Decodes a RST payload; caplen bytes of payload_len were captured.  Text
 * points into the payload and is cut to whole characters. */
void rst_diag_parse(const uint8_t *payload, size_t caplen, uint32_t payload_len,
                    struct rst_diag *diag);
/* What a segment states: its MPTCP reset options, else its payload. */
void rst_diag_read(const struct rst_segment *seg, struct rst_diag *diag);
/* A NetScaler reset code in a RST's window, read as one (the caller decides
 * whether the RST is consistent with its claimed sender): false if the
 * window is no code of Citrix's table. */
bool rst_diag_window(uint16_t window, struct rst_diag *diag);
/* The IANA registry name of a reason code (PEN 0), NULL if unassigned. */
const char *rst_diag_reason_name(uint16_t code);
/* The meaning of a statement's code in its own registry (IANA, RFC 8684,
 * Citrix), NULL if none is known. */
const char *rst_diag_reason(const struct rst_diag *diag);
/* The cause a statement names plainly, else RST_CAUSE_UNKNOWN. */
enum rst_cause rst_diag_cause(const struct rst_diag *diag);
const char *rst_diag_format_name(enum rst_diag_format format);
const char *rst_diag_vendor_name(enum rst_diag_vendor vendor); /* NULL for none */
/* Citrix CTX200852 (rst_netscaler.c). */
const char *rst_netscaler_reason(uint16_t code);
enum rst_cause rst_netscaler_cause(uint16_t code);

/* The same RST, or its absence, at another capture point of the same
 * capture (rst_vantage.c): interfaces of a merged file, or the links a
 * merge that collapsed the interfaces shows (told apart by their MACs). */
struct rst_vantage {
    uint32_t peer_frame;      /* the same RST seen at another capture point, 0: not seen */
    bool unseen;              /* proven forged: a capture point nearer its claimed sender,
                               * which that sender's other packets pass, never saw it */
    uint32_t ref_frame;       /* unseen: the claimed sender's packet at that point */
    uint32_t other_interface; /* the other capture point's interface */
    bool other_mac_known;     /* ... and, where one interface holds several links, */
    uint8_t other_mac[6];     /* the MAC at the claimed sender's end of its link */
};

#define RST_EXPLANATION_MAX 2048

struct rst_verdict {
    /* A RST's causes, in the order the verdict decides them (rst_verdict.c): */
    enum rst_cause wire_cause;   /* read from the connection, as if its claimed sender
                                  * sent it */
    enum rst_cause stated_cause; /* what the RST states itself (a registered reason
                                  * code), RST_CAUSE_UNKNOWN where it states none */
    enum rst_cause face_value;   /* the stated cause where there is one, else the wire
                                  * cause: what it means if its claimed sender sent it */
    enum rst_cause final_cause;  /* injected where forged, else the face value */
    enum rst_role sender;
    char sender_address[48];   /* the address the RST claims to come from */
    char server_address[48];   /* the connection's server (who got the SYN), "" if unknown */
    uint32_t answers_frame;    /* the segment this RST replies to, 0 if none */
    uint32_t after_frame;      /* the RST that had already ended the connection */
    int acceptable;            /* would the receiver accept it: 1, 0, -1 unknown */
    const char *accept_reason; /* why (static string), NULL if unknown */
    unsigned suspicion;        /* 0..100 */
    bool injected;
    unsigned n_evidence;
    struct rst_evidence evidence[RST_EV_COUNT];
    struct rst_diag diag;    /* the RST's own statement; text lives as long as the core */
    bool window_code_unread; /* its window is a NetScaler code, not read as one: the RST
                              * shows other signs of forgery */
    struct rst_vantage vantage;
    bool first_sighting;        /* not a mirrored copy, nor seen at another capture
                                 * point earlier: statistics count it */
    uint32_t distance_frame[2]; /* its sender sent only RSTs, from two distances: a
                                 * RST of each (0: not so) and its TTL / hop limit */
    uint8_t distance_ttl[2];
    enum rst_impact impact; /* decided last, from the final cause (rst_impact.c) */
    uint32_t impact_bytes;  /* the loss's counts added up (saturating) */
    uint32_t impact_frame;  /* the RST that counts this one's loss instead: the one that had
                             * ended the connection, or the original of a copy; 0: none */
    struct rst_loss loss;
    char explanation[RST_EXPLANATION_MAX];
};

struct rst_core;

struct rst_core *rst_core_new(void);
void rst_core_free(struct rst_core *core);
/* Keys the hash of the core's tables (rst_hash.c) before the first segment:
 * a capture file is input an attacker may write, and keys they do not know
 * keep them from choosing connections that all land in one probe cluster.
 * The Wireshark layer gives each file a random key; verdicts never depend
 * on it (the tables are only looked up, never walked in slot order).
 * False, and nothing changed, once a segment has been fed. */
bool rst_core_set_hash_key(struct rst_core *core, uint64_t k0, uint64_t k1);

/* Feeds one segment; call once per segment, in capture order.  Returns the
 * id (> 0) under which the verdict of a RST can be asked for, 0 for other
 * segments (and when memory runs out). */
uint32_t rst_core_add(struct rst_core *core, const struct rst_segment *seg,
                      const struct rst_params *params);

/* The verdict on a RST from everything fed so far: segments after the RST
 * (the real SYN-ACK arriving late) count as soon as they have been fed.
 * The explanation is written only if explain: it is most of the cost of a
 * verdict, and a filter or a field list that asks for neither the
 * explanation nor expert information does not read it.  False for an
 * unknown id. */
bool rst_core_verdict(const struct rst_core *core, uint32_t rst_id, const struct rst_params *params,
                      bool explain, struct rst_verdict *verdict);

/* The RST id of a frame, 0 if its segment was no RST (or was never fed).
 * Records are made in frame order (a first pass is sequential): a search,
 * from where the last one ended, so that a pass in frame order costs a
 * comparison or two a frame and no memory per RST.  A frame fed out of
 * order may not be found: rst_core_add's id is the one to keep then. */
uint32_t rst_core_rst_of_frame(struct rst_core *core, uint32_t frame);

/* Bytes the core holds, for the benchmark. */
size_t rst_core_memory(const struct rst_core *core);
size_t rst_core_connections(const struct rst_core *core);
size_t rst_core_hosts(const struct rst_core *core);
/* The longest run of occupied slots in any of the core's indexes: the most
 * slots one lookup can walk (tests of crafted, colliding keys). */
size_t rst_core_longest_cluster(const struct rst_core *core);

const char *rst_cause_name(enum rst_cause cause);
const char *rst_evidence_name(enum rst_evidence_kind kind); /* "ttl_delta", "race", ... */
const char *rst_role_name(enum rst_role role);
const char *rst_impact_name(enum rst_impact impact); /* "none", "data-lost", ... */

/* The verdict in one short line (under 100 characters): who sent the RST
 * and what it cost, "from the server, lost 1082 bytes" (rst_text.c).  The
 * tree's first line and the expert entries say it after the cause. */
void rst_summary(const struct rst_verdict *v, char *buf, size_t size);

/* The explanation one line at a time, for a tree that cuts labels at 240
 * characters: the length of text's first line, at most max characters,
 * ending with a sentence where one ends within max, else after a clause or
 * a word; *next: where the next line begins (strlen(text) at the end). */
size_t rst_text_line(const char *text, size_t max, size_t *next);

/* "203.0.113.2" / "2001:db8::2" (RFC 5952); buf of at least 46 bytes. */
void rst_format_address(uint8_t ip_version, const uint8_t *addr, char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* RST_CORE_H */
