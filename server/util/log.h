// SPDX-License-Identifier: GPL-2.0-only
/*
 * Structured logs: one JSON object per line on stderr, e.g.
 * {"ts":"2026-01-01T00:00:00.123Z","level":"info","msg":"request",
 *  "method":"GET","path":"/healthz","status":200,"ms":0.2}
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WP_LOG_H
#define WP_LOG_H

enum wp_log_level { WP_LOG_DEBUG, WP_LOG_INFO, WP_LOG_WARN, WP_LOG_ERROR };

void wp_log_set_level(enum wp_log_level level);
int wp_log_parse_level(const char *name, enum wp_log_level *out);

/*
 * Log @msg with key/value pairs: a NULL-terminated list of
 * (const char *key, const char *value) pairs.  Values are strings;
 * wp_logf formats the message itself.
 */
void wp_log(enum wp_log_level level, const char *msg, ...)
	__attribute__((sentinel));

/* A request line: method, path, status and duration. */
void wp_log_request(const char *method, const char *path, unsigned status,
		    double ms, const char *actor);

#endif /* WP_LOG_H */
