/* SPDX-License-Identifier: BSD-3-Clause */
/* dp_main.c — voxplane-dataplane: config, EAL, port, shm contract, worker launch, main-lcore duties. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "dp_admin.h"
#include "dp_eal.h"
#include "dp_lcore.h"
#include "dp_log.h"
#include "dp_sip.h"
#include "vox_names.h"

static struct dp_ctx dp;

static void on_signal(int sig)
{
	(void)sig;
	atomic_store(&dp.stop, 1);
}

static void usage(FILE *out)
{
	fprintf(out, "usage: voxplane-dataplane [-c FILE] [--set key=value]... [--help]\n\n"
		     "Reads [common] and [dataplane] of FILE, then applies --set in order.\n"
		     "Keys:\n");
	vox_conf_help(dp_conf_table, out);
}

static int load_config(int argc, char **argv, struct dp_cfg *cfg)
{
	char err[256];
	static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
					     {"set", required_argument, NULL, 's'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	if (vox_conf_defaults(dp_conf_table, cfg, err, sizeof(err))) {
		fprintf(stderr, "voxplane-dataplane: defaults: %s\n", err);
		return -1;
	}
	/* file first, then --set in order, whatever the order on the command line */
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:s:h", opts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			exit(0);
		}
		if (c == 'c' && vox_conf_load(dp_conf_table, cfg, optarg, "dataplane", err, sizeof(err))) {
			fprintf(stderr, "voxplane-dataplane: %s\n", err);
			return -1;
		}
		if (c == '?') {
			usage(stderr);
			return -1;
		}
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:s:h", opts, NULL)) != -1)
		if (c == 's' && vox_conf_set_kv(dp_conf_table, cfg, optarg, err, sizeof(err))) {
			fprintf(stderr, "voxplane-dataplane: --set %s: %s\n", optarg, err);
			return -1;
		}
	if (cfg->rtp_port_min > cfg->rtp_port_max) {
		fprintf(stderr, "voxplane-dataplane: rtp_port_min > rtp_port_max\n");
		return -1;
	}
	return 0;
}

static int parse_ipv4(const char *s, uint32_t *ip, uint32_t *mask)
{
	char buf[40];
	snprintf(buf, sizeof(buf), "%s", s);
	char *slash = strchr(buf, '/');
	unsigned long plen = 32;
	if (slash) {
		*slash = 0;
		char *end;
		plen = strtoul(slash + 1, &end, 10);
		if (*end || plen > 32)
			return -EINVAL;
	}
	struct in_addr a;
	if (inet_pton(AF_INET, buf, &a) != 1)
		return -EINVAL;
	*ip = a.s_addr;
	if (mask)
		*mask = plen ? htonl(0xffffffffu << (32 - plen)) : 0;
	return 0;
}

static void mkdirs(const char *path)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			mkdir(buf, 0755);
			*p = '/';
		}
	mkdir(buf, 0755);
}

static int setup_iface(struct dp_ctx *ctx)
{
	struct net_iface *ifc = &ctx->ifc;
	const struct dp_cfg *cfg = &ctx->cfg;
	if (parse_ipv4(cfg->addr, &ifc->ip, &ifc->mask) != 0) {
		DP_ERR("config", "addr '%s' is not IPv4/prefix", cfg->addr);
		return -EINVAL;
	}
	ifc->gateway = 0;
	if (cfg->gateway[0] && parse_ipv4(cfg->gateway, &ifc->gateway, NULL) != 0) {
		DP_ERR("config", "gateway '%s' is not IPv4", cfg->gateway);
		return -EINVAL;
	}
	ifc->port_id = ctx->port_id;
	ifc->mtu = (uint16_t)cfg->mtu;
	rte_eth_macaddr_get(ctx->port_id, &ifc->mac);
	memset(ifc->port_class, NET_CLASS_NONE, sizeof(ifc->port_class));
	for (uint32_t p = cfg->rtp_port_min; p <= cfg->rtp_port_max; p++)
		ifc->port_class[p] = NET_CLASS_RTP;
	ifc->port_class[cfg->sip_port] = NET_CLASS_SIP;
	if (cfg->echo_port)
		ifc->port_class[cfg->echo_port] = NET_CLASS_ECHO;
	memset(ifc->class_reasm, 0, sizeof(ifc->class_reasm));
	ifc->class_reasm[NET_CLASS_SIP] = 1;  /* carrier INVITEs exceed the MTU */
	ifc->class_reasm[NET_CLASS_ECHO] = 1; /* so the diagnostic exercises reassembly too */
	return 0;
}

