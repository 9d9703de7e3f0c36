/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_log.c — control's log lines: UTC timestamp with milliseconds, process, level, tag. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl_log.h"

/* The process-wide log sink (see ctl_log.h): threshold and optional file. */
static struct {
	enum ctl_log_level level;
	FILE *file;
} ctl_log_state = {CTL_LOG_INFO, NULL};

static const char *const ctl_log_names[] = {"DEBUG", "INFO", "WARN", "ERROR"};

int ctl_log_init(enum ctl_log_level level, const char *path)
{
	ctl_log_state.level = level;
	ctl_log_close();
	if (!path || !*path)
		return 0;
	FILE *f = fopen(path, "ae");
	if (!f)
		return -errno;
	setvbuf(f, NULL, _IOLBF, 0);
	ctl_log_state.file = f;
	return 0;
}

void ctl_log_close(void)
{
	if (ctl_log_state.file)
		fclose(ctl_log_state.file);
	ctl_log_state.file = NULL;
}

void ctl_log_set_level(enum ctl_log_level level)
{
	ctl_log_state.level = level;
}

int ctl_log_enabled(enum ctl_log_level level)
{
	return level >= ctl_log_state.level;
}

int ctl_log_format(char *buf, unsigned long len, long long realtime_ns, enum ctl_log_level level,
                   const char *tag, const char *fmt, va_list ap)
{
	time_t sec = (time_t)(realtime_ns / 1000000000ll);
	int ms = (int)((realtime_ns / 1000000ll) % 1000);
	struct tm tm;
	gmtime_r(&sec, &tm);
	if (level > CTL_LOG_ERR)
		level = CTL_LOG_ERR;
	int n = snprintf(buf, len,
	                 "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ control %s %s: ", tm.tm_year + 1900,
	                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms,
	                 ctl_log_names[level], tag);
	if (n < 0 || (unsigned long)n >= len)
		return n < 0 ? 0 : (int)len - 1;
	int m = vsnprintf(buf + n, len - (unsigned long)n, fmt, ap);
	if (m < 0)
		m = 0;
	n += m;
	if ((unsigned long)n >= len)
		n = (int)len - 1;
	/* one event, one line: embedded newlines would break log parsers */
	for (int i = 0; i < n; i++)
		if (buf[i] == '\n' || buf[i] == '\r')
			buf[i] = ' ';
	return n;
}

void ctl_log(enum ctl_log_level level, const char *tag, const char *fmt, ...)
{
	if (!ctl_log_enabled(level))
		return;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	int n =
	    ctl_log_format(line, sizeof(line) - 1, (long long)ts.tv_sec * 1000000000ll + ts.tv_nsec,
	                   level, tag, fmt, ap);
	va_end(ap);
	line[n++] = '\n';
	/* one write per line so concurrent writers to the same stderr don't interleave */
	ssize_t w = write(STDERR_FILENO, line, (size_t)n);
	(void)w;
	if (ctl_log_state.file)
		fwrite(line, 1, (size_t)n, ctl_log_state.file);
}
