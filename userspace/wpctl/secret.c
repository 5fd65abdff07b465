// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpctl: reading passwords.  From the terminal (/dev/tty) with echo off,
 * or one line of standard input (--password-stdin).  Bytes are read one
 * at a time with read(2), so no stdio buffer keeps a copy, and the
 * terminal is restored even if a signal interrupts the prompt.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "wpctl.h"

static int tty_fd = -1;
static struct termios tty_saved;

static void restore_tty(int sig)
{
	if (tty_fd >= 0)
		tcsetattr(tty_fd, TCSAFLUSH, &tty_saved);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* One line into buf (NUL-terminated, newline dropped); 0, 1 at EOF, -E2BIG, -errno. */
static int read_line(int fd, char *buf, size_t len)
{
	size_t n = 0;
	char ch;

	for (;;) {
		ssize_t r = read(fd, &ch, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0) {
			if (!n)
				return 1;
			break;
		}
		if (ch == '\n')
			break;
		if (n + 1 >= len) {
			/* Swallow the rest of the line, keep nothing of it. */
			while (read(fd, &ch, 1) == 1 && ch != '\n')
				;
			ch = 0;
			OPENSSL_cleanse(buf, len);
			return -E2BIG;
		}
		buf[n++] = ch;
	}
	if (n && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	ch = 0;
	return 0;
}

int wpctl_read_secret(const char *what, const char *prompt, bool from_stdin,
		      char *buf, size_t len)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP };
	void (*old[sizeof(sigs) / sizeof(sigs[0])])(int);
	struct termios t;
	int ret;

	if (from_stdin) {
		ret = read_line(STDIN_FILENO, buf, len);
		if (ret == 1) {
			fprintf(stderr, "wpctl: %s: standard input ended before the %s\n", what, prompt);
			return WPCTL_USAGE;
		}
	} else {
		tty_fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
		if (tty_fd < 0 || tcgetattr(tty_fd, &tty_saved)) {
			fprintf(stderr, "wpctl: %s: no terminal to ask for the %s on: use --password-stdin\n",
				what, prompt);
			if (tty_fd >= 0)
				close(tty_fd);
			tty_fd = -1;
			return WPCTL_USAGE;
		}
		for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
			old[i] = signal(sigs[i], restore_tty);
		t = tty_saved;
		t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		t.c_lflag |= ICANON;
		tcsetattr(tty_fd, TCSAFLUSH, &t);
		dprintf(tty_fd, "%c%s: ", toupper((unsigned char)prompt[0]), prompt + 1);
		ret = read_line(tty_fd, buf, len);
		tcsetattr(tty_fd, TCSAFLUSH, &tty_saved);
		dprintf(tty_fd, "\n");
		for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
			signal(sigs[i], old[i]);
		close(tty_fd);
		tty_fd = -1;
		if (ret == 1) {
			fprintf(stderr, "wpctl: %s: no %s given\n", what, prompt);
			return WPCTL_USAGE;
		}
	}
	if (ret == -E2BIG) {
		fprintf(stderr, "wpctl: %s: the %s is longer than %zu bytes\n", what, prompt, len - 1);
		return WPCTL_USAGE;
	}
	if (ret) {
		fprintf(stderr, "wpctl: %s: reading the %s: %s\n", what, prompt, strerror(-ret));
		return WPCTL_FAILED;
	}
	if (!buf[0]) {
		fprintf(stderr, "wpctl: %s: the %s is empty\n", what, prompt);
		return WPCTL_USAGE;
	}
	return WPCTL_OK;
}

void wpctl_wipe_request(json_object *req)
{
	static const char *const keys[] = { "password", "old", "new" };
	json_object *v;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (json_object_object_get_ex(req, keys[i], &v) &&
		    json_object_is_type(v, json_type_string))
			OPENSSL_cleanse((void *)json_object_get_string(v),
					(size_t)json_object_get_string_len(v));
}
