/* rst_state.h: what the core keeps about connections, hosts and RSTs.
 *
 * State is kept per connection and per host, never per packet; the only
 * per-packet records are those of RST segments (their verdicts must be
 * rendered again whenever Wireshark shows the frame).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RST_STATE_H
#define RST_STATE_H

#include "rst_core.h"

#include <stddef.h>

/* Sequence-space comparisons modulo 2^32 (RFC 9293 3.4). */
static inline bool seq_lt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}
static inline bool seq_gt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) > 0;
}
static inline bool seq_leq(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) <= 0;
}

/* Sequence space a segment occupies: SYN and FIN count one each. */
static inline uint32_t seg_space(uint8_t flags, uint32_t payload_len)
{
    return payload_len + ((flags & RST_TH_SYN) ? 1 : 0) + ((flags & RST_TH_FIN) ? 1 : 0);
}

/* The last non-RST segment an endpoint sent: what its peer's RST may answer. */
struct rst_last_seg {
    uint32_t frame; /* 0: none yet */
    uint32_t seq, ack;
    uint32_t len;
    int64_t time_us;
    uint16_t window; /* raw */
    uint8_t flags;
    bool fastclose; /* it carried MP_FASTCLOSE (RFC 8684 3.5 option A: RSTs answer it) */
};

/* One of a side's earlier runs of segments with one ACK (a host without the
 * connection answers each alike): its last segment, and how long it lasted. */
struct rst_run {
    int64_t last_us;
    uint32_t frame, ack;
    uint32_t span_us; /* first to last segment of the run, saturating */
    uint16_t len;     /* saturating */
    uint8_t flags;
};

/* A host that lost the connection answers each of the peer's segments in
 * flight, in turn: as many late replies as the peer sent ACKs in one round
 * trip.  Six earlier runs cover a 64 KB window of ACKs for every other
 * full-size segment (delayed ACK) as far as 8 segments per run. */
#define RST_RUNS 6

/* A side's runs before its latest, newest first.  Kept apart from the side
 * and made when its ACK first moves on: a connection that never got past
 * its handshake (a port scan's, a SYN flood's) has none. */
struct rst_runs {
    struct rst_run run[RST_RUNS];
};

/* One endpoint of a connection, from its non-RST segments. */
struct rst_side {
    struct rst_last_seg last;
    int64_t ts_first_time, ts_last_time; /* its RFC 7323 clock: first and last */
    int64_t run_time; /* first of its latest segments a reply would answer alike */
    int64_t syn_time; /* its SYN or SYN-ACK's capture time */
    uint32_t ts_first, ts_last;
    uint32_t host; /* index + 1 into the host table */
    uint32_t runs; /* its earlier runs (struct rst_runs, index + 1), 0: none yet */
    uint32_t first_frame;
    uint32_t syn_frame; /* its SYN or SYN-ACK, 0: none seen */
    uint32_t isn;
    uint32_t snd_max;   /* highest sequence number sent + 1 */
    uint32_t fin_frame; /* its first FIN, 0: none */
    uint32_t rst_frame; /* its first RST, 0: none */
    uint32_t ttl_frame; /* first packet, the TTL / MAC reference */
    uint32_t mac_frame;
    uint32_t max_ack;     /* highest ACK it sent */
    uint32_t retrans_seq; /* the data being retransmitted */
    uint32_t response_us; /* fastest reply to the peer seen here, 0: none */
    uint32_t response_frame;
    uint32_t pending_rsts;     /* newest of its RSTs not yet followed by its traffic */
    uint32_t last_rst;         /* its newest RST (id) */
    uint32_t reset_rst;        /* its newest RST that ended its connection (id), 0: none */
    uint32_t data_frame;       /* its last segment carrying new data, 0: none */
    uint32_t run_bytes;        /* new data since the peer's last (saturating): a request */
    uint32_t run_frame;        /* ... or an answer, and its first segment */
    uint32_t gap_end;          /* the end of the holes in its sequence space (gap) */
    uint16_t retransmissions;  /* retransmissions of retrans_seq, unanswered */
    uint16_t keepalives;       /* keepalive probes in a row, unanswered */
    uint16_t ip_id;            /* IP ID of its last packet with a nonzero one */
    uint16_t win_min, win_max; /* raw windows of its non-SYN packets */
    uint8_t ip_id_steps_ok;    /* consecutive IP IDs 1..64 apart (saturating) */
    uint8_t ip_id_steps_bad;   /* ... further apart */
    uint8_t ttl_min, ttl_max;
    uint8_t ttl_first;  /* its first packet's: packets far off it are suspect */
    uint8_t syn_ttl;    /* its SYN or SYN-ACK's TTL and MAC: the anchor of its */
    uint8_t syn_mac[6]; /* TTL / MAC baseline (agrees_with_handshake) */
    bool syn_has_mac;
    uint8_t mac[6];
    uint8_t wscale; /* its window scale shift, if offered */
    bool snd_known;
    bool ack_known;
    bool mac_known;
    bool mac_varies; /* its packets carry several source MACs: no MAC evidence */
    bool ts_offered; /* its SYN carried timestamps */
    bool ts_seen;
    bool wscale_offered;
    bool ip_id_known;
    bool win_known;
    /* Two flags in one byte: the side fits its 8-byte alignment. */
    bool acked_peer_syn : 1; /* it acknowledged the peer's SYN (the handshake completed) */
    bool gap : 1;            /* a segment began past its highest sequence number: the
                              * capture missed some of what it sent (up to gap_end) */
};

