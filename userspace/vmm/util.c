// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpvmm: logging, input errors and small helpers.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "util.h"

int vmm_log_level = VMM_LOG_INFO;
bool vmm_log_json;

static const char *const level_names[] = {
	[VMM_LOG_ERR] = "error",
	[VMM_LOG_WARN] = "warning",
	[VMM_LOG_INFO] = "info",
	[VMM_LOG_DEBUG] = "debug",
};

static void emit(int level, const char *field, const char *msg)
{
	if (vmm_log_json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "level", json_object_new_string(level_names[level]));
		if (field)
			json_object_object_add(o, "field", json_object_new_string(field));
		json_object_object_add(o, field ? "error" : "message",
				       json_object_new_string(msg));
		fprintf(stderr, "%s\n",
			json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
	} else if (field) {
		fprintf(stderr, "wpvmm: %s: %s\n", field, msg);
	} else if (level == VMM_LOG_WARN) {
		fprintf(stderr, "wpvmm: warning: %s\n", msg);
	} else {
		fprintf(stderr, "wpvmm: %s\n", msg);
	}
}

void vmm_log(int level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (level > vmm_log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	emit(level, NULL, msg);
}

int vmm_input_error(const char *field, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	emit(VMM_LOG_ERR, field, msg);
	return -EINVAL;
}

uint64_t vmm_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

int vmm_set_nonblock(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

const char *vmm_open_strerror(int err)
{
	if (err == ELOOP)
		return "a symbolic link: the files of an image directory must be regular files in it";
	return strerror(err);
}
