// SPDX-License-Identifier: GPL-2.0-only
/*
 * The one HTTP client of the device and admin tools (libcurl).
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "fileio.h"
#include "http.h"

struct wp_http {
	char *base_url;
	char *ca_file;
	char *auth_header;
	long timeout_s;
};

struct wp_buf {
	char *data;
	size_t len;
};

static size_t wp_http_collect(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct wp_buf *b = userdata;
	size_t n = size * nmemb;
	char *grown = realloc(b->data, b->len + n + 1);

	if (!grown)
		return 0;
	memcpy(grown + b->len, ptr, n);
	b->data = grown;
	b->len += n;
	b->data[b->len] = '\0';
	return n;
}

static int wp_url_is_loopback(const char *url)
{
	static const char *const prefixes[] = {
		"http://127.", "http://localhost:", "http://localhost/",
		"http://[::1]",
	};

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(url, prefixes[i], strlen(prefixes[i])))
			return 1;
	return !strcmp(url, "http://localhost");
}

struct wp_http *wp_http_new(const char *base_url, const char *ca_file,
			    char *err, size_t err_len)
{
	struct wp_http *h;
	size_t n;

	if (!base_url || !*base_url) {
		snprintf(err, err_len, "server URL: empty");
		return NULL;
	}
	if (strncmp(base_url, "https://", 8) && !wp_url_is_loopback(base_url)) {
		snprintf(err, err_len,
			 "server URL '%s': must be https:// (plain http only on loopback)",
			 base_url);
		return NULL;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	h = calloc(1, sizeof(*h));
	if (!h || !(h->base_url = strdup(base_url)) ||
	    (ca_file && !(h->ca_file = strdup(ca_file)))) {
		wp_http_free(h);
		snprintf(err, err_len, "out of memory");
		return NULL;
	}
	n = strlen(h->base_url);
	while (n && h->base_url[n - 1] == '/')
		h->base_url[--n] = '\0';
	h->timeout_s = 30;
	return h;
}

void wp_http_free(struct wp_http *h)
{
	if (!h)
		return;
	free(h->base_url);
	free(h->ca_file);
	free(h->auth_header);
	free(h);
}

void wp_http_set_token(struct wp_http *h, const char *token)
{
	free(h->auth_header);
	h->auth_header = NULL;
	if (token && asprintf(&h->auth_header, "Authorization: Bearer %s", token) < 0)
		h->auth_header = NULL;
}

void wp_http_set_timeout(struct wp_http *h, long seconds)
{
	h->timeout_s = seconds;
}

static CURL *wp_http_easy(struct wp_http *h, const char *path,
			  struct curl_slist **headers, char *errbuf)
{
	CURL *c = curl_easy_init();
	char *url = NULL;

	if (!c || asprintf(&url, "%s%s", h->base_url, path) < 0) {
		if (c)
			curl_easy_cleanup(c);
		return NULL;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	free(url);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	if (h->ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, h->ca_file);
	if (h->auth_header)
		*headers = curl_slist_append(*headers, h->auth_header);
	return c;
}

int wp_http_json(struct wp_http *h, const char *method, const char *path,
		 json_object *body, struct wp_http_response *resp,
		 char *err, size_t err_len)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *headers = NULL;
	struct wp_buf buf = { 0 };
	CURLcode rc;
	CURL *c;

	memset(resp, 0, sizeof(*resp));
	c = wp_http_easy(h, path, &headers, errbuf);
	if (!c) {
		snprintf(err, err_len, "out of memory");
		return -1;
	}
	headers = curl_slist_append(headers, "Accept: application/json");
	if (body) {
		headers = curl_slist_append(headers, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_COPYPOSTFIELDS,
				 json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN));
	}
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, h->timeout_s);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, wp_http_collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &buf);
	rc = curl_easy_perform(c);
	if (rc != CURLE_OK) {
		snprintf(err, err_len, "%s %s%s: %s", method, h->base_url, path,
			 errbuf[0] ? errbuf : curl_easy_strerror(rc));
		free(buf.data);
		curl_slist_free_all(headers);
		curl_easy_cleanup(c);
		return -1;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
	resp->body = buf.data ? buf.data : strdup("");
	resp->len = buf.len;
	if (resp->len)
		resp->json = json_tokener_parse(resp->body);
	curl_slist_free_all(headers);
	curl_easy_cleanup(c);
	return 0;
}

void wp_http_response_free(struct wp_http_response *resp)
{
	free(resp->body);
	if (resp->json)
		json_object_put(resp->json);
	memset(resp, 0, sizeof(*resp));
}

const char *wp_http_error_text(const struct wp_http_response *resp)
{
	static __thread char text[512];
	json_object *e, *m, *f;

	if (resp->json && json_object_object_get_ex(resp->json, "error", &e) &&
	    json_object_object_get_ex(e, "message", &m)) {
		if (json_object_object_get_ex(e, "field", &f))
			snprintf(text, sizeof(text), "%s: %s", json_object_get_string(f),
				 json_object_get_string(m));
		else
			snprintf(text, sizeof(text), "%s", json_object_get_string(m));
		return text;
	}
	snprintf(text, sizeof(text), "HTTP %ld", resp->status);
	return text;
}

struct wp_download {
	int fd;
	int write_err;		/* errno of a failed write, 0 */
	int resume_ignored;	/* the server answered a Range with 200 */
	CURL *c;
	wp_http_progress_fn progress;
	void *ctx;
	long long offset;
};

