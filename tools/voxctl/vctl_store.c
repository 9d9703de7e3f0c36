/* SPDX-License-Identifier: BSD-3-Clause */
/* vctl_store.c — voxctl account / number: the store's records through control's admin socket. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "vctl.h"

#define VCTL_REQ_MAX 4000

/* Append " word" with the value percent-encoded (space, %, controls, non-ASCII), so a value
 * with spaces stays one word of control's request line. Returns 0 or -1 (too long). */
static int vctl_store_append(char *req, size_t cap, const char *word, int encode)
{
	size_t n = strlen(req);
	if (n + 1 >= cap)
		return -1;
	req[n++] = ' ';
	for (const unsigned char *p = (const unsigned char *)word; *p; p++) {
		if (n + 4 >= cap)
			return -1;
		if (encode && (*p <= 0x20 || *p == '%' || *p >= 0x7f)) {
			n += (size_t)snprintf(req + n, cap - n, "%%%02X", *p);
		} else {
			req[n++] = (char)*p;
		}
	}
	req[n] = 0;
	return 0;
}

/* Build "<verb> --opt value ..." from argv[from..]: options must be known to the caller's
 * list; values are encoded. */
static int vctl_store_request(char *req, size_t cap, const char *verb, int argc, char **argv,
                              int from, const char *const *opts)
{
	snprintf(req, cap, "%s", verb);
	for (int i = from; i < argc; i += 2) {
		int known = 0;
		for (const char *const *o = opts; *o; o++)
			known |= !strcmp(argv[i], *o);
		if (!known) {
			fprintf(stderr, "voxctl: unknown option '%s'\n", argv[i]);
			return VCTL_USAGE;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "voxctl: %s needs a value\n", argv[i]);
			return VCTL_USAGE;
		}
		if (vctl_store_append(req, cap, argv[i], 0) || vctl_store_append(req, cap, argv[i + 1], 1)) {
			fprintf(stderr, "voxctl: request too long\n");
			return VCTL_USAGE;
		}
	}
	return 0;
}

/* Ask; on {"error":..} print it to stderr and return VCTL_FAILED; else *out (new ref). */
static int vctl_store_ask(struct vctl *v, const char *req, json_t **out)
{
	char *ans = NULL;
	int rc = vctl_admin_call(v, req, &ans);
	if (rc)
		return rc;
	json_t *j = json_loads(ans, 0, NULL);
	json_t *e = j ? json_object_get(j, "error") : NULL;
	if (!json_is_object(j) || e) {
		fprintf(stderr, "voxctl: %s\n", json_is_string(e) ? json_string_value(e) : ans);
		json_decref(j);
		free(ans);
		return VCTL_FAILED;
	}
	free(ans);
	*out = j;
	return 0;
}

static int vctl_store_print(json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (!s)
		return VCTL_FAILED;
	printf("%s\n", s);
	free(s);
	return VCTL_OK;
}

static const char *vctl_str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "-";
}

static void vctl_store_usage_account(void)
{
	fprintf(stderr, "usage: voxctl account create [--friendly-name NAME] [--owner AC...]\n"
	                "       voxctl account list [--json]\n");
}

int vctl_cmd_account(struct vctl *v, int argc, char **argv)
{
	static const char *const create_opts[] = {"--friendly-name", "--owner", NULL};
	char req[VCTL_REQ_MAX];
	json_t *j;
	int rc;
	if (argc >= 2 && !strcmp(argv[1], "create")) {
		rc = vctl_store_request(req, sizeof(req), "account create", argc, argv, 2, create_opts);
		if (rc)
			return rc;
		rc = vctl_store_ask(v, req, &j);
		return rc ? rc : vctl_store_print(j);
	}
	if (argc >= 2 && !strcmp(argv[1], "list") &&
	    (argc == 2 || (argc == 3 && !strcmp(argv[2], "--json")))) {
		rc = vctl_store_ask(v, "account list", &j);
		if (rc)
			return rc;
		if (argc == 3)
			return vctl_store_print(j);
		json_t *arr = json_object_get(j, "accounts"), *a;
		size_t i;
		printf("%-34s  %-9s  %-34s  %s\n", "SID", "STATUS", "OWNER", "FRIENDLY NAME");
		json_array_foreach(arr, i, a)
		{
			printf("%-34s  %-9s  %-34s  %s\n", vctl_str(a, "sid"), vctl_str(a, "status"),
			       vctl_str(a, "owner_account_sid"), vctl_str(a, "friendly_name"));
		}
		json_decref(j);
		return VCTL_OK;
	}
	vctl_store_usage_account();
	return VCTL_USAGE;
}

