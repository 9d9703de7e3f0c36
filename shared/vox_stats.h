/* SPDX-License-Identifier: BSD-3-Clause */
/* vox_stats.h — per-lcore counters in the shm stats block, with a self-describing directory. */
#ifndef VOX_STATS_H
#define VOX_STATS_H

#include <stdint.h>

#include "vox_abi.h"

/*
 * One X-macro list generates the row struct, the drop-reason enum and the directory that
 * voxctl reads. Readers never use struct vox_stats_row: they look fields up by name in the
 * directory, so a module adds counters here without an ABI change for them (a voxctl built
 * earlier prints the new fields too).
 *
 * Writers: row w is written only by worker w (row n_workers by the main lcore), with plain
 * stores; each field is a naturally aligned u64, so readers see whole values.
 *
 * X(name, kind, help). kind: C = counter (monotonic), G = gauge (current value).
 */

/* Drop reasons: a dropped packet bumps exactly one of these (drop_<name>). */
#define VOX_DROP_REASONS(X)                                                                        \
	X(eth_short, "frame shorter than an Ethernet header")                                      \
	X(eth_seg, "segmented frame that does not fit in its first segment")                       \
	X(eth_dst, "destination MAC neither ours nor broadcast")                                   \
	X(eth_type, "ethertype not handled (IPv6, VLAN, ...)")                                     \
	X(arp_bad, "malformed or non-Ethernet/IPv4 ARP")                                           \
	X(arp_not_us, "ARP for an address that is not ours")                                       \
	X(arp_hold_full, "packet waiting for ARP resolution dropped: hold queue full")             \
	X(arp_table_full, "ARP table full, next hop not resolvable")                               \
	X(arp_unresolved, "ARP resolution timed out with packets held")                            \
	X(ip_short, "shorter than an IPv4 header")                                                 \
	X(ip_version, "IP version not 4")                                                          \
	X(ip_hdrlen, "IHL below 5 or beyond the packet")                                           \
	X(ip_len, "total length inconsistent with the frame")                                      \
	X(ip_csum, "bad IPv4 header checksum")                                                     \
	X(ip_not_us, "destination is not our address")                                             \
	X(ip_proto, "IP protocol not handled")                                                     \
	X(ip_src, "source address is broadcast, multicast or ours")                                \
	X(frag_port, "fragment of a datagram for a port that does not reassemble")                 \
	X(frag_fail, "reassembly failed (table full, overlap, too many fragments, timeout)")       \
	X(icmp_short, "ICMP message too short")                                                    \
	X(icmp_csum, "bad ICMP checksum")                                                          \
	X(icmp_type, "ICMP type not handled")                                                      \
	X(udp_short, "UDP header truncated")                                                       \
	X(udp_len, "UDP length inconsistent with the IP payload")                                  \
	X(udp_csum, "bad UDP checksum")                                                            \
	X(udp_port, "no service on the UDP port")                                                  \
	X(handoff_full, "handoff ring to the owning lcore full")                                   \
	X(tx_full, "NIC TX queue full")                                                            \
	X(no_mbuf, "mbuf pool empty")                                                              \
	X(frag_out, "outgoing datagram could not be fragmented")                                   \
	X(rx_out_full, "classified packet dropped: caller's per-turn output array full")           \
	X(no_route, "no next hop: off-subnet without gateway, or not a unicast peer")              \
	X(tx_bad, "outgoing packet malformed, too big or without headroom")                        \
	X(sip_parse, "SIP datagram not parseable enough to answer")                                \
	X(sip_resp, "malformed SIP response")                                                      \
	X(sip_nomatch, "SIP response matching no transaction")                                     \
	X(sip_not_ours, "SIP response whose branch is not ours")                                   \
	X(sip_txn_full, "SIP transaction table full")                                              \
	X(sip_no_dest, "SIP response with no usable destination")                                  \
	X(rtp_no_leg, "RTP/RTCP to a port with no live leg")                                       \
	X(rtp_bad, "malformed RTP")                                                                \
	X(rtp_stray, "RTP from a source the leg is not latched to")                            \
	X(srtp_auth, "SRTP/SRTCP packet failing authentication")                               \
	X(srtp_replay, "SRTP/SRTCP packet replayed or too old")                                \
	X(srtp_other, "SRTP/SRTCP packet not unprotectable (too short, no session)")           \
	X(rtcp_bad, "malformed RTCP compound")                                                     \
	X(bridge_stale, "relayed RTP for a leg no longer bridged to its source")                   \
	X(bridge_hold, "relayed RTP towards a bridged leg on hold (sendonly/inactive)")            \
	X(bridge_pt, "relayed RTP with a payload type the peer cannot take")                       \
	X(bridge_no_dtmf, "RFC 4733 event towards a bridged peer without telephone-event")        \
	X(bridge_no_dest, "relayed RTP for a peer with no media address yet")                      \
	X(bridge_ctl, "bridge set-up/tear-down message lost (no mbuf)")

