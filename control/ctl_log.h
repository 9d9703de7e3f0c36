/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_log.h — control's log: one line format, levels, stderr plus an optional file. */
#ifndef CTL_LOG_H
#define CTL_LOG_H

#include <stdarg.h>

/*
 * Every line looks like
 *   2026-11-22T03:04:05.123Z control INFO attach: attached to /dev/shm/voxplane-vox.shm
 * Levels follow syslog's order; a message is written when its level is at or above the
 * configured one. The log is process-wide state (one stream per process, like stderr itself);
 * it is set once at start-up and read by every module through ctl_log().
 */
enum ctl_log_level {
	CTL_LOG_DEBUG = 0,
	CTL_LOG_INFO = 1,
	CTL_LOG_WARN = 2,
	CTL_LOG_ERR = 3,
};

/* Level names in table order: "debug|info|warn|error" (the config enum uses the same text). */
#define CTL_LOG_LEVELS "debug|info|warn|error"

/* Set the threshold and, if path is non-empty, also append to that file.
 * Returns 0 or -errno (the file could not be opened; stderr logging still works). */
int ctl_log_init(enum ctl_log_level level, const char *path);
/* Close the log file, if any. */
void ctl_log_close(void);
void ctl_log_set_level(enum ctl_log_level level);
int ctl_log_enabled(enum ctl_log_level level);

/* Format one line into buf (no newline). Exposed for tests. Returns the length. */
int ctl_log_format(char *buf, unsigned long len, long long realtime_ns, enum ctl_log_level level,
                   const char *tag, const char *fmt, va_list ap);

void ctl_log(enum ctl_log_level level, const char *tag, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define CTL_DEBUG(tag, ...)                                                                        \
	do {                                                                                       \
		if (ctl_log_enabled(CTL_LOG_DEBUG))                                                \
			ctl_log(CTL_LOG_DEBUG, tag, __VA_ARGS__);                                  \
	} while (0)
#define CTL_INFO(tag, ...) ctl_log(CTL_LOG_INFO, tag, __VA_ARGS__)
#define CTL_WARN(tag, ...) ctl_log(CTL_LOG_WARN, tag, __VA_ARGS__)
#define CTL_ERR(tag, ...) ctl_log(CTL_LOG_ERR, tag, __VA_ARGS__)

#endif /* CTL_LOG_H */
