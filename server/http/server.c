// SPDX-License-Identifier: GPL-2.0-only
/*
 * The libmicrohttpd server: an epoll thread pool, TLS when a certificate is
 * configured (plain HTTP only on loopback), request bodies buffered up to
 * max-body (413 beyond) or streamed for uploads, authentication before the
 * body is read, one structured log line per request.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "../util/log.h"

struct wp_http {
	struct MHD_Daemon *daemon;
	struct wp_app *app;
	char *tls_cert;
	char *tls_key;
	atomic_int inflight;	/* requests begun and not yet completed */
};

/* Per-request state (MHD's *con_cls). */
struct request_state {
	struct wp_request req;
	struct wp_reply rep;
	bool responded;		/* a response was queued early */
	bool failed;		/* rep holds an error for the end of the body */
	unsigned status;
	struct timespec start;
};

static double elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) * 1e3 +
	       (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

static enum MHD_Result queue(struct request_state *st)
{
	struct MHD_Response *r = wp_reply_build(&st->rep);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	st->status = st->rep.status;
	ret = MHD_queue_response(st->req.conn, st->rep.status, r);
	MHD_destroy_response(r);
	st->responded = true;
	return ret;
}

static enum MHD_Result collect_query(void *cls, enum MHD_ValueKind kind,
				     const char *key, const char *value)
{
	struct wp_request *req = cls;

	(void)kind;
	if (req->nquery == MAX_QUERY)
		return MHD_NO;
	req->query[req->nquery].key = key;
	req->query[req->nquery].value = value ? value : "";
	req->nquery++;
	return MHD_YES;
}

static int authorize(struct wp_request *req)
{
	const char *h = wp_req_header(req, MHD_HTTP_HEADER_AUTHORIZATION);
	enum wp_auth_need need = req->route->auth;

	if (need == AUTH_NONE)
		return 0;
	if (!h || strncasecmp(h, "Bearer ", 7))
		return wp_fail(&req->err, 401, "unauthorized", NULL,
			       "this endpoint needs an Authorization: Bearer token");
	if (wp_auth_resolve(req->app, h + 7, &req->who, &req->err))
		return -1;
	if (need == AUTH_DEVICE)
		return req->who.kind == PRINCIPAL_DEVICE ? 0 :
		       wp_fail(&req->err, 403, "forbidden", NULL, "this endpoint is for devices");
	if (req->who.kind != PRINCIPAL_ADMIN)
		return wp_fail(&req->err, 403, "forbidden", NULL,
			       "this endpoint is for administrators");
	if ((need == AUTH_ADMIN && req->who.role < ROLE_ADMIN) ||
	    (need == AUTH_HELPDESK && req->who.role < ROLE_HELPDESK))
		return wp_fail(&req->err, 403, "forbidden", NULL,
			       "role %s may not do this", wp_role_name(req->who.role));
	return 0;
}

/* First call: route, limits and authentication, before any body byte. */
static int start_request(struct wp_http *http, struct request_state *st)
{
	struct wp_request *req = &st->req;
	const char *cl = wp_req_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
	long long limit;

	req->route = wp_route_match(req->method, req->url, req->path_params, &req->err);
	if (!req->route)
		return -1;
	MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, collect_query, req);
	if (req->nquery == MAX_QUERY)
		return WP_BAD(&req->err, "query", "more than %d query parameters", MAX_QUERY - 1);
	limit = req->route->stream_begin ? http->app->cfg->max_upload : http->app->cfg->max_body;
	if (cl && strtoll(cl, NULL, 10) > limit)
		return wp_fail(&req->err, 413, "payload_too_large", "body",
			       "request body of %s bytes is larger than the limit of %lld", cl,
			       limit);
	if (authorize(req))
		return -1;
	if (!strcmp(req->method, "GET") && req->route->auth != AUTH_NONE &&
	    wp_route_check_query(req, &req->err))
		return -1;
	if (req->route->stream_begin)
		return req->route->stream_begin(req, &st->rep) ? -1 : 0;
	return 0;
}