#define VOX_STATS_CORE(X)                                                                          \
	X(loops, C, "poll loop turns")                                                             \
	X(idle_sleeps, C, "adaptive-mode sleeps after empty polls")                                \
	X(rx_pkts, C, "packets received from the NIC")                                             \
	X(rx_bytes, C, "bytes received from the NIC")                                              \
	X(tx_pkts, C, "packets sent to the NIC")                                                   \
	X(tx_bytes, C, "bytes sent to the NIC")                                                    \
	X(drops, C, "packets dropped (sum of drop_*)")                                             \
	X(arp_req_rx, C, "ARP requests received")                                                  \
	X(arp_rep_rx, C, "ARP replies received")                                                   \
	X(arp_req_tx, C, "ARP requests sent")                                                      \
	X(arp_rep_tx, C, "ARP replies sent")                                                       \
	X(arp_learned, C, "ARP entries learned or refreshed")                                      \
	X(arp_expired, C, "ARP entries expired")                                                   \
	X(arp_held_sent, C, "held packets sent after resolution")                                  \
	X(icmp_echo, C, "ICMP echo requests answered")                                             \
	X(udp_rx, C, "UDP datagrams accepted")                                                     \
	X(udp_echo, C, "UDP echo datagrams answered")                                              \
	X(frag_rx, C, "IPv4 fragments received")                                                   \
	X(frag_reasm, C, "datagrams reassembled")                                                  \
	X(frag_tx, C, "fragments sent")                                                            \
	X(handoff_tx, C, "packets handed to another lcore")                                        \
	X(handoff_rx, C, "packets received from another lcore")                                    \
	X(cmd_rx, C, "command records received from control")                                     \
	X(evt_tx, C, "event records sent to control")                                              \
	X(evt_info_dropped, C, "informational events dropped: event ring full")                    \
	X(evt_state_deferred, C, "state events deferred: event ring full (re-emitted later)")     \
	X(evt_reemitted, C, "state events re-emitted from leg state")                              \
	X(evt_truncated, C, "events whose payload was truncated")                                  \
	X(stale_handles, C, "commands naming a stale handle")                                      \
	X(bad_commands, C, "malformed or unknown commands")                                        \
	X(ctl_wakeups, C, "eventfd writes waking control")                                         \
	X(legs_created, C, "legs created")                                                         \
	X(legs_ended, C, "legs ended")                                                             \
	X(legs_deadline, C, "legs ended by their deadline")                                        \
	X(legs_active, G, "legs live now")                                                         \
	X(legs_full, C, "leg creations refused: table full")                                      \
	X(sip_rx_req, C, "SIP requests received (owner lcore)")                                   \
	X(sip_rx_invite, C, "SIP INVITE received")                                                 \
	X(sip_rx_ack, C, "SIP ACK received")                                                       \
	X(sip_rx_bye, C, "SIP BYE received")                                                       \
	X(sip_rx_cancel, C, "SIP CANCEL received")                                                 \
	X(sip_rx_options, C, "SIP OPTIONS received")                                               \
	X(sip_rx_other, C, "SIP requests of other methods received")                               \
	X(sip_rx_1xx, C, "SIP 1xx responses received")                                             \
	X(sip_rx_2xx, C, "SIP 2xx responses received")                                             \
	X(sip_rx_3456xx, C, "SIP 3xx-6xx responses received")                                      \
	X(sip_tx_req, C, "SIP requests sent (first transmissions)")                                \
	X(sip_tx_1xx, C, "SIP 1xx responses sent")                                                 \
	X(sip_tx_2xx, C, "SIP 2xx responses sent")                                                 \
	X(sip_tx_3xx, C, "SIP 3xx responses sent")                                                 \
	X(sip_tx_4xx, C, "SIP 4xx responses sent")                                                 \
	X(sip_tx_5xx, C, "SIP 5xx responses sent")                                                 \
	X(sip_tx_6xx, C, "SIP 6xx responses sent")                                                 \
	X(sip_retrans, C, "SIP retransmissions sent (timers A, E, G, 2xx)")                        \
	X(sip_absorbed, C, "SIP retransmitted requests/responses absorbed by transactions")        \
	X(sip_keepalive, C, "SIP CRLF keep-alives")                                                \
	X(sip_busy_503, C, "INVITEs refused 503: table full, control away or backed up")           \
	X(sip_acl_403, C, "INVITEs refused 403 by the source access list")                          \
	X(sip_offered, C, "calls offered to control")                                              \
	X(sip_decide_timeouts, C, "legs ended: control did not decide in time")                    \
	X(sip_orphan_2xx, C, "answers to INVITEs whose leg was gone: ACKed and BYEd")               \
	X(rtp_rx, C, "RTP packets accepted on legs")                                               \
	X(rtcp_rx, C, "RTCP packets received on legs")                                             \
	X(rtp_relatch, C, "legs that re-latched to a new media source")                            \
	X(rtp_tx, C, "RTP packets sent (playout)")                                                 \
	X(media_ticks, C, "20 ms media ticks run")                                                 \
	X(media_tick_slips, C, "media ticks missed (the tick came late)")                          \
	X(media_playing, G, "legs playing from the media pool")                                    \
	X(dtmf_rx, C, "DTMF key presses received (RFC 4733 and in-band)")                          \
	X(dtmf_inband, C, "DTMF key presses detected in-band")                                     \
	X(dtmf_dup, C, "RFC 4733 packets of an already reported event (retransmissions)")          \
	X(tones, C, "TONE/SILENCE operations started")                                             \
	X(collects, C, "COLLECT operations started")                                               \
	X(recordings, C, "recordings started")                                                     \
	X(recordings_active, G, "recordings in progress")                                          \
	X(record_bytes, C, "recorded audio bytes put in the bulk ring")                            \
	X(record_overflow, C, "recorded frames lost: bulk ring full")                              \
	X(record_peer_skipped, C, "relayed packets a bridged leg's recording skipped (not 20 ms)")  \
	X(term_active, G, "legs with terminating media state (jitter buffer, detectors)")          \
	X(term_full, C, "COLLECT/RECORD refused: terminating media table full")                    \
	X(term_evt_dropped, C, "DTMF events (ring full) or results (leg gone) dropped")             \
	X(term_evt_deferred, C, "DIGITS/RECORDING_DONE/MEDIA_DONE held for a full event ring")      \
	X(jb_late, C, "jitter buffer: packets arrived after their playout time")                   \
	X(jb_lost, C, "jitter buffer: frames missing at playout")                                  \
	X(jb_concealed, C, "jitter buffer: frames concealed (PLC)")                                \
	X(media_legs, G, "answered legs with media (last sweep of the leg table)")                \
	X(media_timeouts, C, "LEG_MEDIA_TIMEOUT: answered legs without RTP for rtp_timeout_ms")   \
	X(rtcp_tx, C, "RTCP compound reports sent (SR/RR + SDES)")                                 \
	X(rtcp_bye_tx, C, "RTCP BYE sent for legs that had media, when they end")                  \
	X(rtcp_tx_fail, C, "RTCP reports not sent (no address, no mbuf, SRTCP protect failed)")    \
	X(rtt_reports, C, "RTCP report blocks about our streams (RTT, peer loss, jitter)")         \
	X(srtp_ok, C, "SRTP/SRTCP packets unprotected")                                            \
	X(srtp_protected, C, "SRTP/SRTCP packets protected")                                       \
	X(srtp_fail, C, "SRTP/SRTCP packets dropped (sum of drop_srtp_*)")                         \
	X(srtp_sessions, C, "libsrtp sessions and streams allocated (command path, new SSRCs)")   \
	X(srtp_freed, C, "libsrtp sessions and streams freed")                                     \
	X(srtp_ssrc_changes, C, "inbound SRTP streams replaced by a new SSRC")                     \
	X(srtp_setup_fail, C, "SRTP legs whose libsrtp session could not be created")               \
	X(srtp_legs, G, "legs with SRTP sessions now")                                             \
	X(sip_txn_active, G, "SIP transactions live")                                              \
	X(bridges_active, G, "legs of this lcore bridged now")                                     \
	X(bridge_relayed, C, "RTP packets relayed to a bridged peer")                              \
	X(bridge_transcoded, C, "relayed packets converted PCMU <-> PCMA")                         \
	X(bridge_dtmf, C, "RFC 4733 packets relayed (PT mapped)")                                  \
	X(bridge_handoff, C, "relayed packets handed to the peer's lcore")                         \
	X(bridge_rebases, C, "relayed streams (re)based: first packet, new SSRC, seq/ts jump")   \
	X(bridge_ctl_msgs, C, "bridge set-up/tear-down messages between lcores")                    \
	X(bridge_csum_incr, C, "relayed packets whose UDP checksum was updated incrementally (RFC 1624)")

