/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wpvmm: the JSON control socket (start, pause, resume, stop, status,
 * ping, console, and the password commands unlock, passwd, lock,
 * activity, admin-unlock), for wpctl and wpd.  The protocol is specified
 * in Documentation/image-format.rst ("Control socket"), the password
 * commands in Documentation/device-tools.rst ("Password").
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WPVMM_CONTROL_H
#define WPVMM_CONTROL_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

struct vm;
struct control;

#define CONTROL_PROTOCOL_VERSION	1

/* Listen on path (may be NULL: no socket, stop handling only). */
struct control *control_new(struct vm *vm, const char *path);
/*
 * Stop the VM: cleanly through the guest agent unless force, within
 * timeout_ms, then forcibly.  Used by "stop" and by SIGTERM/SIGINT.
 */
void control_request_stop(struct control *ctl, bool force, uint32_t timeout_ms,
			  const char *who);
/* The VM stopped: answer waiting "stop" requests, close everything. */
void control_free(struct control *ctl, const char *reason, const char *detail);

/* Replies: {"ok":true}, and {"ok":false,"code":CODE,"error":MESSAGE}. */
json_object *control_ok_reply(void);
json_object *control_error_reply(const char *code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* WPVMM_CONTROL_H */
