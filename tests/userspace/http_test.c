// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests (cmocka) of wp_http_download() against a tiny HTTP server on
 * loopback (a child process): resuming with a Range request, and that a
 * symbolic or hard link planted at the .part name is replaced, never
 * written through (Documentation/threat-model.rst).
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "fileio.h"
#include "http.h"

#define BODY "0123456789abcdefghijklmnopqrstuvwxyz"

static char dir[] = "/tmp/wp-http-XXXXXX";
#include "testfiles.h"
static pid_t server;
static char base_url[64];

/*
 * Serve BODY at any path: 206 from the offset of a "Range: bytes=N-"
 * header (416 from its end on), except under /norange (always 200, the
 * whole body).
 */
static void serve(int lfd)
{
	char req[4096], head[256];
	size_t got;
	ssize_t n;
	long from;
	int c;

	for (;;) {
		c = accept(lfd, NULL, NULL);
		if (c < 0)
			_exit(1);
		got = 0;
		while (got < sizeof(req) - 1 &&
		       (n = read(c, req + got, sizeof(req) - 1 - got)) > 0) {
			got += (size_t)n;
			req[got] = '\0';
			if (strstr(req, "\r\n\r\n"))
				break;
		}
		req[got] = '\0';
		const char *r = strcasestr(req, "\r\nRange: bytes=");

		from = r && strncmp(req, "GET /norange", 12) ? atol(r + 15) : -1;
		if (from >= (long)strlen(BODY)) {
			snprintf(head, sizeof(head),
				 "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */%zu\r\n"
				 "Content-Length: 0\r\nConnection: close\r\n\r\n", strlen(BODY));
			if (write(c, head, strlen(head)) < 0)
				_exit(1);
			close(c);
			continue;
		}
		if (from < 0)
			from = -1;
		if (from >= 0)
			snprintf(head, sizeof(head),
				 "HTTP/1.1 206 Partial Content\r\nContent-Length: %zu\r\n"
				 "Content-Range: bytes %ld-%zu/%zu\r\nConnection: close\r\n\r\n",
				 strlen(BODY) - (size_t)from, from, strlen(BODY) - 1, strlen(BODY));
		else
			snprintf(head, sizeof(head),
				 "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n"
				 "Connection: close\r\n\r\n", strlen(BODY));
		if (write(c, head, strlen(head)) < 0 ||
		    write(c, BODY + (from > 0 ? from : 0),
			  strlen(BODY) - (size_t)(from > 0 ? from : 0)) < 0)
			_exit(1);
		close(c);
	}
}

static int setup(void **state)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	int lfd;

	(void)state;
	if (!mkdtemp(dir))
		return -1;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(lfd, 8) || getsockname(lfd, (struct sockaddr *)&sa, &sl))
		return -1;
	snprintf(base_url, sizeof(base_url), "http://127.0.0.1:%u", ntohs(sa.sin_port));
	server = fork();
	if (server < 0)
		return -1;
	if (!server)
		serve(lfd);
	close(lfd);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	kill(server, SIGTERM);
	waitpid(server, NULL, 0);
	return wp_remove_tree(dir);
}

static int download(const char *url_path, const char *dest, char *err, size_t err_len)
{
	struct wp_http *h = wp_http_new(base_url, NULL, err, err_len);
	int ret;

	assert_non_null(h);
	ret = wp_http_download(h, url_path, dest, NULL, NULL, err, err_len);
	wp_http_free(h);
	return ret;
}

static void download_fresh_and_resumed(void **state)
{
	char err[512] = "";

	(void)state;
	assert_int_equal(0, download("/blob", at("a.part"), err, sizeof(err)));
	assert_content(at("a.part"), BODY);
	/* Resume from a partial file of our own. */
	put(at("b.part"), "0123456789");
	if (download("/blob", at("b.part"), err, sizeof(err)))
		fail_msg("%s", err);
	assert_content(at("b.part"), BODY);
	unlink(at("a.part"));
	unlink(at("b.part"));
}

static void download_refuses_a_server_that_ignores_the_range(void **state)
{
	char err[512] = "";

	(void)state;
	put(at("c.part"), "0123456789");
	assert_int_equal(-1, download("/norange", at("c.part"), err, sizeof(err)));
	if (!strstr(err, "resume"))
		fail_msg("%s", err);
	/* Nothing was appended: the part was emptied, and the next run works. */
	assert_content(at("c.part"), "");
	if (download("/norange", at("c.part"), err, sizeof(err)))
		fail_msg("%s", err);
	assert_content(at("c.part"), BODY);
	unlink(at("c.part"));
}

/* A part that is already whole gets 416 to its resume: nothing to fetch. */
static void download_of_a_complete_part_is_done(void **state)
{
	char err[512] = "";

	(void)state;
	put(at("d.part"), BODY);
	if (download("/blob", at("d.part"), err, sizeof(err)))
		fail_msg("%s", err);
	assert_content(at("d.part"), BODY);
	unlink(at("d.part"));
}

static void download_replaces_a_planted_link(void **state)
{
	char err[512] = "";
	char hex[65];
	struct stat st;

	(void)state;
	put(at("outside"), "0123");
	/* A symbolic link: the target is neither appended to nor hashed. */
	assert_int_equal(0, symlink(at("outside"), at("d.part")));
	if (download("/blob", at("d.part"), err, sizeof(err)))
		fail_msg("%s", err);
	assert_content(at("outside"), "0123");
	assert_int_equal(0, lstat(at("d.part"), &st));
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(1, st.st_nlink);
	assert_content(at("d.part"), BODY);
	assert_int_equal(0, wp_sha256_file(at("d.part"), hex));

	/* A hard link to another file: same. */
	unlink(at("d.part"));
	assert_int_equal(0, link(at("outside"), at("d.part")));
	if (download("/blob", at("d.part"), err, sizeof(err)))
		fail_msg("%s", err);
	assert_content(at("outside"), "0123");
	assert_content(at("d.part"), BODY);
	unlink(at("d.part"));
	unlink(at("outside"));
}

static void download_error_names_the_file(void **state)
{
	char err[512] = "";

	(void)state;
	assert_int_equal(0, mkdir(at("e.part"), 0700));
	assert_int_equal(-1, download("/blob", at("e.part"), err, sizeof(err)));
	assert_non_null(strstr(err, at("e.part")));
	rmdir(at("e.part"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(download_fresh_and_resumed),
		cmocka_unit_test(download_refuses_a_server_that_ignores_the_range),
		cmocka_unit_test(download_of_a_complete_part_is_done),
		cmocka_unit_test(download_replaces_a_planted_link),
		cmocka_unit_test(download_error_names_the_file),
	};

	alarm(120);
	return cmocka_run_group_tests(tests, setup, teardown);
}
