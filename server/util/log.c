// SPDX-License-Identifier: GPL-2.0-only
/*
 * Structured JSON-lines logging on stderr (journald keeps the lines as
 * they are).  Each line is written with one write() so lines from threads
 * never interleave.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

static enum wp_log_level min_level = WP_LOG_INFO;
static const char *const level_names[] = { "debug", "info", "warn", "error" };

void wp_log_set_level(enum wp_log_level level)
{
	min_level = level;
}

int wp_log_parse_level(const char *name, enum wp_log_level *out)
{
	for (int i = 0; i < 4; i++)
		if (!strcmp(name, level_names[i])) {
			*out = (enum wp_log_level)i;
			return 0;
		}
	return -1;
}

static json_object *log_start(enum wp_log_level level, const char *msg)
{
	struct timespec ts;
	struct tm tm;
	char when[40];
	json_object *o = json_object_new_object();

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when + strlen(when), sizeof(when) - strlen(when), ".%03ldZ",
		 ts.tv_nsec / 1000000);
	json_object_object_add(o, "ts", json_object_new_string(when));
	json_object_object_add(o, "level", json_object_new_string(level_names[level]));
	json_object_object_add(o, "msg", json_object_new_string(msg));
	return o;
}

static void log_emit(json_object *o)
{
	size_t len;
	const char *s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &len);
	char line[8192];

	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;
	memcpy(line, s, len);
	line[len++] = '\n';
	if (write(STDERR_FILENO, line, len) < 0) {
		/* Nowhere left to report a logging failure. */
	}
	json_object_put(o);
}

void wp_log(enum wp_log_level level, const char *msg, ...)
{
	json_object *o;
	const char *key;
	va_list ap;

	if (level < min_level)
		return;
	o = log_start(level, msg);
	va_start(ap, msg);
	while ((key = va_arg(ap, const char *))) {
		const char *value = va_arg(ap, const char *);

		json_object_object_add(o, key, json_object_new_string(value ? value : ""));
	}
	va_end(ap);
	log_emit(o);
}

void wp_log_request(const char *method, const char *path, unsigned status,
		    double ms, const char *actor)
{
	json_object *o;

	if (WP_LOG_INFO < min_level)
		return;
	o = log_start(status >= 500 ? WP_LOG_ERROR : WP_LOG_INFO, "request");
	json_object_object_add(o, "method", json_object_new_string(method));
	json_object_object_add(o, "path", json_object_new_string(path));
	json_object_object_add(o, "status", json_object_new_int((int)status));
	json_object_object_add(o, "ms", json_object_new_double((double)(long)(ms * 1000) / 1000));
	if (actor)
		json_object_object_add(o, "actor", json_object_new_string(actor));
	log_emit(o);
}
