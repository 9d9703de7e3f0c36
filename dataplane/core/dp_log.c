/* SPDX-License-Identifier: BSD-3-Clause */
/* dp_log.c — dataplane log lines to stderr. */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "dp_log.h"

static int dp_log_level = DP_LOG_INFO;
static const char *const dp_log_names[] = {"ERROR", "WARN", "INFO", "DEBUG"};

void dp_log_set_level(int level)
{
	dp_log_level = level;
}

void dp_log(int level, const char *tag, const char *fmt, ...)
{
	if (level > dp_log_level)
		return;
	struct timespec ts;
	struct tm tm;
	char line[1024];
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	int n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ dataplane %s %s: ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
			 ts.tv_nsec / 1000000, dp_log_names[level & 3], tag);
	va_list ap;
	va_start(ap, fmt);
	if (n > 0 && n < (int)sizeof(line))
		vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", line);
}