enum vox_drop_reason {
#define VOX_DROP_ENUM(name, help) VOX_DROP_##name,
	VOX_DROP_REASONS(VOX_DROP_ENUM)
#undef VOX_DROP_ENUM
	VOX_DROP__COUNT
};

/* The row written by one lcore. */
struct vox_stats_row {
#define VOX_STATS_MEMBER(name, kind, help) uint64_t name;
	VOX_STATS_CORE(VOX_STATS_MEMBER)
#undef VOX_STATS_MEMBER
	uint64_t drop[VOX_DROP__COUNT]; /* indexed by enum vox_drop_reason */
};

enum vox_stats_kind { VOX_STATS_COUNTER = 1, VOX_STATS_GAUGE = 2 };

struct vox_stats_dir_entry {
	char name[40];
	uint32_t kind;   /* enum vox_stats_kind */
	uint32_t offset; /* byte offset within a row; the value is a u64 */
	char help[80];
};
_Static_assert(sizeof(struct vox_stats_dir_entry) == 128, "dir entry is ABI");

/* Block header, at hdr->off_stats. Offsets are relative to the block start. */
struct vox_stats_block {
	uint32_t n_fields;
	uint32_t n_rows;     /* n_workers + 1: the last row is the main lcore */
	uint32_t row_stride; /* bytes, multiple of 64 */
	uint32_t dir_entry_size;
	uint64_t off_dir;
	uint64_t off_rows;
	uint32_t row_lcore[VOX_MAX_WORKERS + 1]; /* EAL lcore id of each row */
	uint8_t row_is_main[VOX_MAX_WORKERS + 1];
};

/* Bytes needed for a block of n_rows rows. */
uint64_t vox_stats_block_size(uint32_t n_rows);
/* Lay out the directory and zero the rows. `blk` must be vox_stats_block_size() bytes. */
void vox_stats_block_init(struct vox_stats_block *blk, uint32_t n_rows);
/* Row r of a block (writer side). */
struct vox_stats_row *vox_stats_row(struct vox_stats_block *blk, uint32_t r);
/* Directory entry by name, or NULL. */
const struct vox_stats_dir_entry *vox_stats_find(const struct vox_stats_block *blk, const char *name);
/* Value of a field in row r (reader side). */
uint64_t vox_stats_get(const struct vox_stats_block *blk, uint32_t r, const struct vox_stats_dir_entry *f);

static inline void vox_stats_drop(struct vox_stats_row *row, enum vox_drop_reason why, uint64_t n)
{
	row->drop[why] += n;
	row->drops += n;
}

#endif /* VOX_STATS_H */