static int setup_port(struct dp_ctx *ctx)
{
	uint16_t pid;
	int found = 0;
	RTE_ETH_FOREACH_DEV(pid)
	{
		ctx->port_id = pid;
		found = 1;
		break;
	}
	if (!found) {
		DP_ERR("port", "no port: give a vdev or a PCI device");
		return -ENODEV;
	}
	struct rte_eth_dev_info info;
	int rc = rte_eth_dev_info_get(ctx->port_id, &info);
	if (rc)
		return rc;
	if (info.max_rx_queues < ctx->n_workers || info.max_tx_queues < ctx->n_workers) {
		DP_ERR("port", "%s supports %u/%u queues, %u workers need one each", info.driver_name,
		       info.max_rx_queues, info.max_tx_queues, ctx->n_workers);
		return -EINVAL;
	}
	struct rte_eth_conf conf;
	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_configure(ctx->port_id, ctx->n_workers, ctx->n_workers, &conf);
	if (rc) {
		DP_ERR("port", "configure: %s", rte_strerror(-rc));
		return rc;
	}
	uint16_t rxd = (uint16_t)ctx->cfg.rx_desc, txd = (uint16_t)ctx->cfg.tx_desc;
	rte_eth_dev_adjust_nb_rx_tx_desc(ctx->port_id, &rxd, &txd);
	int sock = rte_eth_dev_socket_id(ctx->port_id);
	for (uint16_t q = 0; q < ctx->n_workers; q++) {
		rc = rte_eth_rx_queue_setup(ctx->port_id, q, rxd, sock, NULL, ctx->pool);
		if (!rc)
			rc = rte_eth_tx_queue_setup(ctx->port_id, q, txd, sock, NULL);
		if (rc) {
			DP_ERR("port", "queue %u: %s", q, rte_strerror(-rc));
			return rc;
		}
	}
	rc = rte_eth_dev_start(ctx->port_id);
	if (rc) {
		DP_ERR("port", "start: %s", rte_strerror(-rc));
		return rc;
	}
	DP_INFO("port", "port %u (%s) started with %u RX/TX queues", ctx->port_id, info.driver_name,
		ctx->n_workers);
	return 0;
}

static int setup_workers(struct dp_ctx *ctx)
{
	struct vox_stats_block *blk = vox_shm_stats(&ctx->shm);
	unsigned int lcore, w = 0;
	RTE_LCORE_FOREACH_WORKER(lcore)
	{
		int rc = dp_lcore_create(ctx, (uint16_t)w, lcore, &ctx->workers[w]);
		if (rc) {
			DP_ERR("start", "worker %u: %s", w, strerror(-rc));
			return rc;
		}
		w++;
	}
	unsigned int main_lcore = rte_get_main_lcore();
	blk->row_lcore[ctx->n_workers] = main_lcore;
	blk->row_is_main[ctx->n_workers] = 1;
	return dp_handoff_setup(ctx);
}

static int write_pidfile(const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -errno;
	fprintf(f, "%d\n", (int)getpid());
	fclose(f);
	return 0;
}

/* Main lcore: serve the admin socket, watch control's heartbeat, log transitions. */
static void main_loop(struct dp_ctx *ctx, struct dp_admin *adm)
{
	struct vox_stats_row *row = vox_stats_row(vox_shm_stats(&ctx->shm), ctx->n_workers);
	int ctl_was_alive = -1;
	uint64_t decide_to_logged = 0;
	struct vox_stats_block *blk = vox_shm_stats(&ctx->shm);
	while (!atomic_load(&ctx->stop)) {
		dp_admin_poll(adm, 100);
		row->loops++;
		/* workers do not log: the main lcore reports what they count */
		uint64_t dto = 0;
		for (uint16_t w = 0; w < ctx->n_workers; w++)
			dto += vox_stats_row(blk, w)->sip_decide_timeouts;
		if (dto != decide_to_logged) {
			DP_WARN("sip", "%llu offered call(s) ended with 503: control did not decide within %u ms "
				       "(cause CONTROL_LOST)",
				(unsigned long long)(dto - decide_to_logged), ctx->cfg.decide_timeout_ms);
			decide_to_logged = dto;
		}
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		uint64_t mono = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
		int alive = ctx->workers[0] ? dp_ctl_alive(ctx->workers[0], mono, ctx->cfg.ctl_stale_ms) : 0;
		if (alive != ctl_was_alive) {
			DP_INFO("control", "%s", alive ? "control is attached and alive"
						     : "control is away (no heartbeat)");
			ctl_was_alive = alive;
		}
	}
}

