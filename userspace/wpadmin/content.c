// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpadmin: image and application content.
 *
 * Upload (PUT /api/v1/{images,apps}/{id}/content): the file is hashed,
 * then streamed from disk - never held in memory - with its SHA-256 in
 * X-Content-SHA256, so the server refuses it (422) if a byte differs.  An
 * upload cut off keeps its bytes on the server: before sending, GET
 * .../upload says how many it holds and of which file, and when it is
 * this one only the rest is sent, with Content-Range.  When the server
 * already holds exactly this file, nothing is sent.  "Expect:
 * 100-continue" lets the server refuse (401, 403, 404, 409, 413) before
 * the first byte.  --limit-rate caps the sending rate.
 *
 * Download: to FILE.part with the shared client (a Range request resumes
 * it), verified against the catalogue's SHA-256, then renamed to FILE.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/evp.h>

#include "http.h"
#include "wpadmin.h"

#define CHUNK (1 << 20)

/* SHA-256 of the file behind @fd, from its start, with a progress bar. */
static int hash_fd(struct wpa_ctx *ctx, int fd, const char *name, long long size,
		   char hex[65])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char *buf = malloc(CHUNK), digest[32];
	struct wpa_progress prog;
	long long done = 0;
	unsigned int len = 0;
	int ret = WPA_OK;

	wpa_progress_begin(ctx, &prog, "hashing", size);
	if (!md || !buf || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		wpa_error(ctx, "out of memory");
		ret = WPA_EXIT_USAGE;
		goto out;
	}
	for (;;) {
		ssize_t n = pread(fd, buf, CHUNK, (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			wpa_error(ctx, "%s: %s", name, strerror(errno));
			ret = WPA_EXIT_USAGE;
			goto out;
		}
		if (!n)
			break;
		EVP_DigestUpdate(md, buf, (size_t)n);
		done += n;
		wpa_progress_update(&prog, done);
	}
	EVP_DigestFinal_ex(md, digest, &len);
	for (unsigned int i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	wpa_progress_end(&prog, done);
out:
	EVP_MD_CTX_free(md);
	free(buf);
	return ret;
}

static char *object_path(struct wpa_ctx *ctx, const char *id, const char *suffix)
{
	char prefix[64];

	snprintf(prefix, sizeof(prefix), "/api/v1/%s", ctx->group->res->path);
	return wpa_path(prefix, id, suffix);
}

const struct wpa_opt wpa_upload_opts[] = {
	{ "limit-rate", NULL, WT_STRING, 0, NULL,
	  "send at most BYTES a second (K, M or G: 1024, 1024^2, 1024^3 bytes; e.g. 500K)" },
	{ NULL, NULL, 0, 0, NULL, NULL },
};

struct upload {
	int fd;
	long long offset;	/* resumed: bytes the server already holds */
	struct wpa_progress prog;
	FILE *answer;
};

/* "500K", "2M", "1G" or bytes: 0 and *out, or -1. */
static int parse_rate(const char *s, long long *out)
{
	char *end;
	long long v;
	int shift = 0;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || v <= 0)
		return -1;
	if (*end == 'k' || *end == 'K')
		shift = 10;
	else if (*end == 'm' || *end == 'M')
		shift = 20;
	else if (*end == 'g' || *end == 'G')
		shift = 30;
	if (shift)
		end++;
	if (*end || v > (LLONG_MAX >> shift))
		return -1;
	*out = v << shift;
	return 0;
}

static size_t upload_read(char *buf, size_t size, size_t nmemb, void *userdata)
{
	struct upload *up = userdata;
	ssize_t n;

	do {
		n = read(up->fd, buf, size * nmemb);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? CURL_READFUNC_ABORT : (size_t)n;
}

static int upload_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow,
			   curl_off_t ultotal, curl_off_t ulnow)
{
	struct upload *up = userdata;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	wpa_progress_update(&up->prog, up->offset + (long long)ulnow);
	return 0;
}

