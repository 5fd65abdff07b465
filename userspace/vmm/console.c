// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpvmm: console backends, history and attached clients.
 *
 * Output is written from vCPU threads under con->lock; slow clients lose
 * output rather than stall the guest (their sockets are non-blocking).
 * Clients are added and removed by the main loop only, so a descriptor is
 * never closed while a vCPU thread may write to it.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "fileio.h"
#include "config.h"
#include "console.h"
#include "evloop.h"
#include "util.h"
#include "vm.h"

#define HISTORY_SIZE	(64 * 1024)
#define MAX_CLIENTS	8

struct console_client {
	int fd;
	bool dead;
};

struct console {
	struct vm *vm;
	enum console_kind kind;
	char *path;
	int out_fd;		/* stdout, pty master, file; -1 */
	int in_fd;		/* stdin, pty master; -1 */
	int pty_slave;		/* kept open so the master never sees EIO */
	int listen_fd;		/* CONSOLE_UNIX */
	bool restore_tty;
	struct termios saved_tty;

	pthread_mutex_t lock;
	uint8_t history[HISTORY_SIZE];
	size_t history_head;	/* next write position */
	bool history_wrapped;
	struct console_client clients[MAX_CLIENTS];
	console_input_fn input;
	void *input_opaque;
};

static struct termios *atexit_tty;
static struct termios atexit_saved;

static void restore_stdin_tty(void)
{
	if (atexit_tty)
		tcsetattr(STDIN_FILENO, TCSANOW, atexit_tty);
}

void console_output(struct console *con, const uint8_t *buf, size_t len)
{
	pthread_mutex_lock(&con->lock);
	for (size_t i = 0; i < len; i++) {
		con->history[con->history_head++] = buf[i];
		if (con->history_head == HISTORY_SIZE) {
			con->history_head = 0;
			con->history_wrapped = true;
		}
	}
	if (con->out_fd >= 0) {
		if (con->kind == CONSOLE_STDIO || con->kind == CONSOLE_FILE)
			wp_write_all(con->out_fd, buf, len);
		else if (write(con->out_fd, buf, len) < 0 && errno != EAGAIN)
			vmm_debug("console: %s", strerror(errno));	/* dropped */
	}
	for (int i = 0; i < MAX_CLIENTS; i++) {
		struct console_client *c = &con->clients[i];

		if (c->fd >= 0 && !c->dead &&
		    send(c->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 &&
		    errno != EAGAIN && errno != EWOULDBLOCK)
			c->dead = true;
	}
	pthread_mutex_unlock(&con->lock);
}

void console_set_input(struct console *con, console_input_fn fn, void *opaque)
{
	pthread_mutex_lock(&con->lock);
	con->input = fn;
	con->input_opaque = opaque;
	pthread_mutex_unlock(&con->lock);
}

static void deliver_input(struct console *con, const uint8_t *buf, size_t len)
{
	console_input_fn fn;
	void *opaque;

	pthread_mutex_lock(&con->lock);
	fn = con->input;
	opaque = con->input_opaque;
	pthread_mutex_unlock(&con->lock);
	if (fn)
		fn(opaque, buf, len);
}

static void client_remove(struct console *con, int fd)
{
	evloop_del(con->vm->loop, fd);
	pthread_mutex_lock(&con->lock);
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (con->clients[i].fd == fd)
			con->clients[i].fd = -1;
	pthread_mutex_unlock(&con->lock);
	close(fd);
}

struct client_watch {
	struct console *con;
	int fd;
};

static void client_ready(void *opaque, uint32_t events)
{
	struct client_watch *w = opaque;
	struct console *con = w->con;
	uint8_t buf[512];
	ssize_t n;

	n = recv(w->fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n > 0) {
		deliver_input(con, buf, (size_t)n);
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR) && !(events & (EPOLLHUP | EPOLLERR)))
		return;
	client_remove(con, w->fd);
	free(w);
}

int console_attach(struct console *con, int fd)
{
	struct client_watch *w;
	int slot = -1, ret;

	pthread_mutex_lock(&con->lock);
	for (int i = 0; i < MAX_CLIENTS; i++) {
		if (con->clients[i].fd < 0) {
			slot = i;
			break;
		}
	}
	pthread_mutex_unlock(&con->lock);
	if (slot < 0)
		return -EMFILE;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->con = con;
	w->fd = fd;
	ret = evloop_add(con->vm->loop, fd, EPOLLIN, client_ready, w);
	if (ret) {
		free(w);
		return ret;
	}
	pthread_mutex_lock(&con->lock);
	/* History first, in order, then live output: one critical section. */
	if (con->history_wrapped)
		send(fd, con->history + con->history_head, HISTORY_SIZE - con->history_head,
		     MSG_NOSIGNAL | MSG_DONTWAIT);
	send(fd, con->history, con->history_head, MSG_NOSIGNAL | MSG_DONTWAIT);
	vmm_set_nonblock(fd);
	con->clients[slot] = (struct console_client){ .fd = fd };
	pthread_mutex_unlock(&con->lock);
	return 0;
}