static int add_body(struct wp_http *http, struct request_state *st, const char *data,
		    size_t len)
{
	struct wp_request *req = &st->req;

	if (req->route->stream_data)
		return req->route->stream_data(req, data, len, &st->rep);
	if (req->body_too_large)
		return 0;
	if (req->body_len + len > (size_t)http->app->cfg->max_body) {
		/* Chunked bodies have no Content-Length: found out here. */
		req->body_too_large = true;
		free(req->body);
		req->body = NULL;
		req->body_len = 0;
		return 0;
	}
	if (req->body_len + len + 1 > req->body_cap) {
		size_t cap = (req->body_len + len + 1) * 2;
		char *nb = realloc(req->body, cap);

		if (!nb)
			return WP_INTERNAL(&req->err, "out of memory");
		req->body = nb;
		req->body_cap = cap;
	}
	memcpy(req->body + req->body_len, data, len);
	req->body_len += len;
	req->body[req->body_len] = '\0';
	return 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	struct wp_http *http = cls;
	struct request_state *st = *con_cls;

	(void)version;
	if (!st) {
		st = calloc(1, sizeof(*st));
		if (!st)
			return MHD_NO;
		*con_cls = st;
		atomic_fetch_add(&http->inflight, 1);
		clock_gettime(CLOCK_MONOTONIC, &st->start);
		st->req.app = http->app;
		st->req.conn = conn;
		st->req.method = method;
		st->req.url = url;
		st->rep.fd = -1;
		if (start_request(http, st)) {
			wp_reply_error(&st->rep, &st->req.err);
			/* Answer before the body: MHD then closes the connection. */
			return queue(st);
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (!st->responded && !st->failed &&
		    add_body(http, st, upload_data, *upload_data_size)) {
			wp_reply_error(&st->rep, &st->req.err);
			st->failed = true;
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (st->responded)
		return MHD_YES;
	if (!st->failed && st->req.body_too_large) {
		wp_fail(&st->req.err, 413, "payload_too_large", "body",
			"request body is larger than the limit of %lld bytes",
			http->app->cfg->max_body);
		wp_reply_error(&st->rep, &st->req.err);
	} else if (!st->failed) {
		st->req.route->handle(&st->req, &st->rep);
	}
	return queue(st);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode code)
{
	struct wp_http *http = cls;
	struct request_state *st = *con_cls;

	(void)conn;
	if (!st)
		return;
	wp_log_request(st->req.method, st->req.url,
		       st->status ? st->status : (code == MHD_REQUEST_TERMINATED_COMPLETED_OK ? 200 : 499),
		       elapsed_ms(&st->start), st->req.who.name[0] ? st->req.who.name : NULL);
	if (st->req.route && st->req.route->stream_free)
		st->req.route->stream_free(&st->req);
	for (int i = 0; i < MAX_PATH_PARAMS; i++)
		free(st->req.path_params[i]);
	free(st->req.body);
	json_object_put(st->rep.body);
	if (st->rep.fd >= 0)
		close(st->rep.fd);
	free(st);
	*con_cls = NULL;
	atomic_fetch_sub(&http->inflight, 1);
}

/* libmicrohttpd's own messages, as JSON log lines like everything else. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t len;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	len = strlen(msg);
	while (len && (msg[len - 1] == '\n' || msg[len - 1] == '\r'))
		msg[--len] = '\0';
	wp_log(WP_LOG_WARN, "libmicrohttpd", "detail", msg, NULL);
}

static char *slurp(const char *path, struct wp_err *err)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f) {
		wp_fail(err, 400, "invalid_config", NULL, "%s: %s", path, strerror(errno));
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = n >= 0 && n < (1 << 20) ? malloc((size_t)n + 1) : NULL;
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(buf);
		wp_fail(err, 400, "invalid_config", NULL, "%s: cannot read", path);
		return NULL;
	}
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int parse_listen(const char *listen, struct sockaddr_storage *ss, bool *loopback,
			struct wp_err *err)
{
	char host[100];
	const char *colon = strrchr(listen, ':');
	long port;
	char *end;

	memset(ss, 0, sizeof(*ss));
	if (!colon || (size_t)(colon - listen) >= sizeof(host))
		return wp_fail(err, 400, "invalid_config", "listen",
			       "listen must be HOST:PORT, e.g. 127.0.0.1:8443 or [::]:443");
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	port = strtol(colon + 1, &end, 10);
	if (*end || port < 0 || port > 65535)
		return wp_fail(err, 400, "invalid_config", "listen", "bad port in '%s'", listen);
	if (host[0] == '[') {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		size_t len = strlen(host);

		if (host[len - 1] != ']')
			return wp_fail(err, 400, "invalid_config", "listen", "bad IPv6 address");
		host[len - 1] = '\0';
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host + 1, &a->sin6_addr) != 1)
			return wp_fail(err, 400, "invalid_config", "listen", "bad IPv6 address");
		*loopback = IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, host[0] ? host : "0.0.0.0", &a->sin_addr) != 1)
			return wp_fail(err, 400, "invalid_config", "listen",
				       "'%s' is not an IP address", host);
		*loopback = (ntohl(a->sin_addr.s_addr) >> 24) == 127;
	}
	return 0;
}

int wp_http_start(struct wp_app *app, struct wp_http **out, struct wp_err *err)
{
	const struct wp_config *cfg = app->cfg;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
			     MHD_USE_ITC | MHD_USE_ERROR_LOG;
	struct sockaddr_storage ss;
	struct wp_http *http;
	bool loopback = false;

	if (parse_listen(cfg->listen, &ss, &loopback, err))
		return -1;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (!cfg->tls_cert[0] && !loopback)
		return wp_fail(err, 400, "invalid_config", "tls-cert",
			       "plain HTTP is only allowed on loopback: configure --tls-cert and"
			       " --tls-key to listen on %s", cfg->listen);
	http = calloc(1, sizeof(*http));
	if (!http)
		return WP_INTERNAL(err, "out of memory");
	http->app = app;
	if (cfg->tls_cert[0]) {
		flags |= MHD_USE_TLS;
		if (!(http->tls_cert = slurp(cfg->tls_cert, err)) ||
		    !(http->tls_key = slurp(cfg->tls_key, err))) {
			wp_http_stop(http);
			return -1;
		}
	}
	if (wp_router_init()) {
		wp_http_stop(http);
		return WP_INTERNAL(err, "route table");
	}
	/* The TLS options, or none: an array that starts at its end. */
	struct MHD_OptionItem tls[] = {
		{ MHD_OPTION_HTTPS_MEM_CERT, 0, http->tls_cert },
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, http->tls_key },
		{ MHD_OPTION_END, 0, NULL },
	};

	http->daemon = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, http,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)cfg->threads,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, http,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)120,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)4000,
		MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int)1024,
		MHD_OPTION_ARRAY, http->tls_cert ? tls : &tls[2],
		MHD_OPTION_END);
	if (!http->daemon) {
		wp_http_stop(http);
		return WP_INTERNAL(err, "cannot listen on %s (in use, or bad TLS files?)",
				   cfg->listen);
	}
	*out = http;
	return 0;
}