static void vctl_store_usage_number(void)
{
	fprintf(stderr,
	        "usage: voxctl number add --account AC... --number +E164 [--voice-url URL]\n"
	        "         [--voice-method GET|POST] [--fallback-url URL] [--fallback-method M]\n"
	        "         [--status-callback URL] [--status-callback-method M]\n"
	        "         [--friendly-name NAME] [--application AP...]\n"
	        "       voxctl number list [--account AC...] [--json]\n");
}

int vctl_cmd_number(struct vctl *v, int argc, char **argv)
{
	static const char *const add_opts[] = {
	    "--account",         "--number",          "--voice-url",
	    "--voice-method",    "--fallback-url",    "--fallback-method",
	    "--status-callback", "--status-callback-method", "--friendly-name",
	    "--application",     NULL};
	static const char *const list_opts[] = {"--account", NULL};
	char req[VCTL_REQ_MAX];
	json_t *j;
	int rc;
	if (argc >= 2 && !strcmp(argv[1], "add")) {
		rc = vctl_store_request(req, sizeof(req), "number add", argc, argv, 2, add_opts);
		if (rc)
			return rc;
		rc = vctl_store_ask(v, req, &j);
		return rc ? rc : vctl_store_print(j);
	}
	if (argc >= 2 && !strcmp(argv[1], "list")) {
		int as_json = argc > 2 && !strcmp(argv[argc - 1], "--json");
		rc = vctl_store_request(req, sizeof(req), "number list", argc - as_json, argv, 2,
		                        list_opts);
		if (rc)
			return rc;
		rc = vctl_store_ask(v, req, &j);
		if (rc)
			return rc;
		if (as_json)
			return vctl_store_print(j);
		json_t *arr = json_object_get(j, "incoming_phone_numbers"), *n;
		size_t i;
		printf("%-16s  %-34s  %-34s  %s\n", "NUMBER", "SID", "ACCOUNT", "VOICE URL");
		json_array_foreach(arr, i, n)
		{
			printf("%-16s  %-34s  %-34s  %s %s\n", vctl_str(n, "phone_number"),
			       vctl_str(n, "sid"), vctl_str(n, "account_sid"), vctl_str(n, "voice_method"),
			       vctl_str(n, "voice_url"));
		}
		json_decref(j);
		return VCTL_OK;
	}
	vctl_store_usage_number();
	return VCTL_USAGE;
}

int vctl_cmd_store(struct vctl *v, int argc, char **argv)
{
	if (argc != 2 || strcmp(argv[1], "stats") != 0) {
		fprintf(stderr, "usage: voxctl store stats\n");
		return VCTL_USAGE;
	}
	json_t *j;
	int rc = vctl_store_ask(v, "store stats", &j);
	return rc ? rc : vctl_store_print(j);
}

int vctl_cmd_call(struct vctl *v, int argc, char **argv)
{
	static const char *const opts[] = {"--account", "--to",     "--from",  "--url",
	                                   "--method",  "--twiml",  "--status-callback",
	                                   "--events",  "--timeout", "--fallback-url",
	                                   "--send-digits", "--record", NULL};
	char req[VCTL_REQ_MAX];
	json_t *j;
	if (argc >= 2 && !strcmp(argv[1], "create")) {
		int rc = vctl_store_request(req, sizeof(req), "call create", argc, argv, 2, opts);
		if (rc)
			return rc;
		rc = vctl_store_ask(v, req, &j);
		return rc ? rc : vctl_store_print(j);
	}
	fprintf(stderr, "usage: voxctl call create --account AC... --to +E164|sip:URI --from F\n"
	                "         (--url URL [--method M] | --twiml XML) [--fallback-url URL]\n"
	                "         [--status-callback URL] [--events initiated,ringing,answered,completed]\n"
	                "         [--timeout S] [--send-digits 0-9*#wW] [--record true]\n");
	return VCTL_USAGE;
}
