/* SPDX-License-Identifier: BSD-3-Clause */
/* dp_admin.c — main-lcore Unix socket: each connecting control gets boot_id + eventfd (SCM_RIGHTS). */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "dp_admin.h"
#include "dp_log.h"

int dp_admin_open(struct dp_admin *a, const char *path, uint64_t boot_id, int efd)
{
	memset(a, 0, sizeof(*a));
	for (int i = 0; i < DP_ADMIN_MAX_CLIENTS; i++)
		a->clients[i] = -1;
	a->boot_id = boot_id;
	a->efd = efd;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path) || strlen(path) >= sizeof(a->path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	strcpy(a->path, path);
	a->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (a->lfd < 0)
		return -errno;
	unlink(path);
	if (bind(a->lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(a->lfd, 8) != 0) {
		int e = errno;
		close(a->lfd);
		a->lfd = -1;
		return -e;
	}
	chmod(path, 0660);
	return 0;
}

static int admin_send_fd(int fd, uint64_t boot_id, int efd)
{
	struct iovec iov = {.iov_base = &boot_id, .iov_len = sizeof(boot_id)};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof(u));
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &efd, sizeof(int));
	return sendmsg(fd, &msg, MSG_NOSIGNAL) == (ssize_t)sizeof(boot_id) ? 0 : -errno;
}

void dp_admin_poll(struct dp_admin *a, int timeout_ms)
{
	struct pollfd pf[1 + DP_ADMIN_MAX_CLIENTS];
	int n = 0;
	pf[n++] = (struct pollfd){.fd = a->lfd, .events = POLLIN};
	for (int i = 0; i < DP_ADMIN_MAX_CLIENTS; i++)
		pf[n++] = (struct pollfd){.fd = a->clients[i], .events = POLLIN};
	if (poll(pf, n, timeout_ms) <= 0)
		return;
	if (pf[0].revents & POLLIN) {
		int fd = accept4(a->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			int slot = -1;
			for (int i = 0; i < DP_ADMIN_MAX_CLIENTS; i++)
				if (a->clients[i] < 0)
					slot = i;
			if (slot < 0 || admin_send_fd(fd, a->boot_id, a->efd) != 0) {
				DP_WARN("admin", "refused a connection (%s)", slot < 0 ? "too many" : "send failed");
				close(fd);
			} else {
				a->clients[slot] = fd;
				DP_INFO("admin", "control connected; handed it the wake-up eventfd");
			}
		}
	}
	for (int i = 0; i < DP_ADMIN_MAX_CLIENTS; i++) {
		if (a->clients[i] < 0 || !(pf[1 + i].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		char buf[256];
		ssize_t r = read(a->clients[i], buf, sizeof(buf));
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
			close(a->clients[i]);
			a->clients[i] = -1;
			DP_INFO("admin", "control disconnected");
		}
	}
}

void dp_admin_close(struct dp_admin *a)
{
	for (int i = 0; i < DP_ADMIN_MAX_CLIENTS; i++)
		if (a->clients[i] >= 0)
			close(a->clients[i]);
	if (a->lfd >= 0) {
		close(a->lfd);
		unlink(a->path);
	}
	a->lfd = -1;
}
