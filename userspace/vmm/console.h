/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wpvmm: the host side of the guest's serial console.  Output goes to the
 * configured backend (stdio, a pty, a unix socket, a file), to a history
 * ring and to every attached client; input from any of them goes to the
 * UART.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WPVMM_CONSOLE_H
#define WPVMM_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

struct vm;
struct vmm_config;
struct console;

typedef void (*console_input_fn)(void *opaque, const uint8_t *buf, size_t len);

struct console *console_new(struct vm *vm, const struct vmm_config *cfg);
void console_free(struct console *con);
/* Guest output (any thread). */
void console_output(struct console *con, const uint8_t *buf, size_t len);
/* Where guest input goes (the UART). */
void console_set_input(struct console *con, console_input_fn fn, void *opaque);
/* Hand a connected stream to the console: history, then live; 0 or -errno. */
int console_attach(struct console *con, int fd);
/* The pty or socket path, or NULL. */
const char *console_path(const struct console *con);
/* Backend name: "stdio", "pty", "unix", "file", "none". */
const char *console_kind_name(const struct console *con);

#endif /* WPVMM_CONSOLE_H */