static size_t upload_answer(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct upload *up = userdata;

	return fwrite(ptr, size, nmemb, up->answer) * size;
}

/*
 * PUT the file behind @fd to @path, from byte @offset on (with
 * Content-Range when not 0) at most @rate bytes a second (0: no limit);
 * the answer in @resp, as wpa_request().
 */
static int put_file(struct wpa_ctx *ctx, const char *path, int fd, long long size,
		    long long offset, long long rate, const char *sha256,
		    struct wpa_resp *resp)
{
	char errbuf[CURL_ERROR_SIZE] = "", *url = NULL, *auth = NULL, *hdr = NULL;
	char *range = NULL;
	struct upload up = { .fd = fd, .offset = offset };
	struct curl_slist *headers = NULL;
	size_t len = 0;
	CURLcode rc = CURLE_OUT_OF_MEMORY;
	curl_off_t sent = 0;
	CURL *c = curl_easy_init();
	int ret;

	memset(resp, 0, sizeof(*resp));
	up.answer = open_memstream(&resp->body, &len);
	if (!c || !up.answer || asprintf(&url, "%s%s", ctx->server, path) < 0 ||
	    asprintf(&auth, "Authorization: Bearer %s", ctx->token) < 0 ||
	    asprintf(&hdr, "X-Content-SHA256: %s", sha256) < 0 ||
	    (offset && asprintf(&range, "Content-Range: bytes %lld-%lld/%lld", offset, size - 1,
				size) < 0))
		goto done;
	if (lseek(fd, (off_t)offset, SEEK_SET) < 0) {
		snprintf(errbuf, sizeof(errbuf), "seek: %s", strerror(errno));
		rc = CURLE_READ_ERROR;
		goto done;
	}
	headers = curl_slist_append(headers, auth);
	headers = curl_slist_append(headers, hdr);
	if (range)
		headers = curl_slist_append(headers, range);
	headers = curl_slist_append(headers, "Content-Type: application/octet-stream");
	headers = curl_slist_append(headers, "Accept: application/json");
	/* Let the server refuse before the first byte of a large file. */
	headers = curl_slist_append(headers, "Expect: 100-continue");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (ctx->cacert)
		curl_easy_setopt(c, CURLOPT_CAINFO, ctx->cacert);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_EXPECT_100_TIMEOUT_MS, 10000L);
	/* Fail a stalled transfer, not a slow one. */
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 120L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)(size - offset));
	if (rate)
		curl_easy_setopt(c, CURLOPT_MAX_SEND_SPEED_LARGE, (curl_off_t)rate);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, upload_read);
	curl_easy_setopt(c, CURLOPT_READDATA, &up);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, upload_answer);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &up);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, upload_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, &up);
	wpa_progress_begin(ctx, &up.prog, "uploading", size);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
	curl_easy_getinfo(c, CURLINFO_SIZE_UPLOAD_T, &sent);
	if (rc == CURLE_OK)
		wpa_progress_end(&up.prog, offset + (long long)sent);
	else if (up.prog.on && up.prog.tty)
		fputc('\n', stderr);
done:
	if (up.answer)
		fclose(up.answer);
	if (!resp->body)
		resp->body = strdup("");
	curl_slist_free_all(headers);
	if (c)
		curl_easy_cleanup(c);
	free(url);
	free(auth);
	free(hdr);
	free(range);
	/* A server that refused early may close while we send: its answer counts. */
	if (rc != CURLE_OK && !resp->status) {
		wpa_error(ctx, "upload to %s%s failed: %s; the content was not changed, run"
			  " the same command again to resume", ctx->server, path,
			  errbuf[0] ? errbuf : curl_easy_strerror(rc));
		return WPA_EXIT_UNREACHABLE;
	}
	if (resp->body && resp->body[0])
		resp->json = json_tokener_parse(resp->body);
	ret = wpa_exit_for_status(resp->status);
	if (ret)
		return wpa_report(ctx, resp);
	if (!resp->json) {
		wpa_error(ctx, "the server's answer is not JSON (HTTP %ld)", resp->status);
		return WPA_EXIT_SERVER;
	}
	return WPA_OK;
}