uint16_t wp_http_port(struct wp_http *http)
{
	const union MHD_DaemonInfo *info =
		MHD_get_daemon_info(http->daemon, MHD_DAEMON_INFO_BIND_PORT);

	return info ? info->port : 0;
}

/*
 * Stop accepting, let the requests in flight finish - a download
 * included - for up to shutdown-timeout seconds, then stop.  Idle
 * keep-alive connections do not hold the shutdown up.  The listening
 * socket MHD hands back is shut down at once, so new clients are refused
 * rather than left waiting in the backlog, but closed only after
 * MHD_stop_daemon() (its threads may still hold it until then).
 */
void wp_http_stop(struct wp_http *http)
{
	if (!http)
		return;
	if (http->daemon) {
		MHD_socket lfd = MHD_quiesce_daemon(http->daemon);
		struct timespec tick = { 0, 20 * 1000 * 1000 };
		long waited_ms = 0, limit_ms = http->app->cfg->shutdown_timeout_s * 1000L;
		int n = atomic_load(&http->inflight);

		if (lfd != MHD_INVALID_SOCKET)
			shutdown(lfd, SHUT_RDWR);
		if (n) {
			char count[16];

			snprintf(count, sizeof(count), "%d", n);
			wp_log(WP_LOG_INFO, "draining requests in flight", "requests", count, NULL);
		}
		while (atomic_load(&http->inflight) > 0 && waited_ms < limit_ms) {
			nanosleep(&tick, NULL);
			waited_ms += 20;
		}
		if ((n = atomic_load(&http->inflight)) > 0) {
			char count[16];

			snprintf(count, sizeof(count), "%d", n);
			wp_log(WP_LOG_WARN, "shutdown timeout: cutting requests in flight",
			       "requests", count, NULL);
		}
		MHD_stop_daemon(http->daemon);
		if (lfd != MHD_INVALID_SOCKET)
			close(lfd);
	}
	wp_router_free();
	free(http->tls_cert);
	free(http->tls_key);
	free(http);
}