static size_t wp_http_write_part(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct wp_download *d = userdata;
	size_t n = size * nmemb;
	long status = 0;
	int ret;

	/* Never append a whole file to the part already there. */
	if (d->offset) {
		curl_easy_getinfo(d->c, CURLINFO_RESPONSE_CODE, &status);
		if (status != 206) {
			d->resume_ignored = 1;
			return 0;
		}
	}
	ret = wp_write_all(d->fd, ptr, n);
	if (ret) {
		d->write_err = -ret;
		return 0;
	}
	return n;
}

static int wp_http_xferinfo(void *p, curl_off_t dltotal, curl_off_t dlnow,
			    curl_off_t ultotal, curl_off_t ulnow)
{
	struct wp_download *d = p;

	(void)ultotal;
	(void)ulnow;
	if (d->progress)
		d->progress(d->ctx, d->offset + dlnow,
			    dltotal ? d->offset + dltotal : -1);
	return 0;
}

int wp_http_download(struct wp_http *h, const char *path, const char *dest,
		     wp_http_progress_fn progress, void *ctx,
		     char *err, size_t err_len)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *headers = NULL;
	struct wp_download d = { .progress = progress, .ctx = ctx };
	CURLcode rc;
	long status = 0;
	off_t size;
	int ret;

	/*
	 * dest may be in a directory someone else can write: resume only a
	 * file of our own, never follow a link planted there.
	 */
	d.fd = wp_open_resumable(dest, &size);
	if (d.fd < 0) {
		snprintf(err, err_len, "%s: %s", dest, strerror(-d.fd));
		return -1;
	}
	d.offset = size;
	d.c = wp_http_easy(h, path, &headers, errbuf);
	if (!d.c) {
		close(d.fd);
		snprintf(err, err_len, "out of memory");
		return -1;
	}
	curl_easy_setopt(d.c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(d.c, CURLOPT_RESUME_FROM_LARGE, (curl_off_t)d.offset);
	curl_easy_setopt(d.c, CURLOPT_WRITEFUNCTION, wp_http_write_part);
	curl_easy_setopt(d.c, CURLOPT_WRITEDATA, &d);
	curl_easy_setopt(d.c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(d.c, CURLOPT_XFERINFOFUNCTION, wp_http_xferinfo);
	curl_easy_setopt(d.c, CURLOPT_XFERINFODATA, &d);
	curl_easy_setopt(d.c, CURLOPT_FAILONERROR, 1L);
	/* Fail a stalled transfer rather than a slow one. */
	curl_easy_setopt(d.c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(d.c, CURLOPT_LOW_SPEED_TIME, 60L);
	rc = curl_easy_perform(d.c);
	curl_easy_getinfo(d.c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(headers);
	curl_easy_cleanup(d.c);
	/*
	 * A server that ignores Range (200 to a resume; libcurl may stop
	 * with CURLE_RANGE_ERROR before any byte): the next attempt starts
	 * over.
	 */
	if (d.offset && (status == 200 || rc == CURLE_RANGE_ERROR))
		d.resume_ignored = 1;
	ret = d.resume_ignored && ftruncate(d.fd, 0) ? errno : 0;
	if (!ret)
		ret = fsync(d.fd) ? errno : 0;
	if (close(d.fd) && !ret)
		ret = errno;
	if (d.write_err || (ret && rc == CURLE_OK)) {
		snprintf(err, err_len, "%s: %s", dest, strerror(d.write_err ? d.write_err : ret));
		return -1;
	}
	if (d.resume_ignored || (d.offset && rc == CURLE_OK && status != 206)) {
		snprintf(err, err_len, "download %s%s: server ignored the resume (HTTP %ld);"
			 " the partial download was discarded, run again", h->base_url, path,
			 status);
		return -1;
	}
	/*
	 * 416 to a resume: the part already holds the whole file (or more).
	 * Nothing to fetch; the caller's SHA-256 check keeps or removes it.
	 */
	if (d.offset && status == 416)
		return 0;
	if (rc != CURLE_OK) {
		snprintf(err, err_len, "download %s%s: %s (kept %s to resume)",
			 h->base_url, path, errbuf[0] ? errbuf : curl_easy_strerror(rc),
			 dest);
		return -1;
	}
	return 0;
}