static void listen_ready(void *opaque, uint32_t events)
{
	struct console *con = opaque;
	int fd;

	(void)events;
	fd = accept4(con->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (console_attach(con, fd))
		close(fd);
}

static void in_ready(void *opaque, uint32_t events)
{
	struct console *con = opaque;
	uint8_t buf[512];
	ssize_t n;

	n = read(con->in_fd, buf, sizeof(buf));
	if (n > 0) {
		deliver_input(con, buf, (size_t)n);
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR || errno == EIO))
		return;
	(void)events;
	/* End of input (stdin closed): output goes on. */
	evloop_del(con->vm->loop, con->in_fd);
	con->in_fd = -1;
}

static int setup_stdio(struct console *con)
{
	struct stat st;

	con->out_fd = STDOUT_FILENO;
	if (fstat(STDIN_FILENO, &st))
		return 0;
	if (isatty(STDIN_FILENO) && !tcgetattr(STDIN_FILENO, &con->saved_tty)) {
		struct termios raw = con->saved_tty;

		/* Raw, but ^C still reaches wpvmm (SIGINT: stop the VM). */
		cfmakeraw(&raw);
		raw.c_lflag |= ISIG;
		raw.c_oflag |= OPOST | ONLCR;
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
		atexit_saved = con->saved_tty;
		atexit_tty = &atexit_saved;
		atexit(restore_stdin_tty);
	}
	/* epoll refuses regular files: input only from ttys, pipes, sockets. */
	if (S_ISREG(st.st_mode))
		return 0;
	con->in_fd = STDIN_FILENO;
	if (evloop_add(con->vm->loop, con->in_fd, EPOLLIN, in_ready, con))
		con->in_fd = -1;
	return 0;
}

static int setup_pty(struct console *con)
{
	struct termios raw;
	char *name;
	int fd;

	fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 || grantpt(fd) || unlockpt(fd) || !(name = ptsname(fd))) {
		vmm_err("console: cannot create a pty: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -EIO;
	}
	con->path = strdup(name);
	con->pty_slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (con->pty_slave >= 0 && !tcgetattr(con->pty_slave, &raw)) {
		cfmakeraw(&raw);
		tcsetattr(con->pty_slave, TCSANOW, &raw);
	}
	vmm_set_nonblock(fd);
	con->out_fd = fd;
	con->in_fd = fd;
	if (evloop_add(con->vm->loop, fd, EPOLLIN, in_ready, con))
		return -EIO;
	vmm_info("console: %s", con->path);
	return 0;
}

static int setup_unix(struct console *con, const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(addr.sun_path))
		return vmm_input_error("console", "socket path %s is too long", path);
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) || listen(fd, 4)) {
		int err = errno;

		close(fd);
		return vmm_input_error("console", "cannot listen on %s: %s", path, strerror(err));
	}
	con->path = strdup(path);
	con->listen_fd = fd;
	return evloop_add(con->vm->loop, fd, EPOLLIN, listen_ready, con);
}

static int setup_file(struct console *con, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

	if (fd < 0)
		return vmm_input_error("console", "%s: %s", path, strerror(errno));
	con->path = strdup(path);
	con->out_fd = fd;
	return 0;
}

struct console *console_new(struct vm *vm, const struct vmm_config *cfg)
{
	struct console *con = calloc(1, sizeof(*con));
	int ret = 0;

	if (!con)
		return NULL;
	con->vm = vm;
	con->kind = cfg->console;
	con->out_fd = con->in_fd = con->pty_slave = con->listen_fd = -1;
	pthread_mutex_init(&con->lock, NULL);
	for (int i = 0; i < MAX_CLIENTS; i++)
		con->clients[i].fd = -1;
	switch (cfg->console) {
	case CONSOLE_STDIO: ret = setup_stdio(con); break;
	case CONSOLE_PTY: ret = setup_pty(con); break;
	case CONSOLE_UNIX: ret = setup_unix(con, cfg->console_path); break;
	case CONSOLE_FILE: ret = setup_file(con, cfg->console_path); break;
	case CONSOLE_NONE: break;
	}
	if (ret) {
		console_free(con);
		return NULL;
	}
	return con;
}

void console_free(struct console *con)
{
	if (!con)
		return;
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (con->clients[i].fd >= 0)
			close(con->clients[i].fd);
	if (con->listen_fd >= 0) {
		close(con->listen_fd);
		if (con->path)
			unlink(con->path);
	}
	if (con->kind == CONSOLE_PTY && con->out_fd >= 0)
		close(con->out_fd);
	if (con->kind == CONSOLE_FILE && con->out_fd >= 0)
		close(con->out_fd);
	if (con->pty_slave >= 0)
		close(con->pty_slave);
	restore_stdin_tty();
	atexit_tty = NULL;
	free(con->path);
	pthread_mutex_destroy(&con->lock);
	free(con);
}

const char *console_path(const struct console *con)
{
	return con ? con->path : NULL;
}

const char *console_kind_name(const struct console *con)
{
	static const char *const names[] = {
		[CONSOLE_STDIO] = "stdio", [CONSOLE_PTY] = "pty",
		[CONSOLE_UNIX] = "unix", [CONSOLE_FILE] = "file",
		[CONSOLE_NONE] = "none",
	};

	return con ? names[con->kind] : "none";
}
