/* SPDX-License-Identifier: BSD-3-Clause */
/* dp_config.h — the dataplane's configuration (one declarative table, see dp_config.c). */
#ifndef DP_CONFIG_H
#define DP_CONFIG_H

#include <stdint.h>

#include "vox_conf.h"

enum dp_poll_mode { DP_POLL_ADAPTIVE = 0, DP_POLL_BUSY = 1 };
enum dp_memory { DP_MEM_AUTO = 0, DP_MEM_HUGE = 1, DP_MEM_NOHUGE = 2 };

struct dp_cfg {
	char instance[16];
	char run_dir[128];
	uint32_t log_level;
	uint32_t node_id;
	char lcores[64];
	uint32_t memory;
	uint32_t mem_mb;
	char vdev[256];
	char eal_extra[256];
	char addr[32];
	char gateway[32];
	char acl[512];
	uint32_t mtu;
	uint32_t sip_port;
	uint32_t echo_port;
	uint32_t rtp_port_min, rtp_port_max;
	uint32_t poll_mode;
	uint32_t idle_spin;
	uint32_t idle_sleep_max_us;
	uint32_t mbufs;
	uint32_t rx_desc, tx_desc;
	uint32_t cmd_ring_slots, evt_ring_slots;
	uint32_t bulk_ring_kb;
	uint32_t max_legs;
	uint32_t max_txn;
	uint32_t sip_store;
	uint32_t media_pool_mb;
	uint32_t max_sip_bytes;
	uint32_t ctl_stale_ms;
	uint32_t decide_timeout_ms;
	uint32_t rtp_timeout_ms, rtcp_interval_ms;
	uint32_t cmd_budget;
	uint32_t arp_entries, arp_timeout_ms, arp_retry_ms, arp_retries, arp_hold;
	uint32_t frag_flows, frag_timeout_ms;
	uint32_t handoff_ring;
};

extern const struct vox_conf_opt dp_conf_table[];

#endif /* DP_CONFIG_H */