/* What a host's packets look like across all its connections at one capture
 * point: the reference for a RST with nothing of its claimed sender in its
 * own connection (a RST answering a SYN).  Its key: the address, where it is
 * matched across capture points (group: the tunnel's view inside a tunnel,
 * 0 outside), the view, and where one view holds several links (a merge
 * that collapsed two capture points' interfaces) the MAC at the host's end
 * of the link. */
struct rst_host {
    uint32_t group;
    uint8_t ip_version;
    uint8_t addr[16];
    uint32_t view;
    uint8_t link_mac[6]; /* zero unless the view holds several links */
    uint8_t ttl_min, ttl_max;
    uint8_t mac[6];
    bool mac_known, mac_varies;
    bool split; /* an entry without link: the address is seen on several
                 * links of the view, its connections use those entries */
    uint32_t ttl_frame, mac_frame;
    uint32_t response_us, response_frame;
    uint32_t interface_id;     /* the capture interface of the view */
    int64_t first_us, last_us; /* its first and last packet here */
    int64_t lag_us;            /* its packets' time here minus at lag_host's point, measured
                                * on one SYN seen at both (path delay and clock offset) */
    uint32_t lag_host;         /* that entry (index + 1), 0: not measured */
    uint32_t last_frame;
    uint32_t next_point;    /* the same address at another capture point (index + 1,
                             * a ring), 0: none */
    uint32_t rst_frame;     /* its first RST here, and the first RST in its name at */
    uint32_t far_rst_frame; /* another distance (more than two hops off), 0: none */
    uint8_t rst_ttl, far_rst_ttl;
};

/* Where a host is matched across capture points, and its whole key. */
#define HOST_TUPLE_LEN offsetof(struct rst_host, view)
#define HOST_KEY_LEN (offsetof(struct rst_host, link_mac) + 6)

/* A connection: the tuple (matched across capture points as the host's
 * address is), the view, and the link within the view (point; 0 unless a
 * collapsed merge puts several links on one interface). */
struct rst_conn_key {
    /* The tuple, first: matched across capture points. */
    uint32_t group;
    uint16_t port[2];
    uint8_t addr[2][16]; /* endpoint 0 sorts before endpoint 1 */
    uint8_t ip_version;
    /* Where: the link within the view, and the view (in this order, which
     * leaves no more padding than the tuple's last byte needs). */
    uint8_t point;
    uint32_t view;
};

#define TUPLE_KEY_LEN offsetof(struct rst_conn_key, point)

/* Links one view may hold (capture points of a collapsed merge). */
#define RST_POINTS_MAX 4

struct rst_conn {
    const struct rst_conn_key *key; /* in its small record (rst_store.h), which never moves */
    struct rst_side side[2];        /* indexed like key.addr */
    int64_t last_time_us;           /* last non-RST segment either way */
    uint32_t last_frame;
    uint32_t first_after_synack; /* the client's first segment after the SYN-ACK */
    uint32_t rst_count;
    uint32_t next_point;   /* the same connection at another capture point (index + 1,
                            * a ring), 0: none */
    uint32_t interface_id; /* the capture interface of its view */
    uint8_t link[2][6];    /* the MAC at each end of the link it was first seen on */
    bool link_known;
    bool split;              /* its view holds several links: hosts are keyed by link */
    bool point_ttl_known[2]; /* without MACs, a point is told by the TTL each side's */
    uint8_t point_ttl[2];    /* packets have there */
    int8_t client;           /* side that sent the SYN, -1: unknown */
    int8_t last_data;        /* side that last sent new data, -1: none yet */
};

