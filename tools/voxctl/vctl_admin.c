/* SPDX-License-Identifier: BSD-3-Clause */
/* vctl_admin.c — voxctl commands answered by control over its admin socket (ping, status, diag). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#include "vctl.h"

#define VCTL_ADMIN_TIMEOUT_MS 10000
#define VCTL_ADMIN_MAX (64u << 20)

int vctl_admin_call(struct vctl *v, const char *request, char **answer)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(v->names.ctl_sock) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "voxctl: socket path too long: %s\n", v->names.ctl_sock);
		return VCTL_FAILED;
	}
	memcpy(sa.sun_path, v->names.ctl_sock, strlen(v->names.ctl_sock) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("voxctl: socket");
		return VCTL_FAILED;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int e = errno;
		close(fd);
		if (e == ENOENT || e == ECONNREFUSED) {
			fprintf(stderr, "voxplane-control is not running (no socket at %s)\n",
			        sa.sun_path);
			return VCTL_ABSENT;
		}
		fprintf(stderr, "voxctl: %s: %s\n", sa.sun_path, strerror(e));
		return VCTL_FAILED;
	}
	size_t rl = strlen(request);
	char *line = malloc(rl + 2);
	if (!line) {
		close(fd);
		return VCTL_FAILED;
	}
	memcpy(line, request, rl);
	line[rl++] = '\n';
	ssize_t w = send(fd, line, rl, MSG_NOSIGNAL);
	free(line);
	if (w != (ssize_t)rl) {
		fprintf(stderr, "voxctl: sending to control: %s\n", strerror(errno));
		close(fd);
		return VCTL_FAILED;
	}
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	int rc = VCTL_FAILED;
	while (buf) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, VCTL_ADMIN_TIMEOUT_MS) <= 0) {
			fprintf(stderr, "voxctl: no answer from control within %d ms\n",
			        VCTL_ADMIN_TIMEOUT_MS);
			break;
		}
		if (len + 1 >= cap) {
			char *nb = cap < VCTL_ADMIN_MAX ? realloc(buf, cap * 2) : NULL;
			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		ssize_t n = recv(fd, buf + len, cap - len - 1, 0);
		if (n <= 0) {
			fprintf(stderr, "voxctl: control closed the connection\n");
			break;
		}
		char *nl = memchr(buf + len, '\n', (size_t)n);
		len += (size_t)n;
		if (nl) {
			*nl = 0;
			*answer = buf;
			buf = NULL;
			rc = VCTL_OK;
		}
	}
	free(buf);
	close(fd);
	return rc;
}

/* Ask, print the JSON as it came; an {"error":..} answer goes to stderr with exit code 1. */
static int vctl_admin_print(struct vctl *v, const char *request)
{
	char *ans = NULL;
	int rc = vctl_admin_call(v, request, &ans);
	if (rc)
		return rc;
	json_t *j = json_loads(ans, 0, NULL);
	int failed = j && json_is_object(j) && json_object_get(j, "error");
	fprintf(failed ? stderr : stdout, "%s\n", ans);
	json_decref(j);
	free(ans);
	return failed ? VCTL_FAILED : VCTL_OK;
}

int vctl_cmd_status(struct vctl *v, int argc, char **argv)
{
	if (argc != 1) {
		fprintf(stderr, "usage: voxctl status\n");
		return VCTL_USAGE;
	}
	return vctl_admin_print(v, "status");
}

/* "voxctl diag ..." and "voxctl script ...": control owns the grammar; the words pass through
 * and control answers usage errors itself. */
static int vctl_passthrough(struct vctl *v, const char *word, int argc, char **argv)
{
	char req[512];
	snprintf(req, sizeof(req), "%s", word);
	for (int i = 1; i < argc; i++) {
		if (strlen(req) + strlen(argv[i]) + 2 > sizeof(req) || strpbrk(argv[i], "\r\n")) {
			fprintf(stderr, "voxctl: request too long\n");
			return VCTL_USAGE;
		}
		strcat(req, " ");
		strcat(req, argv[i]);
	}
	return vctl_admin_print(v, req);
}

int vctl_cmd_diag(struct vctl *v, int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: voxctl diag leg-create N | leg-end HANDLE | burst W N | end-all | "
				"acl [PREFIX...] | send-request HANDLE METHOD | match HANDLE LO HI [HEADER [VALUE]]\n");
		return VCTL_USAGE;
	}
	return vctl_passthrough(v, "diag", argc, argv);
}

int vctl_cmd_script(struct vctl *v, int argc, char **argv)
{
	if (argc != 2 || (strcmp(argv[1], "stats") && strcmp(argv[1], "reload"))) {
		fprintf(stderr, "usage: voxctl script stats | reload\n");
		return VCTL_USAGE;
	}
	return vctl_passthrough(v, "script", argc, argv);
}

int vctl_cmd_ping(struct vctl *v, int argc, char **argv)
{
	int as_json = argc == 2 && !strcmp(argv[1], "--json");
	if (argc > 2 || (argc == 2 && !as_json)) {
		fprintf(stderr, "usage: voxctl ping [--json]\n");
		return VCTL_USAGE;
	}
	if (as_json)
		return vctl_admin_print(v, "ping");
	char *ans = NULL;
	int rc = vctl_admin_call(v, "ping", &ans);
	if (rc)
		return rc;
	json_t *j = json_loads(ans, 0, NULL);
	json_t *ws = j ? json_object_get(j, "workers") : NULL;
	if (!json_is_array(ws)) {
		json_t *e = j ? json_object_get(j, "error") : NULL;
		fprintf(stderr, "voxctl: ping: %s\n",
		        json_is_string(e) ? json_string_value(e) : ans);
		json_decref(j);
		free(ans);
		return VCTL_FAILED;
	}
	size_t i;
	json_t *w;
	int bad = 0;
	printf("%-7s %-6s %12s\n", "worker", "lcore", "rtt");
	json_array_foreach(ws, i, w)
	{
		json_int_t wi = json_integer_value(json_object_get(w, "worker"));
		json_int_t lc = json_integer_value(json_object_get(w, "lcore"));
		if (json_is_true(json_object_get(w, "ok")))
			printf("w%-6lld %-6lld %9.1f us\n", (long long)wi, (long long)lc,
			       json_number_value(json_object_get(w, "rtt_us")));
		else {
			json_t *e = json_object_get(w, "error");
			printf("w%-6lld %-6lld %12s\n", (long long)wi, (long long)lc,
			       json_is_string(e) ? json_string_value(e) : "failed");
			bad = 1;
		}
	}
	json_decref(j);
	free(ans);
	return bad ? VCTL_FAILED : VCTL_OK;
}
