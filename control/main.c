/* SPDX-License-Identifier: BSD-3-Clause */
/* main.c — voxplane-control: config, pid file, signals, then the event loop until told to stop. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "ctl.h"
#include "ctl_admin.h"
#include "ctl_attach.h"
#include "ctl_calls.h"
#include "ctl_dp.h"
#include "ctl_log.h"
#include "ctl_script.h"
#include "ctl_store.h"
#include "http_ctl.h"
#include "rest.h"

#define TAG "main"

/* A live process that is a voxplane-control, so that a pid reused by something else after a
 * crash, or a dead control its parent has not reaped yet (a zombie), does not block the start.
 * /proc/<pid>/stat reads "pid (comm) S ..."; comm is cut to 15 characters. */
static int main_is_control(int pid)
{
	if (!vox_pid_alive(pid))
		return 0;
	char path[64], st[256] = "";
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 1; /* cannot tell: assume it is */
	int ok = fgets(st, sizeof(st), f) != NULL;
	fclose(f);
	char *open = strchr(st, '('), *close = strrchr(st, ')');
	if (!ok || !open || !close || close[1] != ' ')
		return 1;
	if (close[2] == 'Z' || close[2] == 'X')
		return 0;
	return close - open - 1 >= 15 && strncmp(open + 1, "voxplane-contro", 15) == 0;
}

/* Refuse to run beside a live control; clear a dead one's pid file; write ours. */
static int main_pidfile(const struct vox_names *n)
{
	int rc = ctl_mkdirs(n->run_dir);
	if (rc) {
		CTL_ERR(TAG, "cannot create %s: %s", n->run_dir, strerror(-rc));
		return rc;
	}
	int old = vox_pidfile_read(n->ctl_pid);
	if (old && old != getpid() && main_is_control(old)) {
		CTL_ERR(TAG, "another voxplane-control (pid %d) is running for instance %s (%s)",
		        old, n->id, n->ctl_pid);
		return -EEXIST;
	}
	if (old)
		unlink(n->ctl_pid);
	int fd = open(n->ctl_pid, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = -errno;
		CTL_ERR(TAG, "cannot write %s: %s", n->ctl_pid, strerror(errno));
		return rc;
	}
	char buf[24];
	int len = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	rc = write(fd, buf, (size_t)len) == len ? 0 : -EIO;
	close(fd);
	return rc;
}

static void main_on_signal(struct ctl_loop *l, int fd, void *arg, int mask)
{
	struct signalfd_siginfo si;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		CTL_INFO(TAG, "%s: stopping", strsignal((int)si.ssi_signo));
	ctl_loop_stop(l);
}

int main(int argc, char **argv)
{
	static struct ctl c; /* big (command queues hang off it); lives for the whole process */
	char err[512];
	int rc = ctl_config_from_args(&c.cfg, argc, argv, stdout, err, sizeof(err));
	if (rc == 1)
		return 0;
	if (rc) {
		fprintf(stderr, "voxplane-control: %s\n", err);
		return 1;
	}
	if (ctl_log_init((enum ctl_log_level)c.cfg.log_level, c.cfg.log_file) != 0)
		CTL_WARN(TAG, "cannot open log file %s: %s", c.cfg.log_file, strerror(errno));
	vox_names_init(&c.names, c.cfg.instance, c.cfg.run_dir);
	/* a bad script is a configuration error of its own kind: exit 2, naming file and line */
	rc = ctl_script_open(&c, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "voxplane-control: script: %s\n", err);
		return 2;
	}
	if (main_pidfile(&c.names) != 0) {
		ctl_script_close(&c);
		return 1;
	}

	int exit_code = 1;
	struct ctl_loop *loop = NULL;
	int sfd = -1;
	sigset_t ss;
	sigemptyset(&ss);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGTERM);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	signal(SIGPIPE, SIG_IGN);

	rc = ctl_loop_create(&loop, 1024 + (int)c.cfg.admin_clients);
	if (rc == 0)
		rc = ctl_init(&c, loop);
	if (rc) {
		CTL_ERR(TAG, "start-up: %s", strerror(-rc));
		goto out;
	}
	sfd = signalfd(-1, &ss, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0 || ctl_loop_add_file(loop, sfd, CTL_LOOP_READ, main_on_signal, &c) != 0) {
		CTL_ERR(TAG, "signalfd: %s", strerror(errno));
		goto out;
	}
	if (ctl_store_open(&c) != 0)
		goto out;
	rc = ctl_admin_open(&c.admin, &c);
	if (rc) {
		CTL_ERR(TAG, "admin socket %s: %s", c.names.ctl_sock, strerror(-rc));
		goto out;
	}
	rc = http_ctl_open(&c);
	if (rc)
		goto out;
	rc = ctl_calls_open(&c);
	if (rc)
		goto out;
	rc = rest_ctl_open(&c);
	if (rc)
		goto out;
	ctl_loop_set_hooks(loop, ctl_dp_before_sleep, ctl_dp_after_sleep, &c);
	if (ctl_attach_start(&c) != 0)
		goto out;
	CTL_INFO(TAG, "voxplane-control pid %d, instance %s, admin socket %s, waiting for %s",
	         (int)getpid(), c.names.id, c.names.ctl_sock, c.names.shm_path);
	ctl_loop_run(loop);
	exit_code = c.fatal ? 1 : 0;
out:
	ctl_attach_stop(&c);
	ctl_calls_close(&c);
	http_ctl_close(&c);
	ctl_admin_close(c.admin);
	c.admin = NULL;
	ctl_store_close(&c);
	rest_ctl_close(&c); /* after the store's last completions */
	if (sfd >= 0)
		close(sfd);
	ctl_fini(&c);
	ctl_loop_destroy(loop);
	unlink(c.names.ctl_pid);
	CTL_INFO(TAG, "exit %d", exit_code);
	ctl_log_close();
	return exit_code;
}