int main(int argc, char **argv)
{
	struct vox_names names;
	struct dp_eal_args eal;
	struct dp_admin adm = {.lfd = -1};
	int rc = 1;

	atomic_store(&dp.stop, 0);
	dp.efd = -1;
	if (load_config(argc, argv, &dp.cfg))
		return 2;
	dp_log_set_level((int)dp.cfg.log_level);
	if (vox_names_init(&names, dp.cfg.instance, dp.cfg.run_dir)) {
		fprintf(stderr, "voxplane-dataplane: bad instance id '%s' ([a-z0-9], 1..%d chars)\n",
			dp.cfg.instance, VOX_ID_MAX);
		return 2;
	}
	dp.names = &names;
	mkdirs(names.run_dir);
	int old = vox_pidfile_read(names.dp_pid);
	if (old && old != getpid() && vox_pid_alive(old)) {
		DP_ERR("start", "instance '%s' already has a dataplane (pid %d)", names.id, old);
		return 1;
	}
	if (old) {
		DP_INFO("start", "removing leftovers of dead dataplane pid %d", old);
		unlink(names.shm_path);
		unlink(names.dp_sock);
		unlink(names.dp_pid);
	}

	if (dp_eal_args_build(&eal, argv[0], &dp.cfg, &names)) {
		DP_ERR("eal", "EAL arguments too long");
		return 2;
	}
	DP_INFO("eal", "memory: %s", eal.hugepages ? "hugepages (--in-memory)"
						   : "no hugepages could be reserved: --no-huge");
	if (rte_eal_init(eal.argc, eal.argv) < 0) {
		DP_ERR("eal", "rte_eal_init failed: %s", rte_strerror(rte_errno));
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);

	uint64_t eal_hz = rte_get_tsc_hz();
	dp.tsc_hz = dp_tsc_hz_measure(eal_hz);
	DP_INFO("start", "TSC %llu Hz measured against CLOCK_MONOTONIC (the EAL's %llu: %+.0f ppm)",
		(unsigned long long)dp.tsc_hz, (unsigned long long)eal_hz,
		((double)eal_hz - (double)dp.tsc_hz) / (double)dp.tsc_hz * 1e6);
	dp.n_workers = (uint16_t)(rte_lcore_count() - 1);
	if (dp.n_workers < 1 || dp.n_workers > VOX_MAX_WORKERS) {
		DP_ERR("start", "need 1..%u worker lcores besides the main lcore, have %u", VOX_MAX_WORKERS,
		       dp.n_workers);
		goto out_eal;
	}
	dp.pool = rte_pktmbuf_pool_create("vox_mbufs", dp.cfg.mbufs, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					  (int)rte_socket_id());
	/* one-segment buffers for reassembled datagrams (SIP up to ~9 KB); few are in flight */
	dp.big_pool = rte_pktmbuf_pool_create("vox_big", 511, 32, 0, 9216 + RTE_PKTMBUF_HEADROOM,
					      (int)rte_socket_id());
	dp.store_pool = rte_pktmbuf_pool_create("vox_store", dp.cfg.sip_store, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
						(int)rte_socket_id());
	if (!dp.pool || !dp.big_pool || !dp.store_pool) {
		DP_ERR("start", "mbuf pool: %s", rte_strerror(rte_errno));
		goto out_eal;
	}
	if (setup_port(&dp) || setup_iface(&dp))
		goto out_eal;

	struct vox_shm_params sp = {
		.n_workers = dp.n_workers,
		.node_id = dp.cfg.node_id,
		.cmd_ring_slots = dp.cfg.cmd_ring_slots,
		.evt_ring_slots = dp.cfg.evt_ring_slots,
		.bulk_ring_bytes = dp.cfg.bulk_ring_kb * 1024u,
		.mirror_slots = dp.cfg.max_legs,
		.max_sip_bytes = dp.cfg.max_sip_bytes,
		.pool_bytes = (uint64_t)dp.cfg.media_pool_mb << 20,
	};
	int e = vox_shm_create(&dp.shm, names.shm_path, &sp);
	if (e) {
		DP_ERR("shm", "cannot create %s: %s", names.shm_path, strerror(-e));
		goto out_port;
	}
	dp.shm.hdr->tsc_hz = dp.tsc_hz;
	dp.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (dp.efd < 0 || setup_workers(&dp))
		goto out_shm;
	e = dp_admin_open(&adm, names.dp_sock, dp.shm.hdr->boot_id, dp.efd);
	if (e) {
		DP_ERR("admin", "cannot listen on %s: %s", names.dp_sock, strerror(-e));
		goto out_shm;
	}
	write_pidfile(names.dp_pid);
	vox_shm_publish(&dp.shm);

	char ip[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &dp.ifc.ip, ip, sizeof(ip));
	DP_INFO("start", "instance %s: %u workers, %s, SIP udp/%u, echo %s%u, boot_id %016llx, shm %s",
		names.id, dp.n_workers, ip, dp.cfg.sip_port, dp.cfg.echo_port ? "udp/" : "off ",
		dp.cfg.echo_port, (unsigned long long)dp.shm.hdr->boot_id, names.shm_path);
	DP_INFO("start", "poll mode %s", dp.cfg.poll_mode == DP_POLL_BUSY ? "busy" : "adaptive");

	dp.tick_epoch_tsc = rte_rdtsc();
	for (uint16_t w = 0; w < dp.n_workers; w++)
		rte_eal_remote_launch(dp_worker_main, dp.workers[w], dp.workers[w]->lcore_id);
	main_loop(&dp, &adm);
	DP_INFO("stop", "stopping");
	atomic_store(&dp.shm.hdr->stopping, 1);
	rte_eal_mp_wait_lcore();
	rc = 0;

	dp_admin_close(&adm);
out_shm:
	if (dp.shm.hdr) {
		vox_shm_unmap(&dp.shm);
		unlink(names.shm_path);
	}
	if (dp.efd >= 0)
		close(dp.efd);
out_port:
	rte_eth_dev_stop(dp.port_id);
	rte_eth_dev_close(dp.port_id);
out_eal:
	unlink(names.dp_pid);
	rte_eal_cleanup();
	DP_INFO("stop", "stopped");
	return rc;
}
