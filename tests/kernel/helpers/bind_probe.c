// SPDX-License-Identifier: GPL-2.0-only
/*
 * bind_probe: open /dev/workphone and bind.  The exit status is the errno
 * of the bind (0 when bound), so tests can run copies of this program that
 * are unsigned, signed with the wrong key, modified, writable, preloaded,
 * traced or started through the dynamic loader, and read the verdict.
 *
 *   bind_probe            bind once
 *   bind_probe --wait     read one byte from stdin first (lets a test act
 *                         on the running process before it binds)
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/workphone.h>

/* The build tampers with this string to make a modified signed binary. */
static volatile const char wp_tamper_target[] = "workphone-probe-pristine";

int main(int argc, char **argv)
{
	struct workphone_bind bind = { .size = sizeof(bind) };
	char byte;
	int fd;

	if (!wp_tamper_target[0])
		return 253;
	if (argc > 1 && !strcmp(argv[1], "--wait") && read(0, &byte, 1) != 1)
		return 254;
	fd = open("/dev/workphone", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return 255;
	if (ioctl(fd, WORKPHONE_IOC_BIND, &bind))
		return errno;
	return 0;
}