/* How a RST was built (rst_classify.c). */
enum rst_shape {
    RST_SHAPE_OTHER = 0, /* fits neither rule */
    RST_SHAPE_REPLY,     /* a reply to a segment: <SEQ=SEG.ACK> or <SEQ=0><ACK=...> */
    RST_SHAPE_ACTIVE,    /* at the sender's own next sequence number */
};

/* Would the receiver accept the RST (RFC 9293 3.10.7, RFC 5961 3.2)? */
enum rst_accept {
    RST_ACCEPT_UNKNOWN = 0,
    RST_ACCEPT_ACKS_SYN,       /* yes: SYN-SENT, it acknowledges the SYN */
    RST_ACCEPT_RCV_NXT,        /* yes: seq = RCV.NXT */
    RST_ACCEPT_SYN_SENT_NO,    /* no: SYN-SENT and it does not acknowledge the SYN */
    RST_ACCEPT_SYN_SENT_TSECR, /* no: SYN-SENT and its timestamp echo is not the SYN's */
    RST_ACCEPT_IN_WINDOW,      /* no: in the window, not RCV.NXT: challenge ACK */
    RST_ACCEPT_OUT_OF_WINDOW,  /* no: outside the receive window */
    RST_ACCEPT_NOT_RCV_NXT,    /* no: not RCV.NXT (window unknown) */
};

/* Which rule of its wire cause a RST met, where a cause has several
 * (rst_classify.c), and what it cites besides the segment it answers. */
enum rst_wire_case {
    RST_WIRE_PLAIN = 0,
    RST_WIRE_PEER_RESET,      /* no-connection: the sender had accepted a RST for the
                               * connection (cites.reset_frame) */
    RST_WIRE_OWN_RESET,       /* no-connection: the sender had reset the connection
                               * itself (cites.reset_frame) */
    RST_WIRE_UNREAD_DATA,     /* abort: it acknowledges data never acknowledged before */
    RST_WIRE_NO_PEER_SEGMENT, /* unknown: nothing from the peer to answer */
    RST_WIRE_NO_MATCH,        /* unknown: it matches no segment of the peer */
    RST_WIRE_ACK_NOT_SYN,     /* invalid-segment: a SYN-ACK acknowledging something
                               * other than the SYN */
    RST_WIRE_SYN_RECEIVED,    /* invalid-segment: an unacceptable ACK in SYN-RECEIVED */
    RST_WIRE_NOT_SYN_ACK,     /* invalid-segment: not the SYN-ACK that SYN-SENT waits for */
    RST_WIRE_ACK_UNSENT,      /* invalid-segment: an ACK of bytes the sender never sent
                               * (cites.unsent_bytes) */
    RST_WIRE_ACK_ELSEWHERE,   /* invalid-segment: an ACK far from anything the sender sent
                               * (sequence numbers rewritten on the path?) */
};

/* What a wire cause cites besides the segment answered: one member per cause. */
union rst_wire_cites {
    uint32_t reset_frame;  /* no-connection after a RST (RST_WIRE_*_RESET) */
    uint32_t synack_frame; /* accept-queue-overflow: the server's SYN-ACK */
    uint32_t fin_frame;    /* data-after-close: the sender's FIN */
    uint32_t unsent_bytes; /* invalid-segment, RST_WIRE_ACK_UNSENT */
    struct {
        uint32_t count; /* keepalive probes, or retransmissions of the same data */
        uint32_t last_frame;
    } unanswered; /* keepalive-timeout, retransmission-timeout */
    struct {
        uint32_t seconds;
        uint32_t last_frame; /* the last segment before the silence */
    } silence;               /* idle-timeout */
};

