/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wpvmm: logging, error reporting and small helpers shared by every file.
 *
 * Errors about the user's input name the field and say why
 * (vmm_input_error()); everything else is logged with vmm_err() and
 * friends, one line each, prefixed with "wpvmm: ".
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WPVMM_UTIL_H
#define WPVMM_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MIN(a, b)	((a) < (b) ? (a) : (b))
#define MAX(a, b)	((a) > (b) ? (a) : (b))
#define ALIGN_UP(x, a)	(((x) + (a) - 1) & ~((uint64_t)(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a) - 1))
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#define KIB(x)	((uint64_t)(x) << 10)
#define MIB(x)	((uint64_t)(x) << 20)
#define GIB(x)	((uint64_t)(x) << 30)

#define NSEC_PER_MSEC	1000000ULL
#define NSEC_PER_SEC	1000000000ULL

enum vmm_log_level { VMM_LOG_ERR, VMM_LOG_WARN, VMM_LOG_INFO, VMM_LOG_DEBUG };

/* Messages at or below this level are printed (default: info). */
extern int vmm_log_level;
/* --json: errors and the exit report are JSON objects on stderr. */
extern bool vmm_log_json;

void vmm_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#define vmm_err(...)	vmm_log(VMM_LOG_ERR, __VA_ARGS__)
#define vmm_warn(...)	vmm_log(VMM_LOG_WARN, __VA_ARGS__)
#define vmm_info(...)	vmm_log(VMM_LOG_INFO, __VA_ARGS__)
#define vmm_debug(...)	vmm_log(VMM_LOG_DEBUG, __VA_ARGS__)

/*
 * Report bad input: "wpvmm: FIELD: REASON" (or a JSON object with "field"
 * and "error").  Returns -EINVAL so callers can "return vmm_input_error()".
 */
int vmm_input_error(const char *field, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t vmm_now_ns(void);

/* Set O_NONBLOCK on fd; 0 or -errno. */
int vmm_set_nonblock(int fd);

/*
 * strerror() for an open() of a guest's file: ELOOP from O_NOFOLLOW is
 * named for what it is, a refused symbolic link.
 */
const char *vmm_open_strerror(int err);

#endif /* WPVMM_UTIL_H */
