/* SPDX-License-Identifier: BSD-3-Clause */
/* dp_log.h — dataplane logging: one line format shared with control, never on the per-packet path. */
#ifndef DP_LOG_H
#define DP_LOG_H

enum dp_log_level { DP_LOG_ERR = 0, DP_LOG_WARN = 1, DP_LOG_INFO = 2, DP_LOG_DEBUG = 3 };

void dp_log_set_level(int level);
/* 2026-11-22T03:04:05.123Z dataplane INFO <tag>: message */
void dp_log(int level, const char *tag, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define DP_ERR(tag, ...) dp_log(DP_LOG_ERR, tag, __VA_ARGS__)
#define DP_WARN(tag, ...) dp_log(DP_LOG_WARN, tag, __VA_ARGS__)
#define DP_INFO(tag, ...) dp_log(DP_LOG_INFO, tag, __VA_ARGS__)

#endif /* DP_LOG_H */