/*
 * Where to start: the bytes the server holds of an interrupted upload of
 * this file (GET .../upload), or 0.  Waits a little for an upload that is
 * still being cut off (the server notices a client gone at its next read).
 */
static int resume_offset(struct wpa_ctx *ctx, const char *id, const char *sha256,
			 long long size, long long *offset)
{
	char *path = object_path(ctx, id, "/upload"), text[32];
	struct wpa_resp r = { 0 };
	const char *have;
	long long got;
	int ret;

	*offset = 0;
	for (int tries = 0;; tries++) {
		wpa_resp_free(&r);
		ret = wpa_request_quiet(ctx, "GET", path, NULL, &r);
		if (ret || tries == 50 ||
		    !json_object_get_boolean(json_object_object_get(r.json, "in_progress")))
			break;
		usleep(100 * 1000);
	}
	if (ret == WPA_EXIT_NOT_FOUND || r.status == 405) {
		ret = WPA_OK;	/* nothing to resume (or a server without resuming) */
		goto out;
	}
	if (ret) {
		if (r.status)
			wpa_report(ctx, &r);
		goto out;
	}
	have = wpa_str(r.json, "sha256");
	got = json_object_get_int64(json_object_object_get(r.json, "received"));
	if (have && !strcmp(have, sha256) && got > 0 && got < size) {
		*offset = got;
		wpa_info(ctx, "The server holds %s of an interrupted upload of this file:"
			 " resuming at %lld bytes", wpa_fmt_size((double)got, text, sizeof(text)),
			 got);
	} else if (have && strcmp(have, sha256) && got > 0) {
		wpa_info(ctx, "The server holds %lld bytes of an interrupted upload of another file"
			 " (sha256 %s): starting over", got, have);
	}
out:
	wpa_resp_free(&r);
	free(path);
	return ret;
}

int wpa_content_upload(struct wpa_ctx *ctx, struct wpa_args *a)
{
	const char *id = a->pos[0], *file = a->pos[1], *noun = ctx->group->res->noun;
	char *path = object_path(ctx, id, NULL), *content = object_path(ctx, id, "/content");
	char sha256[65] = "", size_text[32];
	struct wpa_resp obj = { 0 }, r = { 0 };
	const char *have, *rate_text = wpa_get(a, "limit-rate");
	long long offset = 0, rate = 0;
	struct stat st;
	int fd = -1, ret;

	if (rate_text && parse_rate(rate_text, &rate)) {
		wpa_usage_error(ctx, "--limit-rate: '%s' is not a rate in bytes a second (e.g."
				" 1048576, 500K, 2M, 1G)", rate_text);
		ret = WPA_EXIT_USAGE;
		goto out;
	}
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		wpa_usage_error(ctx, "%s: %s", file, strerror(errno));
		ret = WPA_EXIT_USAGE;
		goto out;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		wpa_usage_error(ctx, "%s: not a regular file", file);
		ret = WPA_EXIT_USAGE;
		goto out;
	}
	/* The object must exist (and be visible) before a large file is hashed. */
	ret = wpa_request(ctx, "GET", path, NULL, &obj);
	if (ret)
		goto out;
	ret = hash_fd(ctx, fd, file, (long long)st.st_size, sha256);
	if (ret)
		goto out;
	have = wpa_str(obj.json, "sha256");
	if (have && !strcmp(have, sha256)) {
		wpa_info(ctx, "The %s %s already has this content (sha256 %s): nothing to upload",
			 noun, id, sha256);
		wpa_print_result(ctx, &obj, NULL);
		goto out;
	}
	ret = resume_offset(ctx, id, sha256, (long long)st.st_size, &offset);
	if (ret)
		goto out;
	ret = put_file(ctx, content, fd, (long long)st.st_size, offset, rate, sha256, &r);
	if (ret)
		goto out;
	if (!wpa_str(r.json, "sha256") || strcmp(wpa_str(r.json, "sha256"), sha256)) {
		wpa_error(ctx, "the server stored sha256 %s, not %s",
			  wpa_str(r.json, "sha256") ? wpa_str(r.json, "sha256") : "(none)", sha256);
		ret = WPA_EXIT_SERVER;
		goto out;
	}
	wpa_info(ctx, "Uploaded %s (%s) to %s %s; the server verified sha256 %s", file,
		 wpa_fmt_size((double)st.st_size, size_text, sizeof(size_text)), noun, id, sha256);
	wpa_print_result(ctx, &r, NULL);