/* What is fixed about a RST when it is fed: its own header and the state of
 * the connection just before it.  Evidence from later packets comes from the
 * connection at verdict time, or is filled in here by later segments (the
 * race, the other RSTs of a burst).
 *
 * Its fields in four groups, each written by one file:
 * - the segment (rst_records.c): frame, time_us, conn, from, seq, ack,
 *   tsval, window, flags, ttl, mac, ip_id and the sender's previous one
 *   (prev_ip_id), the has_* flags, window_cut, options_cut, diag;
 * - its wire cause (rst_classify.c): answers_frame, answered_len,
 *   answered_flags, trigger_frame, trigger_time_us, trigger_run_us,
 *   wire_cause, wire_case, cites, shape, accept, mid_connection,
 *   keeps_connection;
 * - its forgery facts (rst_score.c): seq_zero_*, ack_mismatch, race_frame,
 *   burst_*, burst_frame, ip_id_repeat, copies and copy_of (which
 *   rst_records.c finds);
 * - its place among its sender's RSTs (rst_records.c): prev_rst,
 *   prev_pending, own_reset, first_reset;
 * - what it cost (rst_impact.c): loss, before_established, sequence_gap.
 * The fields stand by size, not by group, so that the record has no padding:
 * there is one per RST, and a port scan has millions (State sizes in
 * docs/design.md). */
struct rst_record {
    int64_t time_us;
    int64_t trigger_time_us; /* the segment it reacts to, if known */
    int64_t trigger_run_us;  /* the first earlier segment a reply would answer alike */
    uint32_t frame;
    uint32_t conn;          /* index into the connection store */
    uint32_t answers_frame; /* the segment it replies to */
    union rst_wire_cites cites;
    uint32_t seq_zero_ref; /* the packet that makes seq 0 wrong */
    uint32_t answered_len; /* payload of the answered segment */
    uint32_t trigger_frame;
    uint32_t race_frame;   /* the claimed sender's first packet after the RST */
    uint32_t prev_pending; /* older RST of the same sender awaiting its race frame */
    uint32_t burst_frame;  /* another RST of the same burst */
    uint32_t prev_rst;     /* the same sender's previous RST (id) */
    uint32_t own_reset;    /* the same sender's newest earlier RST that ended its
                            * connection (id), 0: none; forged ones are skipped at
                            * verdict time (rst_verdict.c own_reset_before) */
    uint32_t first_reset;  /* the first of those (own_reset's first_reset, or own_reset):
                            * where a long run of late replies began, in one step */
    uint32_t diag;         /* its payload's statement (diag store index + 1), 0 if none */
    uint32_t copy_of;      /* the RST (id) it is a mirrored copy of, 0 if none */
    uint32_t loss;         /* what it threw away (loss store index + 1), 0 if nothing */
    uint32_t seq, ack;
    uint32_t tsval;
    uint16_t window;
    uint16_t ip_id, prev_ip_id;
    uint8_t flags;
    uint8_t ttl;
    uint8_t mac[6];
    uint8_t from;           /* side index of the claimed sender */
    uint8_t wire_cause;     /* enum rst_cause: as if its claimed sender sent it */
    uint8_t answered_flags; /* TCP flags of the answered segment */
    uint8_t wire_case;      /* enum rst_wire_case */
    uint8_t shape;          /* enum rst_shape */
    uint8_t accept;         /* enum rst_accept */
    uint8_t copies;         /* identical RSTs of the same sender just before it;
                             * a copy: which one it is (1, 2, ...) */
    /* Flags a bit each: a port scan has a record per connection. */
    bool has_mac : 1;
    bool has_ts : 1;
    bool has_ip_id : 1, has_prev_ip_id : 1;
    bool seq_zero_forbidden : 1;    /* seq 0 where the generation rule forbids it */
    bool seq_zero_after_synack : 1; /* ... because the sender had sent its SYN(-ACK) */
    bool mid_connection : 1;        /* no handshake seen before this RST */
    bool ack_mismatch : 1;          /* its ACK matches nothing the receiver sent */
    bool keeps_connection : 1;      /* a reply that leaves the sender's connection open */
    bool burst_seq : 1, burst_window : 1, burst_ttl : 1, ip_id_repeat : 1;
    bool window_cut : 1, options_cut : 1; /* the snap length cut its window / options */
    bool before_established : 1;          /* the handshake had not completed */
    bool sequence_gap : 1;                /* the capture had missed part of either side's
                                           * sequence space: a loss of 0 proves nothing */
};

#endif /* RST_STATE_H */