out:
	if (fd >= 0)
		close(fd);
	wpa_resp_free(&obj);
	wpa_resp_free(&r);
	free(path);
	free(content);
	return ret;
}

static void download_progress(void *userdata, long long done, long long total)
{
	struct wpa_progress *p = userdata;

	if (total > 0)
		p->total = total;
	wpa_progress_update(p, done);
}

int wpa_content_download(struct wpa_ctx *ctx, struct wpa_args *a)
{
	const char *id = a->pos[0], *file = a->pos[1], *noun = ctx->group->res->noun;
	char *path = object_path(ctx, id, NULL), *content = object_path(ctx, id, "/content");
	char *part = NULL, sha256[65] = "", err[1024];
	struct wpa_resp obj = { 0 };
	struct wpa_progress prog;
	const char *want;
	long long size;
	struct stat st;
	int fd, ret;

	ret = wpa_request(ctx, "GET", path, NULL, &obj);
	if (ret)
		goto out;
	want = wpa_str(obj.json, "sha256");
	size = json_object_get_int64(json_object_object_get(obj.json, "size"));
	if (!want) {
		wpa_error(ctx, "%s %s has no content yet (upload it first)", noun, id);
		ret = WPA_EXIT_NOT_FOUND;
		goto out;
	}
	if (asprintf(&part, "%s.part", file) < 0) {
		ret = WPA_EXIT_USAGE;
		goto out;
	}
	/* A part as large as the file is complete; a larger one is not ours. */
	if (!stat(part, &st) && st.st_size > size)
		unlink(part);
	if (stat(part, &st) || st.st_size < size) {
		wpa_progress_begin(ctx, &prog, "download", size);
		if (wp_http_download(ctx->http, content, part, download_progress, &prog, err,
				     sizeof(err))) {
			if (prog.on && prog.tty)
				fputc('\n', stderr);
			wpa_error(ctx, "%s", err);
			ret = WPA_EXIT_UNREACHABLE;
			goto out;
		}
		wpa_progress_end(&prog, size);
	}
	fd = open(part, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		wpa_error(ctx, "%s: %s", part, strerror(errno));
		ret = WPA_EXIT_USAGE;
		goto out;
	}
	ret = hash_fd(ctx, fd, part, size, sha256);
	close(fd);
	if (ret)
		goto out;
	if (strcmp(sha256, want)) {
		unlink(part);
		wpa_error(ctx, "the download has sha256 %s, not %s: removed %s; run the command"
			  " again", sha256, want, part);
		ret = WPA_EXIT_SERVER;
		goto out;
	}
	if (rename(part, file)) {
		wpa_error(ctx, "rename %s to %s: %s", part, file, strerror(errno));
		ret = WPA_EXIT_USAGE;
		goto out;
	}
	wpa_info(ctx, "Downloaded %s %s to %s; sha256 %s verified", noun, id, file, sha256);
	if (ctx->json)
		wpa_print_raw(&obj);
out:
	wpa_resp_free(&obj);
	free(part);
	free(path);
	free(content);
	return ret;
}
