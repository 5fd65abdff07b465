// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpserver API tests over real HTTP (libcurl), printing TAP.  The same
 * program runs against every storage backend (tests/server/run starts
 * the server).  Bodies and error fields are asserted exactly.
 *
 *   api_test all                     the whole API suite
 *   api_test burst FILE              create users until killed; append
 *                                    each acknowledged id to FILE
 *   api_test verify FILE             every id in FILE exists
 *   api_test rotate-begin FILE       key rotation, with keys/next.* made:
 *                                    a device is told the next key (REPIN);
 *                                    its id and token go to FILE
 *   api_test rotate-end FILE         after "keygen --promote": leases are
 *                                    signed by the new key
 *   api_test shared                  two instances (WP_URL, WP_URL_B) on one
 *                                    database and one data directory
 *
 * Environment: WP_URL (http://127.0.0.1:PORT), WP_ADMIN / WP_ADMIN2
 * ("user:password" of two administrators), WP_WORK (scratch directory),
 * WP_WIPE_HOLD (the server's --wipe-hold-count), WP_ROUTES (the output of
 * "wpserver routes": the authorisation sweep and the list checks are
 * generated from it), WP_REQLOG (append "METHOD PATH STATUS" for every
 * request, for the route coverage check), WP_KEYS (the server's keys/
 * directory, for the rotation modes).
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <stdarg.h>
#include <time.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "wpdoc.h"

static const char *base_url, *work_dir;
static int test_no, failures;
static FILE *reqlog;

struct resp {
	long status;
	char *body;
	size_t len;
	json_object *json;
	char headers[4096];
};

static struct resp last;

static size_t on_body(char *data, size_t size, size_t n, void *cls)
{
	struct resp *r = cls;
	char *nb = realloc(r->body, r->len + size * n + 1);

	if (!nb)
		return 0;
	r->body = nb;
	memcpy(r->body + r->len, data, size * n);
	r->len += size * n;
	r->body[r->len] = '\0';
	return size * n;
}

static size_t on_header(char *data, size_t size, size_t n, void *cls)
{
	struct resp *r = cls;
	size_t have = strlen(r->headers);

	if (have + size * n < sizeof(r->headers) - 1) {
		memcpy(r->headers + have, data, size * n);
		r->headers[have + size * n] = '\0';
	}
	return size * n;
}

static void resp_clear(struct resp *r)
{
	free(r->body);
	json_object_put(r->json);
	memset(r, 0, sizeof(*r));
}

static void log_request(const char *method, const char *path, long status)
{
	if (reqlog) {
		fprintf(reqlog, "%s %.*s %ld\n", method, (int)strcspn(path, "?"), path, status);
		fflush(reqlog);
	}
}

/*
 * One request; the result is in `last`.  @body may be NULL; @hdr is extra
 * header lines ('\n'-separated) or NULL; @upload a file to PUT.
 */
static long request(const char *method, const char *path, const char *token,
		    const char *body, const char *hdr, const char *upload)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	char url[1024], auth[300];
	FILE *up = NULL;

	resp_clear(&last);
	snprintf(url, sizeof(url), "%s%s", base_url, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &last);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &last);
	if (token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		h = curl_slist_append(h, auth);
	}
	for (const char *p = hdr; p && *p;) {
		size_t n = strcspn(p, "\n");
		char line[512];

		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		h = curl_slist_append(h, line);
		p += n + (p[n] == '\n');
	}
	/*
	 * Uploads keep curl's "Expect: 100-continue", as real clients do:
	 * the server refuses an upload (401, 403, 413) before reading its
	 * body and closes, and a client already streaming the body may see
	 * the reset before the answer.
	 */
	if (!upload)
		h = curl_slist_append(h, "Expect:");
	if (body) {
		h = curl_slist_append(h, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	if (upload) {
		up = fopen(upload, "rb");
		fseek(up, 0, SEEK_END);
		curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)ftell(up));
		rewind(up);
		curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(c, CURLOPT_READDATA, up);
		h = curl_slist_append(h, "Content-Type: application/octet-stream");
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &last.status);
	else
		last.status = -1;
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	if (up)
		fclose(up);
	if (last.body)
		last.json = json_tokener_parse(last.body);
	log_request(method, path, last.status);
	return last.status;
}

struct download {
	FILE *f;
	long limit;		/* stop (abort the transfer) after this many bytes */
	long written;
};

static size_t on_download(char *data, size_t size, size_t n, void *cls)
{
	struct download *d = cls;
	long len = (long)(size * n);

	if (d->limit >= 0 && d->written + len > d->limit) {
		fwrite(data, 1, (size_t)(d->limit - d->written), d->f);
		d->written = d->limit;
		return 0;	/* CURLE_WRITE_ERROR: the connection is cut mid-body */
	}
	fwrite(data, 1, (size_t)len, d->f);
	d->written += len;
	return (size_t)len;
}

/*
 * GET @path into @file from byte @from (a Range request when > 0,
 * appending), cutting the transfer off after @limit bytes (-1: never).
 * Returns the HTTP status; *@rc the transfer's result.
 */
static long download(const char *path, const char *token, const char *file, long from,
		     long limit, CURLcode *rc)
{
	struct download d = { fopen(file, from ? "ab" : "wb"), limit, 0 };
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	char url[1024], auth[300], range[64];
	long status = 0;

	snprintf(url, sizeof(url), "%s%s", base_url, path);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	h = curl_slist_append(h, auth);
	if (from) {
		snprintf(range, sizeof(range), "Range: bytes=%ld-", from);
		h = curl_slist_append(h, range);
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_download);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &d);
	*rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	fclose(d.f);
	log_request("GET", path, status);
	return status;
}

/* A route of "wpserver routes": METHOD PATTERN ROLE [refused|static]. */
struct route {
	char method[8];
	char pattern[128];
	char auth[16];
	bool refused;		/* always 405 */
	bool is_static;		/* the web dashboard's files */
};

static int load_routes(struct route *r, int max)
{
	const char *file = getenv("WP_ROUTES");
	FILE *f = file ? fopen(file, "r") : NULL;
	char line[300], extra[16];
	int n = 0;

	while (f && n < max && fgets(line, sizeof(line), f)) {
		extra[0] = '\0';
		if (sscanf(line, "%7s %127s %15s %15s", r[n].method, r[n].pattern, r[n].auth,
			   extra) < 3)
			continue;
		r[n].refused = !strcmp(extra, "refused");
		r[n].is_static = !strcmp(extra, "static");
		n++;
	}
	if (f)
		fclose(f);
	return n;
}

/* @pattern with every "{}" replaced by @id. */
static void concrete(const char *pattern, const char *id, char *out, size_t size)
{
	size_t n = 0;

	for (const char *p = pattern; *p && n + 1 < size; p++) {
		if (p[0] == '{' && p[1] == '}') {
			n += (size_t)snprintf(out + n, size - n, "%s", id);
			if (n >= size)
				n = size - 1;
			p++;
		} else {
			out[n++] = *p;
		}
	}
	out[n] = '\0';
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", cond ? "ok" : "not ok", ++test_no);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond) {
		failures++;
		printf("# last response: %ld %.600s\n", last.status, last.body ? last.body : "");
	}
	fflush(stdout);
}

/* String at a dotted path of the last JSON response ("error.field"). */
static const char *jstr(json_object *o, const char *path)
{
	char buf[200], *save, *tok;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && o; tok = strtok_r(NULL, ".", &save))
		if (!json_object_object_get_ex(o, tok, &o))
			return NULL;
	return o ? json_object_get_string(o) : NULL;
}

static const char *L(const char *path)
{
	return jstr(last.json, path);
}

static bool streq(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

/* A request expecting an error: status, code and field. */
static void expect_error(long status, const char *code, const char *field,
			 const char *what)
{
	ok(last.status == status && streq(L("error.code"), code) &&
	   (field ? streq(L("error.field"), field) : !L("error.field")) &&
	   L("error.message") && *L("error.message"),
	   "%s -> %ld %s%s%s", what, status, code, field ? " field=" : "", field ? field : "");
}

static char *dupstr(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void free_id(char *id)
{
	free(id);
}

static char *login(const char *cred)
{
	char body[300], user[100];
	const char *colon = strchr(cred, ':');

	snprintf(user, sizeof(user), "%.*s", (int)(colon - cred), cred);
	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"%s\"}", user, colon + 1);
	request("POST", "/api/v1/login", NULL, body, NULL, NULL);
	return last.status == 200 ? dupstr(L("token")) : NULL;
}

/* Create an object; returns its id (malloc()ed) or NULL. */
static char *create(const char *token, const char *path, const char *body)
{
	request("POST", path, token, body, NULL, NULL);
	return last.status == 201 ? dupstr(L("id")) : NULL;
}

static long long total_of(void)
{
	json_object *t = last.json ? json_object_object_get(last.json, "total") : NULL;

	return t ? json_object_get_int64(t) : -1;
}

static json_object *items_of(void)
{
	json_object *items = last.json ? json_object_object_get(last.json, "items") : NULL;

	return json_object_is_type(items, json_type_array) ? items : NULL;
}

/*
 * Pagination of one list endpoint (as @token): limit, offset, total, and
 * the refusal of bad paging parameters naming the parameter.  Returns
 * the number of problems (each printed as a diagnostic).
 */
static int check_paging(const char *list, const char *token)
{
	char path[600], first[64] = "";
	long long total;
	int bad = 0;

#define PAGE_BAD(...) do { bad++; printf("# %s: ", list); printf(__VA_ARGS__); \
			   printf(" (got %ld %.200s)\n", last.status, last.body ? last.body : ""); \
			   } while (0)
	snprintf(path, sizeof(path), "%s?limit=1", list);
	request("GET", path, token, NULL, NULL, NULL);
	total = total_of();
	if (last.status != 200 || !items_of() || total < 2 ||
	    json_object_array_length(items_of()) != 1 || !streq(L("limit"), "1") ||
	    !streq(L("offset"), "0"))
		PAGE_BAD("limit=1: one item of a total of at least 2");
	else if (jstr(json_object_array_get_idx(items_of(), 0), "id"))
		snprintf(first, sizeof(first), "%s",
			 jstr(json_object_array_get_idx(items_of(), 0), "id"));
	snprintf(path, sizeof(path), "%s?limit=1&offset=1", list);
	request("GET", path, token, NULL, NULL, NULL);
	if (last.status != 200 || !items_of() || json_object_array_length(items_of()) != 1 ||
	    total_of() != total || !first[0] ||
	    streq(jstr(json_object_array_get_idx(items_of(), 0), "id"), first))
		PAGE_BAD("offset=1: the next item, same total");
	snprintf(path, sizeof(path), "%s?limit=500&offset=%lld", list, total);
	request("GET", path, token, NULL, NULL, NULL);
	if (last.status != 200 || !items_of() || json_object_array_length(items_of()) != 0 ||
	    total_of() != total)
		PAGE_BAD("offset=total: no item, same total");
	snprintf(path, sizeof(path), "%s?limit=%lld", list, total);
	request("GET", path, token, NULL, NULL, NULL);
	if (last.status != 200 || !items_of() ||
	    (long long)json_object_array_length(items_of()) != total)
		PAGE_BAD("limit=total: every item");
	{
		static const char *const bad_q[][2] = {
			{ "limit=0", "limit" }, { "limit=501", "limit" }, { "limit=x", "limit" },
			{ "offset=-1", "offset" }, { "no_such_filter=1", "no_such_filter" },
			{ "limit=1&limit=2", "limit" },
		};

		for (size_t i = 0; i < sizeof(bad_q) / sizeof(bad_q[0]); i++) {
			snprintf(path, sizeof(path), "%s?%s", list, bad_q[i][0]);
			request("GET", path, token, NULL, NULL, NULL);
			if (last.status != 400 || !streq(L("error.field"), bad_q[i][1]))
				PAGE_BAD("?%s: 400 naming %s", bad_q[i][0], bad_q[i][1]);
		}
	}
#undef PAGE_BAD
	return bad;
}

/*
 * A filter of a list: ?@key=@value answers only matching items (field
 * @key, or @item_key when the item names it differently), at least one,
 * fewer than the unfiltered list, with the filtered total.
 */
static bool check_filter(const char *list, const char *token, const char *key,
			 const char *value, const char *item_key)
{
	char path[600];
	long long all, n;
	bool good = true;

	request("GET", list, token, NULL, NULL, NULL);
	all = total_of();
	snprintf(path, sizeof(path), "%s%s%s=%s&limit=500", list, strchr(list, '?') ? "&" : "?",
		 key, value);
	request("GET", path, token, NULL, NULL, NULL);
	n = total_of();
	if (last.status != 200 || !items_of() || n < 1 || n >= all ||
	    (long long)json_object_array_length(items_of()) != n)
		good = false;
	for (size_t i = 0; good && i < json_object_array_length(items_of()); i++) {
		const char *v = jstr(json_object_array_get_idx(items_of(), i),
				     item_key ? item_key : key);

		if (item_key && !strcmp(key, "since"))
			good = v && atoll(v) >= atoll(value);
		else
			good = streq(v, value);
	}
	if (!good)
		printf("# %s?%s=%s: %lld of %lld, status %ld\n", list, key, value, n, all,
		       last.status);
	return good;
}

static void sha256_file(const char *path, char out[65], long skip, long len)
{
	unsigned char md[32], buf[65536];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	FILE *f = fopen(path, "rb");
	unsigned int mdlen;
	size_t n;

	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	if (f) {
		fseek(f, skip, SEEK_SET);
		while ((n = fread(buf, 1, len >= 0 && (long)sizeof(buf) > len ? (size_t)len :
				  sizeof(buf), f)) > 0) {
			EVP_DigestUpdate(ctx, buf, n);
			if (len >= 0 && (len -= (long)n) == 0)
				break;
		}
		fclose(f);
	}
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
}

/* Save the last answer's body as @name in the work directory; its SHA-256. */
static void body_sha256(const char *name, char sha[65])
{
	char file[600];
	FILE *f;

	snprintf(file, sizeof(file), "%s/%s", work_dir, name);
	f = fopen(file, "wb");
	if (f) {
		fwrite(last.body ? last.body : "", 1, last.len, f);
		fclose(f);
	}
	sha256_file(file, sha, 0, -1);
}

static void write_random_file(const char *path, size_t size)
{
	unsigned char buf[65536];
	FILE *f = fopen(path, "wb");

	while (size) {
		size_t n = size < sizeof(buf) ? size : sizeof(buf);

		RAND_bytes(buf, (int)n);
		fwrite(buf, 1, n, f);
		size -= n;
	}
	fclose(f);
}

static uint8_t *b64dec(const char *s, size_t *len)
{
	size_t n = strlen(s);
	uint8_t *out = malloc(n / 4 * 3 + 1);
	int r;

	if (!out)
		return NULL;
	r = EVP_DecodeBlock(out, (const unsigned char *)s, (int)n);
	if (r < 0) {
		free(out);
		return NULL;
	}
	if (n && s[n - 1] == '=')
		r--;
	if (n > 1 && s[n - 2] == '=')
		r--;
	out[r] = '\0';	/* JSON texts are parsed straight from here */
	*len = (size_t)r;
	return out;
}

static char *b64enc(const uint8_t *data, size_t len)
{
	char *out = malloc(4 * ((len + 2) / 3) + 1);

	EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	return out;
}

/* Verify a base64 content + signature pair against the server cert. */
static bool verify_b64(const uint8_t *cert, size_t cert_len, const char *data_b64,
		       const char *sig_b64, const uint8_t *extra, size_t extra_len)
{
	size_t dlen, slen;
	uint8_t *d = data_b64 ? b64dec(data_b64, &dlen) : NULL;
	uint8_t *s = sig_b64 ? b64dec(sig_b64, &slen) : NULL;
	uint8_t *content;
	bool good = false;

	if (d && s && (content = malloc(dlen + extra_len + 1))) {
		memcpy(content, d, dlen);
		if (extra_len)
			memcpy(content + dlen, extra, extra_len);
		good = !wpdoc_verify(cert, cert_len, content, dlen + extra_len, s, slen, NULL);
		free(content);
	}
	free(d);
	free(s);
	return good;
}

static void checkin_body(char *out, size_t size, uint8_t nonce[32], const char *results)
{
	char *b;

	RAND_bytes(nonce, 32);
	b = b64enc(nonce, 32);
	snprintf(out, size, "{\"nonce\":\"%s\",\"results\":%s}", b, results ? results : "[]");
	free(b);
}

static json_object *find_command(json_object *cmds, const char *id)
{
	for (size_t i = 0; cmds && i < json_object_array_length(cmds); i++) {
		json_object *c = json_object_array_get_idx(cmds, i);

		if (streq(jstr(c, "id"), id))
			return c;
	}
	return NULL;
}

/*
 * PUT @path announcing a Content-Length of @size bytes without sending
 * them (the server must answer before the body, "Expect: 100-continue").
 */
static long put_claiming(const char *path, const char *token, curl_off_t size)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	char url[1024], auth[300];
	FILE *empty = fopen("/dev/null", "rb");

	resp_clear(&last);
	snprintf(url, sizeof(url), "%s%s", base_url, path);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	h = curl_slist_append(h, auth);
	h = curl_slist_append(h, "Content-Type: application/octet-stream");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, size);
	curl_easy_setopt(c, CURLOPT_READDATA, empty);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &last);
	curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &last.status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	fclose(empty);
	if (last.body)
		last.json = json_tokener_parse(last.body);
	log_request("PUT", path, last.status);
	return last.status;
}

static int run_all(void)
{
	const char *admin1 = getenv("WP_ADMIN"), *admin2 = getenv("WP_ADMIN2");
	int wipe_hold = atoi(getenv("WP_WIPE_HOLD") ? getenv("WP_WIPE_HOLD") : "2");
	char *tok, *tok2, *ro_tok = NULL, *hd_tok = NULL, *dev_tok = NULL, *api_tok;
	char *pol, *img, *app_a, *app_b, *tmpl, *grp, *user, *dev, *cmd;
	char body[4096], path[512], file[600], part[600], sha[65], got[65];
	uint8_t nonce[32], *cert = NULL;
	size_t cert_len = 0;
	struct wpdoc doc;
	int64_t mark;

	/* --- health and login --- */
	request("GET", "/healthz", NULL, NULL, NULL, NULL);
	ok(last.status == 200 && streq(L("status"), "ok") &&
	   json_object_get_int(json_object_object_get(last.json, "schema_version")) >= 1 &&
	   (!getenv("WP_BACKEND") || streq(L("backend"), getenv("WP_BACKEND"))),
	   "GET /healthz: database up, schema migrated, backend %s",
	   getenv("WP_BACKEND") ? getenv("WP_BACKEND") : "?");
	request("POST", "/api/v1/login", NULL, "{\"username\":\"nobody\",\"password\":\"x\"}",
		NULL, NULL);
	expect_error(401, "unauthorized", NULL, "login with an unknown user");
	request("POST", "/api/v1/login", NULL, "{\"username\":\"root\"}", NULL, NULL);
	expect_error(400, "missing_field", "password", "login without password");
	tok = login(admin1);
	tok2 = login(admin2);
	ok(tok && tok2, "two administrators log in");
	if (!tok || !tok2)
		return 1;
	request("GET", "/api/v1/me", tok, NULL, NULL, NULL);
	ok(last.status == 200 && streq(L("role"), "admin"), "GET /api/v1/me");

	/* Read-only and helpdesk administrators, logged in. */
	free_id(create(tok, "/api/v1/admins", "{\"username\":\"ro\",\"role\":\"read-only\","
	       "\"password\":\"readonly-pw\"}"));
	ok(last.status == 201 && streq(L("role"), "read-only") && !L("password") &&
	   !L("password_hash"), "create a read-only admin; no password in the reply");
	free_id(create(tok, "/api/v1/admins", "{\"username\":\"hd\",\"role\":\"helpdesk\","
	       "\"password\":\"helpdesk-pw\"}"));
	ok(last.status == 201, "create a helpdesk admin");
	ro_tok = login("ro:readonly-pw");
	hd_tok = login("hd:helpdesk-pw");
	ok(ro_tok && hd_tok, "read-only and helpdesk admins log in");
	free_id(create(tok, "/api/v1/admins", "{\"username\":\"ro\",\"role\":\"admin\","
	       "\"password\":\"whatever12\"}"));
	expect_error(409, "conflict", "username", "duplicate admin username");
	free_id(create(tok, "/api/v1/admins", "{\"username\":\"x\",\"role\":\"king\","
	       "\"password\":\"whatever12\"}"));
	expect_error(400, "invalid_field", "role", "unknown role");

	/* --- bad input --- */
	request("POST", "/api/v1/policy-sets", tok, "{\"name\":", NULL, NULL);
	expect_error(400, "invalid_json", "body", "truncated JSON");
	request("POST", "/api/v1/policy-sets", tok, "[1,2]", NULL, NULL);
	expect_error(400, "invalid_json", "body", "JSON array instead of object");
	request("POST", "/api/v1/policy-sets", tok, "{\"name\":\"a\"} x", NULL, NULL);
	expect_error(400, "invalid_json", "body", "trailing garbage");
	request("POST", "/api/v1/policy-sets", tok, "", NULL, NULL);
	expect_error(400, "invalid_json", "body", "empty body");
	request("POST", "/api/v1/policy-sets", tok, "{\"name\":5}", NULL, NULL);
	expect_error(400, "invalid_field", "name", "wrong type");
	request("POST", "/api/v1/policy-sets", tok, "{\"name\":\"p\",\"colour\":\"red\"}", NULL, NULL);
	expect_error(400, "unknown_field", "colour", "unknown field");
	request("POST", "/api/v1/policy-sets", tok, "{\"lease_interval_s\":60}", NULL, NULL);
	expect_error(400, "missing_field", "name", "missing required field");
	request("POST", "/api/v1/policy-sets", tok, "{\"name\":\"p\",\"auto_disable_s\":7200,"
		"\"auto_wipe_s\":7200}", NULL, NULL);
	expect_error(400, "invalid_field", "auto_disable_s", "auto-disable >= auto-wipe");
	request("POST", "/api/v1/policy-sets", tok, "{\"name\":\"p\",\"lease_interval_s\":0}",
		NULL, NULL);
	expect_error(400, "invalid_field", "lease_interval_s", "lease interval 0");
	request("POST", "/api/v1/policy-sets", tok, "{\"name\":\"p\",\"auto_wipe_s\":-5}",
		NULL, NULL);
	expect_error(400, "invalid_field", "auto_wipe_s", "negative period");
	request("POST", "/api/v1/policy-sets", tok, "{\"name\":\"p\",\"auto_wipe_s\":"
		"99999999999999999999999}", NULL, NULL);
	expect_error(400, "invalid_field", "auto_wipe_s", "huge period");
	request("POST", "/api/v1/policy-sets", tok, "{\"name\":\"p\",\"password_strength\":\"weak\"}",
		NULL, NULL);
	expect_error(400, "invalid_field", "password_strength", "unknown password strength");
	request("POST", "/api/v1/policy-sets", tok, "{\"name\":\"p\",\"version\":9}", NULL, NULL);
	expect_error(400, "invalid_field", "version", "read-only field");
	{
		size_t big = (2u << 20);
		char *huge = malloc(big + 40);

		memset(huge, ' ', big + 40);
		memcpy(huge, "{\"name\":\"", 9);
		memcpy(huge + big + 30, "\"}", 3);
		memset(huge + 9, 'a', big + 20);
		request("POST", "/api/v1/policy-sets", tok, huge, NULL, NULL);
		expect_error(413, "payload_too_large", "body", "2 MiB body");
		free(huge);
	}
	request("GET", "/api/v1/policy-sets?limit=0", tok, NULL, NULL, NULL);
	expect_error(400, "invalid_field", "limit", "limit=0");
	request("GET", "/api/v1/policy-sets?flavour=1", tok, NULL, NULL, NULL);
	expect_error(400, "unknown_field", "flavour", "unknown query parameter");
	request("GET", "/api/v1/nothing", tok, NULL, NULL, NULL);
	expect_error(404, "not_found", NULL, "unknown endpoint");
	request("PUT", "/api/v1/policy-sets", tok, "{}", NULL, NULL);
	expect_error(405, "method_not_allowed", NULL, "wrong method");

	/* --- policy sets: CRUD, versions, history, filters --- */
	pol = create(tok, "/api/v1/policy-sets", "{\"name\":\"sales\",\"lease_interval_s\":3600,"
		     "\"auto_disable_s\":86400,\"auto_wipe_s\":345600,\"password_strength\":"
		     "\"complex\",\"password_min_length\":8,\"vpn_allowed\":false,"
		     "\"copy_paste\":true}");
	ok(pol && json_object_get_int(json_object_object_get(last.json, "version")) >= 1 &&
	   streq(L("password_strength"), "complex") && streq(L("copy_paste"), "true") &&
	   streq(L("max_retries"), "10"), "create a policy set with defaults filled in");
	{
		int v1 = json_object_get_int(json_object_object_get(last.json, "version"));

		snprintf(path, sizeof(path), "/api/v1/policy-sets/%s", pol);
		request("PATCH", path, tok, "{\"max_retries\":5}", NULL, NULL);
		ok(last.status == 200 && streq(L("max_retries"), "5") &&
		   json_object_get_int(json_object_object_get(last.json, "version")) > v1,
		   "PATCH a policy set raises its version");
		request("PATCH", path, tok, "{\"auto_wipe_s\":3600}", NULL, NULL);
		expect_error(400, "invalid_field", "auto_disable_s",
			     "PATCH making auto-disable >= auto-wipe");
	}
	snprintf(path, sizeof(path), "/api/v1/policy-sets/%s/history", pol);
	request("GET", path, ro_tok, NULL, NULL, NULL);
	{
		json_object *items = json_object_object_get(last.json, "items"), *u = NULL;

		for (size_t i = 0; items && i < json_object_array_length(items); i++)
			if (streq(jstr(json_object_array_get_idx(items, i), "action"), "update"))
				u = json_object_array_get_idx(items, i);
		ok(last.status == 200 && json_object_array_length(items) == 2 && u &&
		   streq(jstr(u, "before.max_retries"), "10") &&
		   streq(jstr(u, "after.max_retries"), "5") && streq(jstr(u, "actor"), "root"),
		   "history: who, before and after");
	}
	free_id(create(tok, "/api/v1/policy-sets", "{\"name\":\"eng\"}"));
	free_id(create(tok, "/api/v1/policy-sets", "{\"name\":\"legal\"}"));
	request("GET", "/api/v1/policy-sets?limit=2&offset=1", ro_tok, NULL, NULL, NULL);
	ok(last.status == 200 && streq(L("total"), "3") &&
	   json_object_array_length(json_object_object_get(last.json, "items")) == 2,
	   "list with limit and offset");
	request("GET", "/api/v1/policy-sets?name=eng", ro_tok, NULL, NULL, NULL);
	ok(last.status == 200 && streq(L("total"), "1"), "list filtered by name");
	request("GET", "/api/v1/policy-sets?vpn_allowed=false", ro_tok, NULL, NULL, NULL);
	ok(last.status == 200 && streq(L("total"), "1"), "list filtered by a boolean");
	request("GET", "/api/v1/policy-sets?q=ga", ro_tok, NULL, NULL, NULL);
	ok(last.status == 200 && streq(L("total"), "1"), "list with a substring search");
	request("GET", "/api/v1/policy-sets/00000000-0000-4000-8000-000000000000", tok, NULL,
		NULL, NULL);
	expect_error(404, "not_found", NULL, "unknown policy set");

	/* --- images: streaming upload, checksum, ranged download --- */
	img = create(tok, "/api/v1/images", "{\"name\":\"android-14\",\"version\":\"1.0\"}");
	ok(img && !L("sha256"), "create an image entry without content");
	snprintf(file, sizeof(file), "%s/image.bin", work_dir);
	write_random_file(file, (9u << 20) + 12345);
	sha256_file(file, sha, 0, -1);
	snprintf(path, sizeof(path), "/api/v1/images/%s/content", img);
	request("PUT", path, tok, NULL,
		"X-Content-SHA256: 0000000000000000000000000000000000000000000000000000000000000000",
		file);
	expect_error(422, "checksum_mismatch", "X-Content-SHA256", "upload with a wrong checksum");
	request("GET", path, tok, NULL, NULL, NULL);
	expect_error(404, "not_found", NULL, "no content after a failed upload");
	{
		char h[120];

		snprintf(h, sizeof(h), "X-Content-SHA256: %s", sha);
		request("PUT", path, tok, NULL, h, file);
	}
	ok(last.status == 200 && streq(L("sha256"), sha) && streq(L("size"), "9449529"),
	   "upload 9 MiB with the right checksum");
	request("PUT", path, ro_tok, NULL, NULL, file);
	expect_error(403, "forbidden", NULL, "read-only admin cannot upload");
	request("GET", path, ro_tok, NULL, NULL, NULL);
	{
		snprintf(part, sizeof(part), "%s/dl.bin", work_dir);
		FILE *f = fopen(part, "wb");

		fwrite(last.body, 1, last.len, f);
		fclose(f);
		sha256_file(part, got, 0, -1);
		ok(last.status == 200 && !strcmp(got, sha) && strstr(last.headers, sha),
		   "download the image; SHA-256 and ETag match");
	}
	{
		char range[80], etag[120];
		size_t first;
		FILE *f;

		/* Interrupted midway: first 4 MiB, then resume with Range. */
		request("GET", path, tok, NULL, "Range: bytes=0-4194303", NULL);
		first = last.len;
		f = fopen(part, "wb");
		fwrite(last.body, 1, last.len, f);
		fclose(f);
		ok(last.status == 206 && first == 4194304 &&
		   strstr(last.headers, "Content-Range: bytes 0-4194303/9449529"),
		   "first part: 206 with Content-Range");
		snprintf(range, sizeof(range), "Range: bytes=%zu-", first);
		request("GET", path, tok, NULL, range, NULL);
		f = fopen(part, "ab");
		fwrite(last.body, 1, last.len, f);
		fclose(f);
		sha256_file(part, got, 0, -1);
		ok(last.status == 206 && !strcmp(got, sha), "resumed download has the exact SHA-256");
		snprintf(etag, sizeof(etag), "If-None-Match: \"%s\"", sha);
		request("GET", path, tok, NULL, etag, NULL);
		ok(last.status == 304, "If-None-Match with the ETag -> 304");
		request("GET", path, tok, NULL, "Range: bytes=-100", NULL);
		ok(last.status == 206 && last.len == 100, "suffix range");
		request("GET", path, tok, NULL, "Range: bytes=99999999999-", NULL);
		expect_error(416, "range_not_satisfiable", "Range", "range beyond the end");
		ok(strstr(last.headers, "Content-Range: bytes */9449529") != NULL,
		   "416 carries Content-Range: bytes */size");
		request("GET", path, tok, NULL,
			"Range: bytes=0-999999999999999999999999999999", NULL);
		expect_error(416, "range_not_satisfiable", "Range", "huge range");
		request("GET", path, tok, NULL, "Range: bytes=-5-10", NULL);
		expect_error(416, "range_not_satisfiable", "Range", "negative range");
		request("GET", path, tok, NULL, "Range: bytes=10-5", NULL);
		expect_error(416, "range_not_satisfiable", "Range", "inverted range");
	}

	/* --- applications, templates, groups, users --- */
	app_a = create(tok, "/api/v1/apps", "{\"name\":\"mail\",\"version\":\"2\"}");
	app_b = create(tok, "/api/v1/apps", "{\"name\":\"crm\",\"a_la_carte\":true}");
	ok(app_a && app_b, "create two applications");
	snprintf(file, sizeof(file), "%s/app.bin", work_dir);
	write_random_file(file, 70000);
	snprintf(path, sizeof(path), "/api/v1/apps/%s/content", app_a);
	request("PUT", path, tok, NULL, NULL, file);
	ok(last.status == 200 && L("sha256"), "upload application content");
	{
		char app_sha[65], want[65];

		snprintf(want, sizeof(want), "%s", L("sha256") ? L("sha256") : "");
		request("GET", path, ro_tok, NULL, NULL, NULL);
		body_sha256("app-admin.bin", app_sha);
		ok(last.status == 200 && !strcmp(app_sha, want) && last.len == 70000,
		   "download application content (SHA-256 matches)");
		request("GET", path, ro_tok, NULL, "Range: bytes=70000-", NULL);
		expect_error(416, "range_not_satisfiable", "Range",
			     "application content: a range past the end");
		request("PUT", path, tok, NULL, "X-Content-SHA256: "
			"1111111111111111111111111111111111111111111111111111111111111111", file);
		expect_error(422, "checksum_mismatch", "X-Content-SHA256",
			     "application upload with a wrong checksum");
		put_claiming(path, tok, (curl_off_t)1 << 40);
		expect_error(413, "payload_too_large", "body",
			     "application upload announcing 1 TiB (over max-upload)");
		request("GET", path, ro_tok, NULL, NULL, NULL);
		ok(last.status == 200 && last.len == 70000 && strstr(last.headers, want),
		   "failed application uploads leave the content as it was");
	}
	snprintf(path, sizeof(path), "/api/v1/apps/%s/content", app_b);
	request("PUT", path, tok, NULL, NULL, file);
	request("GET", "/api/v1/apps?a_la_carte=true", ro_tok, NULL, NULL, NULL);
	ok(last.status == 200 && streq(L("total"), "1"), "a la carte catalogue");
	snprintf(body, sizeof(body), "{\"name\":\"std\",\"guest_os\":\"android\",\"image_id\":"
		 "\"%s\",\"settings\":{\"wallpaper\":\"blue\"},\"app_ids\":[\"%s\"]}", img, app_a);
	tmpl = create(tok, "/api/v1/templates", body);
	ok(tmpl && streq(L("settings.wallpaper"), "blue"), "create an image template");
	free_id(create(tok, "/api/v1/templates", "{\"name\":\"t2\",\"guest_os\":\"android\",\"image_id\":"
	       "\"00000000-0000-4000-8000-000000000000\"}"));
	expect_error(400, "invalid_reference", "image_id", "template with an unknown image");
	snprintf(body, sizeof(body), "{\"name\":\"t3\",\"guest_os\":\"android\","
		 "\"app_ids\":[\"%s\",\"%s\"]}", app_a, app_a);
	free_id(create(tok, "/api/v1/templates", body));
	expect_error(400, "invalid_field", "app_ids[1]", "repeated app id");
	snprintf(body, sizeof(body), "{\"name\":\"Sales\",\"policy_set_id\":\"%s\","
		 "\"template_id\":\"%s\"}", pol, tmpl);
	grp = create(tok, "/api/v1/groups", body);
	ok(grp != NULL, "create a business group with policy set and template");
	snprintf(body, sizeof(body), "{\"username\":\"bob\",\"group_id\":\"%s\","
		 "\"app_ids\":[\"%s\"]}", grp, app_a);
	free_id(create(tok, "/api/v1/users", body));
	expect_error(400, "invalid_field", "app_ids[0]", "user requesting a non a-la-carte app");
	snprintf(body, sizeof(body), "{\"username\":\"alice\",\"email\":\"a@example.com\","
		 "\"group_id\":\"%s\",\"password\":\"alice-password\",\"app_ids\":[\"%s\"]}",
		 grp, app_b);
	user = create(tok, "/api/v1/users", body);
	ok(user && !L("password") && !L("password_hash"), "create a user; password never shown");
	snprintf(path, sizeof(path), "/api/v1/policy-sets/%s", pol);
	request("DELETE", path, tok, NULL, NULL, NULL);
	expect_error(409, "in_use", NULL, "delete a policy set in use");
	snprintf(path, sizeof(path), "/api/v1/users?group_id=%s", grp);
	request("GET", path, ro_tok, NULL, NULL, NULL);
	ok(last.status == 200 && streq(L("total"), "1"), "users of a group");

	/* --- provisioning --- */
	request("POST", "/api/v1/users", tok, "{\"username\":\"dave\",\"password\":"
		"\"dave-password\"}", NULL, NULL);
	{
		char *dave = dupstr(L("id"));
		long long devices_before;

		request("GET", "/api/v1/devices", tok, NULL, NULL, NULL);
		devices_before = total_of();
		request("POST", "/api/v1/enroll", NULL, "{\"username\":\"dave\",\"password\":"
			"\"dave-password\"}", NULL, NULL);
		expect_error(409, "not_provisionable", NULL,
			     "enrol a user without a business group");
		request("GET", "/api/v1/devices", tok, NULL, NULL, NULL);
		ok(total_of() == devices_before, "a failed enrolment leaves no device behind");
		snprintf(path, sizeof(path), "/api/v1/users/%s", dave ? dave : "x");
		request("DELETE", path, tok, NULL, NULL, NULL);
		ok(last.status == 204, "delete a user");
		free(dave);
	}
	request("POST", "/api/v1/enroll", NULL, "{\"username\":\"alice\",\"password\":\"nope-nope\"}",
		NULL, NULL);
	expect_error(401, "unauthorized", NULL, "enrol with a wrong password");
	request("POST", "/api/v1/enroll", NULL, "{\"username\":\"alice\"}", NULL, NULL);
	expect_error(400, "missing_field", "password", "enrol without password");
	request("POST", "/api/v1/enroll", NULL, "{\"username\":\"alice\",\"password\":"
		"\"alice-password\",\"device\":{\"name\":\"pixel\",\"model\":\"P8\"}}", NULL, NULL);
	ok(last.status == 201 && L("device_id") && L("device_token") && L("manifest") &&
	   L("manifest_sig") && L("server_cert"), "enrol by password");
	dev = dupstr(L("device_id"));
	dev_tok = dupstr(L("device_token"));
	cert = b64dec(L("server_cert"), &cert_len);
	ok(dev && cert && verify_b64(cert, cert_len, L("manifest"), L("manifest_sig"), NULL, 0),
	   "manifest signature verifies against the server certificate");
	{
		size_t mlen;
		uint8_t *m = b64dec(L("manifest"), &mlen);
		json_object *mj = m ? json_tokener_parse((char *)m) : NULL;
		json_object *apps = json_object_object_get(mj, "apps");

		ok(mj && streq(jstr(mj, "device_id"), dev) && streq(jstr(mj, "image.sha256"), sha) &&
		   streq(jstr(mj, "policy.password_strength"), "complex") &&
		   streq(jstr(mj, "template.settings.wallpaper"), "blue") &&
		   json_object_array_length(apps) == 2,
		   "manifest: image, policy, template settings, default + a la carte apps");
		{
			json_object *a = json_object_array_get_idx(apps, 0);
			char app_url[300], app_sha[65];

			snprintf(app_url, sizeof(app_url), "%s",
				 jstr(a, "url") ? jstr(a, "url") : "/x");
			request("GET", app_url, dev_tok, NULL, NULL, NULL);
			body_sha256("app-dl.bin", app_sha);
			ok(last.status == 200 && streq(jstr(a, "sha256"), app_sha),
			   "device downloads an application of its manifest (SHA-256 matches)");
			request("GET", app_url, dev_tok, NULL, "Range: bytes=999999-", NULL);
			expect_error(416, "range_not_satisfiable", "Range",
				     "device application download: a range past the end");
			request("GET", "/api/v1/device/apps/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
				"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", dev_tok, NULL, NULL, NULL);
			expect_error(404, "not_found", NULL, "device application never published");
		}
		snprintf(path, sizeof(path), "%s", jstr(mj, "image.url") ? jstr(mj, "image.url") : "");
		json_object_put(mj);
		free(m);
	}
	request("GET", path, dev_tok, NULL, "Range: bytes=1000-1999", NULL);
	ok(last.status == 206 && last.len == 1000, "device downloads an image range");
	{
		char dl[600], dl_sha[65];
		CURLcode rc1, rc2;
		long st1, st2, cut;
		FILE *f;

		/* Cut off mid-body after 3 MiB, then resumed from what arrived. */
		snprintf(dl, sizeof(dl), "%s/interrupted.bin", work_dir);
		st1 = download(path, dev_tok, dl, 0, 3L << 20, &rc1);
		f = fopen(dl, "rb");
		fseek(f, 0, SEEK_END);
		cut = ftell(f);
		fclose(f);
		st2 = download(path, dev_tok, dl, cut, -1, &rc2);
		sha256_file(dl, dl_sha, 0, -1);
		ok(st1 == 200 && rc1 == CURLE_WRITE_ERROR && cut == 3L << 20 && st2 == 206 &&
		   rc2 == CURLE_OK && !strcmp(dl_sha, sha),
		   "a device image download cut off after 3 MiB resumes with Range to the exact"
		   " SHA-256");
		snprintf(dl, sizeof(dl), "Range: bytes=0-99\nIf-Range: \"%064d\"", 0);
		request("GET", path, dev_tok, NULL, dl, NULL);
		ok(last.status == 200 && last.len == 9449529,
		   "If-Range with another ETag: the whole file (200), not a part of a new one");
		snprintf(dl, sizeof(dl), "Range: bytes=0-99\nIf-Range: \"%s\"", sha);
		request("GET", path, dev_tok, NULL, dl, NULL);
		ok(last.status == 206 && last.len == 100, "If-Range with the current ETag: 206");
	}
	request("GET", path, NULL, NULL, NULL, NULL);
	expect_error(401, "unauthorized", NULL, "image download without token");
	request("GET", "/api/v1/device/images/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		dev_tok, NULL, NULL, NULL);
	expect_error(404, "not_found", NULL, "unpublished file");
	request("GET", "/api/v1/device/manifest", dev_tok, NULL, NULL, NULL);
	ok(last.status == 200 && verify_b64(cert, cert_len, L("manifest"), L("manifest_sig"),
					    NULL, 0), "GET manifest, signed");
	snprintf(path, sizeof(path), "/api/v1/devices/%s", dev);
	request("GET", path, ro_tok, NULL, NULL, NULL);
	ok(last.status == 200 && streq(L("status"), "pending"), "device pending install");
	request("POST", "/api/v1/device/installed", dev_tok, "{\"image_sha256\":\"abc\"}", NULL, NULL);
	expect_error(400, "invalid_field", "image_sha256", "install report with another image");
	snprintf(body, sizeof(body), "{\"image_sha256\":\"%s\"}", sha);
	request("POST", "/api/v1/device/installed", dev_tok, body, NULL, NULL);
	ok(last.status == 200 && streq(L("status"), "active") && L("installed_at"),
	   "install report makes the device active");
	request("POST", "/api/v1/device/installed", dev_tok, body, NULL, NULL);
	ok(last.status == 200 && streq(L("status"), "active"), "install report is idempotent");

	snprintf(body, sizeof(body), "{\"user_id\":\"%s\"}", user);
	request("POST", "/api/v1/enrollment-tokens", hd_tok, body, NULL, NULL);
	ok(last.status == 201 && L("token"), "helpdesk creates a one-time enrolment token");
	{
		char *et = dupstr(L("token")), eb[300];

		snprintf(eb, sizeof(eb), "{\"enrollment_token\":\"%s\"}", et);
		request("POST", "/api/v1/enroll", NULL, eb, NULL, NULL);
		ok(last.status == 201 && L("device_id"), "enrol with the token");
		request("POST", "/api/v1/enroll", NULL, eb, NULL, NULL);
		expect_error(401, "unauthorized", "enrollment_token", "the token works only once");
		free(et);
	}
	request("POST", "/api/v1/enrollment-tokens", ro_tok, body, NULL, NULL);
	expect_error(403, "forbidden", NULL, "read-only admin cannot create enrolment tokens");

	snprintf(body, sizeof(body), "{\"user_id\":\"00000000-0000-4000-8000-000000000000\"}");
	request("POST", "/api/v1/enrollment-tokens", tok, body, NULL, NULL);
	expect_error(400, "invalid_reference", "user_id", "enrolment token for an unknown user");
	snprintf(body, sizeof(body), "{\"user_id\":\"%s\",\"ttl_s\":5}", user);
	request("POST", "/api/v1/enrollment-tokens", tok, body, NULL, NULL);
	expect_error(400, "invalid_field", "ttl_s", "enrolment token with a 5 s lifetime");

	/*
	 * --- authorisation sweep, generated from the route table ("wpserver
	 * routes"), so a new route cannot be missed ---
	 */
	{
		static struct route routes[256];
		int nr = load_routes(routes, 256), checked = 0;
		int bad401 = 0, bad403dev = 0, bad403ro = 0, bad403hd = 0, badro_read = 0;
		int bad_device = 0, bad_role = 0;
		/* Declared roles: what may be open wider than the default. */
		static const char *const open_routes[] = {
			"GET /healthz", "POST /api/v1/login", "POST /api/v1/enroll", NULL };
		static const char *const readonly_writes[] = {
			"POST /api/v1/logout", "POST /api/v1/api-tokens",
			"DELETE /api/v1/api-tokens/{}", NULL };

#define SWEEP_BAD(counter, who) do { counter++; printf("# %s %s %s: %ld\n", routes[i].method, \
						      path, who, last.status); } while (0)
		for (int i = 0; i < nr; i++) {
			const char *m = routes[i].method, *a = routes[i].auth;
			const char *b = strcmp(m, "GET") && strcmp(m, "DELETE") ? "{}" : NULL;

			{
				char mp[160];
				bool write = strcmp(m, "GET") != 0;
				const char *const *allowed = !strcmp(a, "none") ? open_routes :
					!strcmp(a, "read") && write ? readonly_writes : NULL;
				bool listed = !allowed;

				/* The dashboard's files: public, and only read. */
				if (routes[i].is_static)
					listed = allowed == open_routes &&
						 (!strcmp(m, "GET") || !strcmp(m, "HEAD"));
				snprintf(mp, sizeof(mp), "%s %s", m, routes[i].pattern);
				for (const char *const *o = allowed; o && *o; o++)
					listed |= !strcmp(*o, mp);
				if (!listed) {
					bad_role++;
					printf("# %s is declared '%s'\n", mp, a);
				}
			}
			if (!strcmp(a, "none"))
				continue;
			checked++;
			concrete(routes[i].pattern, user, path, sizeof(path));
			request(m, path, NULL, b, NULL, NULL);
			if (last.status != 401 || !streq(L("error.code"), "unauthorized"))
				SWEEP_BAD(bad401, "without a token");
			if (!strcmp(a, "device")) {
				request(m, path, tok, b, NULL, NULL);
				if (last.status != 403 || !streq(L("error.code"), "forbidden"))
					SWEEP_BAD(bad_device, "with an admin token");
				request(m, path, ro_tok, b, NULL, NULL);
				if (last.status != 403)
					SWEEP_BAD(bad_device, "with a read-only token");
				continue;
			}
			request(m, path, dev_tok, b, NULL, NULL);
			if (last.status != 403 || !streq(L("error.code"), "forbidden"))
				SWEEP_BAD(bad403dev, "with a device token");
			if (!strcmp(a, "helpdesk") || !strcmp(a, "admin")) {
				request(m, path, ro_tok, b, NULL, NULL);
				if (last.status != 403 || !streq(L("error.code"), "forbidden"))
					SWEEP_BAD(bad403ro, "with a read-only token");
			}
			if (!strcmp(a, "admin")) {
				request(m, path, hd_tok, b, NULL, NULL);
				if (last.status != 403 || !streq(L("error.code"), "forbidden"))
					SWEEP_BAD(bad403hd, "with a helpdesk token");
			}
			if (!strcmp(a, "read") && !strcmp(m, "GET")) {
				/* Allowed: 200, or 404 for the placeholder id. */
				request(m, path, ro_tok, NULL, NULL, NULL);
				if (last.status == 401 || last.status == 403 ||
				    (!strstr(routes[i].pattern, "{}") && last.status != 200))
					SWEEP_BAD(badro_read, "with a read-only token");
			}
		}
#undef SWEEP_BAD
		ok(nr >= 70 && !bad401, "every route needing a token (%d of %d in the route table)"
		   " answers 401 without one", checked, nr);
		ok(nr >= 70 && !bad403dev, "every admin route answers 403 to a device token");
		ok(nr >= 70 && !bad403ro,
		   "every helpdesk and admin route answers 403 to a read-only token");
		ok(nr >= 70 && !bad403hd, "every admin-only route answers 403 to a helpdesk token");
		ok(nr >= 70 && !badro_read, "every read route lets a read-only administrator read");
		ok(nr >= 70 && !bad_device, "every device route answers 403 to administrators");
		ok(nr >= 70 && !bad_role, "route roles: only /healthz, login, enrolment and the"
		   " dashboard's files are open; only logout and making and revoking one's"
		   " API tokens are writes for read-only");
		request("POST", "/api/v1/device/checkin", tok, "{}", NULL, NULL);
		expect_error(403, "forbidden", NULL, "device endpoint with an admin token");
		request("POST", "/api/v1/device/checkin", "wpd_forged", "{}", NULL, NULL);
		expect_error(401, "unauthorized", NULL, "device endpoint with a forged token");
	}

	/* --- leasing --- */
	request("POST", "/api/v1/device/checkin", dev_tok, "{\"nonce\":\"c2hvcnQ=\"}", NULL, NULL);
	expect_error(400, "invalid_field", "nonce", "check-in with a short nonce");
	request("POST", "/api/v1/device/checkin", dev_tok, "{\"nonce\":\"!!!!\"}", NULL, NULL);
	expect_error(400, "invalid_field", "nonce", "check-in with a non-base64 nonce");
	checkin_body(body, sizeof(body), nonce, "[{\"command_id\":\"x\",\"status\":\"done\"}]");
	request("POST", "/api/v1/device/checkin", dev_tok, body, NULL, NULL);
	expect_error(400, "invalid_field", "results[0].command_id", "result with a bad command id");
	checkin_body(body, sizeof(body), nonce, NULL);
	request("POST", "/api/v1/device/checkin", dev_tok, body, NULL, NULL);
	ok(last.status == 200 && verify_b64(cert, cert_len, L("lease.doc"), L("lease.sig"), NULL, 0),
	   "check-in returns a lease signed by the pinned key");
	{
		size_t dlen = 0;
		uint8_t *d = L("lease.doc") ? b64dec(L("lease.doc"), &dlen) : NULL;
		uint8_t id[16];

		ok(d && !wpdoc_decode(d, dlen, &doc, NULL) && doc.kind == WORKPHONE_DOC_LEASE &&
		   !wpdoc_uuid_parse(dev, id) && !memcmp(doc.device_id, id, 16) &&
		   !memcmp(doc.nonce, nonce, 32) && doc.lease_interval_s == 3600 &&
		   doc.auto_disable_s == 86400 && doc.auto_wipe_s == 345600 &&
		   doc.valid_for_s == 300 && doc.policy_version >= 2 &&
		   !wpdoc_check_periods(&doc, NULL),
		   "lease: device id, nonce, periods, policy version as specified");
		free(d);
	}
	snprintf(path, sizeof(path), "/api/v1/devices/%s", dev);
	request("GET", path, ro_tok, NULL, NULL, NULL);
	ok(streq(L("status"), "active") && L("last_checkin_at"), "last check-in recorded");

	/* --- commands: idempotency, delivery, results --- */
	snprintf(body, sizeof(body), "{\"id\":\"6f1d2c3b-0000-4000-8000-00000000000a\","
		 "\"device_id\":\"%s\",\"type\":\"lock\",\"ttl_s\":3600}", dev);
	request("POST", "/api/v1/commands", hd_tok, body, NULL, NULL);
	ok(last.status == 201 && streq(L("state"), "queued"), "helpdesk queues a lock");
	request("POST", "/api/v1/commands", hd_tok, body, NULL, NULL);
	ok(last.status == 200 && streq(L("id"), "6f1d2c3b-0000-4000-8000-00000000000a"),
	   "the same command UUID again: the same command (200)");
	snprintf(path, sizeof(path), "/api/v1/commands?device_id=%s&type=lock", dev);
	request("GET", path, ro_tok, NULL, NULL, NULL);
	ok(streq(L("total"), "1"), "one command stored for one UUID");
	snprintf(body, sizeof(body), "{\"id\":\"6f1d2c3b-0000-4000-8000-00000000000a\","
		 "\"device_id\":\"%s\",\"type\":\"unlock\"}", dev);
	request("POST", "/api/v1/commands", tok, body, NULL, NULL);
	expect_error(409, "conflict", "id", "the same UUID with other content");
	request("POST", "/api/v1/commands", tok, "{\"device_id\":\"00000000-0000-4000-8000-000000000000\","
		"\"type\":\"lock\"}", NULL, NULL);
	expect_error(400, "invalid_reference", "device_id", "command to an unknown device");
	snprintf(body, sizeof(body), "{\"device_id\":\"%s\",\"type\":\"reboot\"}", dev);
	request("POST", "/api/v1/commands", tok, body, NULL, NULL);
	expect_error(400, "invalid_field", "type", "unknown command type");
	snprintf(body, sizeof(body), "{\"device_id\":\"%s\",\"type\":\"wipe\"}", dev);
	request("POST", "/api/v1/commands", hd_tok, body, NULL, NULL);
	expect_error(403, "forbidden", "type", "helpdesk may not wipe");
	snprintf(body, sizeof(body), "{\"device_id\":\"%s\",\"type\":\"install_app\","
		 "\"params\":{\"app_id\":\"%s\",\"extra\":1}}", dev, app_b);
	request("POST", "/api/v1/commands", tok, body, NULL, NULL);
	expect_error(400, "unknown_field", "params.extra", "unknown command parameter");
	snprintf(body, sizeof(body), "{\"device_id\":\"%s\",\"type\":\"install_app\","
		 "\"params\":{\"app_id\":\"%s\"}}", dev, app_b);
	cmd = create(tok, "/api/v1/commands", body);
	ok(cmd != NULL, "queue install_app");
	snprintf(body, sizeof(body), "{\"device_id\":\"%s\",\"type\":\"unlock\",\"ttl_s\":1}", dev);
	{
		char *expiring = create(tok, "/api/v1/commands", body);

		sleep(2);	/* past its 1-second TTL */
		checkin_body(body, sizeof(body), nonce, NULL);
		request("POST", "/api/v1/device/checkin", dev_tok, body, NULL, NULL);
		{
			json_object *cmds = json_object_object_get(last.json, "commands");
			json_object *lock = find_command(cmds, "6f1d2c3b-0000-4000-8000-00000000000a");
			json_object *inst = find_command(cmds, cmd);
			size_t dlen = 0;
			uint8_t *d = lock ? b64dec(jstr(lock, "doc"), &dlen) : NULL;
			struct wpdoc cdoc;
			uint8_t cid[16];

			ok(last.status == 200 && json_object_array_length(cmds) == 2 &&
			   !find_command(cmds, expiring), "check-in delivers queued commands,"
			   " not the expired one");
			ok(lock && verify_b64(cert, cert_len, jstr(lock, "doc"), jstr(lock, "sig"),
					      NULL, 0) && d && !wpdoc_decode(d, dlen, &cdoc, NULL) &&
			   cdoc.kind == WORKPHONE_DOC_LOCK && !memcmp(cdoc.nonce, nonce, 32) &&
			   !wpdoc_uuid_parse("6f1d2c3b-0000-4000-8000-00000000000a", cid) &&
			   !memcmp(cdoc.command_id, cid, 16), "lock command: signed LOCK document");
			free(d);
			d = inst ? b64dec(jstr(inst, "body"), &dlen) : NULL;
			{
				json_object *bj = d ? json_tokener_parse((char *)d) : NULL;
				char *nb = b64enc(nonce, 32);

				ok(inst && verify_b64(cert, cert_len, jstr(inst, "body"),
						      jstr(inst, "body_sig"), NULL, 0) && bj &&
				   streq(jstr(bj, "device_id"), dev) && streq(jstr(bj, "nonce"), nb) &&
				   streq(jstr(bj, "params.app_id"), app_b) && jstr(bj, "params.url"),
				   "install_app: signed JSON body bound to device and nonce");
				json_object_put(bj);
				free(nb);
			}
			free(d);
		}
		snprintf(path, sizeof(path), "/api/v1/commands/%s", expiring);
		request("GET", path, ro_tok, NULL, NULL, NULL);
		ok(streq(L("state"), "expired"), "a command past its TTL is expired");
		free(expiring);
	}
	{
		char results[300];
		const char *lock = "6f1d2c3b-0000-4000-8000-00000000000a";
		char first_reported[32];

		snprintf(results, sizeof(results), "[{\"command_id\":\"%s\",\"status\":\"done\","
			 "\"result\":{\"n\":1}}]", lock);
		checkin_body(body, sizeof(body), nonce, results);
		request("POST", "/api/v1/device/checkin", dev_tok, body, NULL, NULL);
		ok(last.status == 200 && json_object_array_length(json_object_object_get(
			last.json, "ignored_results")) == 0, "report the lock done");
		snprintf(path, sizeof(path), "/api/v1/commands/%s", lock);
		request("GET", path, ro_tok, NULL, NULL, NULL);
		snprintf(first_reported, sizeof(first_reported), "%s",
			 L("result.reported_at") ? L("result.reported_at") : "");
		ok(streq(L("state"), "done") && streq(L("result.result.n"), "1"),
		   "command done with its result");
		snprintf(results, sizeof(results), "[{\"command_id\":\"%s\",\"status\":\"failed\","
			 "\"result\":{\"n\":2}}]", lock);
		checkin_body(body, sizeof(body), nonce, results);
		request("POST", "/api/v1/device/checkin", dev_tok, body, NULL, NULL);
		ok(last.status == 200 && json_object_array_length(json_object_object_get(
			last.json, "ignored_results")) == 1, "the same result again is ignored");
		request("GET", path, ro_tok, NULL, NULL, NULL);
		ok(streq(L("state"), "done") && streq(L("result.result.n"), "1") &&
		   streq(L("result.reported_at"), first_reported), "the result is stored once");
		snprintf(path, sizeof(path), "/api/v1/devices/%s", dev);
		request("GET", path, ro_tok, NULL, NULL, NULL);
		ok(streq(L("status"), "locked"), "a done lock shows the device locked");
		snprintf(path, sizeof(path), "/api/v1/devices?status=locked");
		request("GET", path, ro_tok, NULL, NULL, NULL);
		ok(streq(L("total"), "1"), "devices filtered by status");
	}

	/* --- the other command types, and a scheduled job --- */
	{
		char *img2 = create(tok, "/api/v1/images", "{\"name\":\"android-15\"}");
		char *rm, *upd, *pchg, *sched, sha2[65], results[400];
		json_object *cmds;

		snprintf(file, sizeof(file), "%s/image2.bin", work_dir);
		write_random_file(file, 100000);
		sha256_file(file, sha2, 0, -1);
		snprintf(path, sizeof(path), "/api/v1/images/%s/content", img2 ? img2 : "x");
		request("PUT", path, tok, NULL, NULL, file);
		ok(last.status == 200 && streq(L("sha256"), sha2), "upload a second image");
		snprintf(body, sizeof(body), "{\"device_id\":\"%s\",\"type\":\"repin\"}", dev);
		request("POST", "/api/v1/commands", tok, body, NULL, NULL);
		expect_error(409, "no_next_key", "type", "repin without a next key");
		snprintf(body, sizeof(body), "{\"device_id\":\"%s\",\"type\":\"image_update\","
			 "\"params\":{\"image_id\":\"%s\"}}", dev, img2);
		request("POST", "/api/v1/commands", hd_tok, body, NULL, NULL);
		expect_error(403, "forbidden", "type", "helpdesk may not update the image");
		upd = create(tok, "/api/v1/commands", body);
		snprintf(body, sizeof(body), "{\"device_id\":\"%s\",\"type\":\"remove_app\","
			 "\"params\":{\"app_id\":\"%s\"}}", dev, app_b);
		rm = create(hd_tok, "/api/v1/commands", body);
		snprintf(body, sizeof(body), "{\"device_id\":\"%s\",\"type\":\"policy_change\"}",
			 dev);
		pchg = create(tok, "/api/v1/commands", body);
		snprintf(body, sizeof(body), "{\"device_id\":\"%s\",\"type\":\"lock\","
			 "\"not_before\":%lld}", dev, (long long)now_ms() + 1500);
		sched = create(hd_tok, "/api/v1/commands", body);
		ok(upd && rm && pchg && sched && L("not_before"),
		   "queue image_update, remove_app, policy_change and a scheduled lock");
		snprintf(body, sizeof(body), "{\"device_id\":\"%s\",\"type\":\"remove_app\","
			 "\"params\":{}}", dev);
		request("POST", "/api/v1/commands", tok, body, NULL, NULL);
		expect_error(400, "missing_field", "params.app_id", "remove_app without app_id");

		checkin_body(body, sizeof(body), nonce, NULL);
		request("POST", "/api/v1/device/checkin", dev_tok, body, NULL, NULL);
		cmds = json_object_object_get(last.json, "commands");
		{
			static const char *const types[] = { "image_update", "remove_app",
							      "policy_change" };
			const char *ids[] = { upd, rm, pchg };
			int good = 0;

			for (int i = 0; i < 3; i++) {
				json_object *c = find_command(cmds, ids[i]), *bj = NULL;
				size_t blen;
				uint8_t *b = c ? b64dec(jstr(c, "body"), &blen) : NULL;
				char *nb = b64enc(nonce, 32);

				bj = b ? json_tokener_parse((char *)b) : NULL;
				if (c && !jstr(c, "doc") &&
				    verify_b64(cert, cert_len, jstr(c, "body"),
					       jstr(c, "body_sig"), NULL, 0) &&
				    streq(jstr(bj, "type"), types[i]) &&
				    streq(jstr(bj, "command_id"), ids[i]) &&
				    streq(jstr(bj, "device_id"), dev) &&
				    streq(jstr(bj, "nonce"), nb) &&
				    (i || (streq(jstr(bj, "params.sha256"), sha2) &&
					   jstr(bj, "params.url"))))
					good++;
				else
					printf("# %s not delivered as a signed JSON body\n",
					       types[i]);
				json_object_put(bj);
				free(b);
				free(nb);
			}
			ok(good == 3, "image_update (with the image's sha256 and url),"
			   " remove_app and policy_change: signed JSON bodies");
		}
		ok(!find_command(cmds, sched),
		   "a scheduled command is not delivered before its time");
		snprintf(results, sizeof(results), "[{\"command_id\":\"%s\",\"status\":\"done\"},"
			 "{\"command_id\":\"%s\",\"status\":\"failed\",\"result\":"
			 "{\"error\":\"not installed\"}}]", upd, rm);
		checkin_body(body, sizeof(body), nonce, results);
		request("POST", "/api/v1/device/checkin", dev_tok, body, NULL, NULL);
		snprintf(path, sizeof(path), "/api/v1/devices/%s", dev);
		request("GET", path, ro_tok, NULL, NULL, NULL);
		ok(streq(L("image_sha256"), sha2),
		   "a done image_update records the device's new image");
		snprintf(path, sizeof(path), "/api/v1/commands/%s", rm);
		request("GET", path, ro_tok, NULL, NULL, NULL);
		ok(streq(L("state"), "failed") && streq(L("result.result.error"), "not installed"),
		   "a failed command keeps the device's error");
		usleep(1700 * 1000);
		checkin_body(body, sizeof(body), nonce, NULL);
		request("POST", "/api/v1/device/checkin", dev_tok, body, NULL, NULL);
		ok(find_command(json_object_object_get(last.json, "commands"), sched) != NULL,
		   "the scheduled lock is delivered once its time has come");
		snprintf(path, sizeof(path), "/api/v1/commands/%s/cancel", sched);
		request("POST", path, hd_tok, NULL, NULL, NULL);
		ok(last.status == 200 && streq(L("state"), "cancelled"),
		   "helpdesk cancels a sent command");
		request("POST", path, hd_tok, NULL, NULL, NULL);
		expect_error(409, "invalid_state", "state", "cancel a cancelled command");
		request("POST", "/api/v1/commands/00000000-0000-4000-8000-000000000000/cancel", tok,
			NULL, NULL, NULL);
		expect_error(404, "not_found", NULL, "cancel an unknown command");
		request("GET", "/api/v1/commands/00000000-0000-4000-8000-000000000000", tok,
			NULL, NULL, NULL);
		expect_error(404, "not_found", NULL, "an unknown command");
		snprintf(results, sizeof(results), "[{\"command_id\":\"%s\",\"status\":\"done\"}]",
			 pchg);
		checkin_body(body, sizeof(body), nonce, results);
		request("POST", "/api/v1/device/checkin", dev_tok, body, NULL, NULL);
		free(img2);
		free(rm);
		free(upd);
		free(pchg);
		free(sched);
	}

	/* --- mass-wipe protection --- */
	{
		char *devs[8];
		char *held = NULL;
		int n = wipe_hold + 1;

		for (int i = 0; i < n && i < 8; i++) {
			request("POST", "/api/v1/enroll", NULL, "{\"username\":\"alice\",\"password\":"
				"\"alice-password\"}", NULL, NULL);
			devs[i] = dupstr(L("device_id"));
			snprintf(body, sizeof(body), "{\"device_id\":\"%s\",\"type\":\"wipe\"}",
				 devs[i]);
			request("POST", "/api/v1/commands", tok, body, NULL, NULL);
			if (i == n - 1) {
				ok(last.status == 201 && streq(L("state"), "held"),
				   "wipe number %d in the window is held", n);
				held = dupstr(L("id"));
			} else if (last.status != 201 || !streq(L("state"), "queued")) {
				ok(false, "wipe %d queued", i + 1);
			}
		}
		snprintf(path, sizeof(path), "/api/v1/commands/%s/approve", held ? held : "x");
		request("POST", path, tok, NULL, NULL, NULL);
		expect_error(403, "second_admin_required", NULL, "the same admin cannot approve");
		request("POST", path, tok2, NULL, NULL, NULL);
		ok(last.status == 200 && streq(L("state"), "queued") && streq(L("approved_by"), "root2"),
		   "a second admin approves the held wipe");
		request("POST", path, tok2, NULL, NULL, NULL);
		expect_error(409, "invalid_state", "state", "approve twice");
		snprintf(path, sizeof(path), "/api/v1/commands/%s/cancel", held ? held : "x");
		request("POST", path, tok, NULL, NULL, NULL);
		ok(last.status == 200 && streq(L("state"), "cancelled"), "cancel a queued command");
		for (int i = 0; i < n && i < 8; i++)
			free(devs[i]);
		free(held);
	}

	/* --- feeds, statistics, API tokens --- */
	request("GET", "/api/v1/activity?limit=5", ro_tok, NULL, NULL, NULL);
	ok(last.status == 200 && json_object_array_length(json_object_object_get(last.json, "items"))
	   == 5 && json_object_get_int(json_object_object_get(last.json, "total")) > 20,
	   "activity feed, paginated");
	request("GET", "/api/v1/activity?action=enroll", ro_tok, NULL, NULL, NULL);
	ok(last.status == 200 && json_object_get_int(json_object_object_get(last.json, "total"))
	   >= 2, "activity feed filtered by action");
	request("GET", "/api/v1/stats", ro_tok, NULL, NULL, NULL);
	ok(last.status == 200 && streq(L("counts.users"), "1") &&
	   streq(L("devices_by_status.locked"), "1") && L("commands_by_state.done"),
	   "dashboard statistics");
	request("GET", "/api/v1/stats?days=7", ro_tok, NULL, NULL, NULL);
	expect_error(400, "unknown_field", "days", "statistics take no query parameter");
	request("GET", "/api/v1/me?x=1", ro_tok, NULL, NULL, NULL);
	expect_error(400, "unknown_field", "x", "a GET that is not a list refuses a query");
	/* Any administrator may make API tokens; they act with the maker's role. */
	request("POST", "/api/v1/api-tokens", ro_tok, "{\"name\":\"monitoring\"}", NULL, NULL);
	{
		char *ro_api = dupstr(L("token"));

		ok(last.status == 201 && ro_api, "a read-only administrator creates an API token");
		request("GET", "/api/v1/me", ro_api, NULL, NULL, NULL);
		ok(last.status == 200 && streq(L("role"), "read-only") &&
		   streq(L("api_token"), "true"), "the read-only API token acts as read-only");
		request("POST", "/api/v1/users", ro_api, "{\"username\":\"nope\"}", NULL, NULL);
		expect_error(403, "forbidden", NULL, "a read-only API token cannot write");
		free(ro_api);
	}
	request("POST", "/api/v1/api-tokens", tok, "{\"name\":\"ci\"}", NULL, NULL);
	api_tok = dupstr(L("token"));
	ok(last.status == 201 && api_tok, "create an API token");
	{
		char *api_id = dupstr(L("id"));

		request("GET", "/api/v1/me", api_tok, NULL, NULL, NULL);
		ok(last.status == 200 && streq(L("api_token"), "true"), "API token authenticates");
		snprintf(path, sizeof(path), "/api/v1/api-tokens/%s", api_id);
		request("DELETE", path, tok, NULL, NULL, NULL);
		ok(last.status == 204, "revoke the API token");
		request("GET", "/api/v1/me", api_tok, NULL, NULL, NULL);
		expect_error(401, "unauthorized", NULL, "revoked API token");
		free(api_id);
	}
	request("POST", "/api/v1/logout", ro_tok, NULL, NULL, NULL);
	ok(last.status == 204, "logout");
	request("GET", "/api/v1/me", ro_tok, NULL, NULL, NULL);
	expect_error(401, "unauthorized", NULL, "token after logout");

	/* --- inactive after one interval + grace --- */
	{
		char *p2, *g2, *u2, *d2, *t2, *d3, *t3;

		p2 = create(tok, "/api/v1/policy-sets", "{\"name\":\"fast\",\"lease_interval_s\":1,"
			    "\"auto_disable_s\":2,\"auto_wipe_s\":3}");
		snprintf(body, sizeof(body), "{\"name\":\"Fast\",\"policy_set_id\":\"%s\","
			 "\"template_id\":\"%s\"}", p2, tmpl);
		g2 = create(tok, "/api/v1/groups", body);
		snprintf(body, sizeof(body), "{\"username\":\"carol\",\"group_id\":\"%s\","
			 "\"password\":\"carol-password\"}", g2);
		u2 = create(tok, "/api/v1/users", body);
		request("POST", "/api/v1/enroll", NULL, "{\"username\":\"carol\",\"password\":"
			"\"carol-password\"}", NULL, NULL);
		d2 = dupstr(L("device_id"));
		t2 = dupstr(L("device_token"));
		snprintf(body, sizeof(body), "{\"image_sha256\":\"%s\"}", sha);
		request("POST", "/api/v1/device/installed", t2, body, NULL, NULL);
		checkin_body(body, sizeof(body), nonce, NULL);
		request("POST", "/api/v1/device/checkin", t2, body, NULL, NULL);
		/* A second device installs and then never checks in. */
		request("POST", "/api/v1/enroll", NULL, "{\"username\":\"carol\",\"password\":"
			"\"carol-password\"}", NULL, NULL);
		d3 = dupstr(L("device_id"));
		t3 = dupstr(L("device_token"));
		snprintf(body, sizeof(body), "{\"image_sha256\":\"%s\"}", sha);
		request("POST", "/api/v1/device/installed", t3, body, NULL, NULL);
		snprintf(path, sizeof(path), "/api/v1/devices/%s", d2);
		request("GET", path, tok, NULL, NULL, NULL);
		ok(streq(L("status"), "active"), "device active right after its check-in");
		sleep(3);	/* interval 1 s + grace 1 s have passed */
		request("GET", path, tok, NULL, NULL, NULL);
		ok(streq(L("status"), "inactive") && L("last_checkin_at"),
		   "device inactive after interval + grace");
		snprintf(path, sizeof(path), "/api/v1/devices/%s", d3 ? d3 : "x");
		request("GET", path, tok, NULL, NULL, NULL);
		ok(streq(L("status"), "inactive") && !L("last_checkin_at"),
		   "a device that installed and never checked in: inactive after interval + grace");
		request("GET", "/api/v1/devices?status=inactive", tok, NULL, NULL, NULL);
		ok(streq(L("total"), "2"), "inactive devices can be listed");
		request("GET", "/api/v1/stats", tok, NULL, NULL, NULL);
		ok(streq(L("devices_by_status.inactive"), "2"),
		   "statistics count inactive devices");

		/* The enabler auto-wiped: the device says so at its check-in. */
		checkin_body(body, sizeof(body), nonce, "[],\"wiped\":\"yes\"");
		request("POST", "/api/v1/device/checkin", t2, body, NULL, NULL);
		expect_error(400, "invalid_field", "wiped", "check-in with a non-boolean 'wiped'");
		checkin_body(body, sizeof(body), nonce, "[],\"wiped\":false");
		request("POST", "/api/v1/device/checkin", t2, body, NULL, NULL);
		ok(last.status == 200 && L("lease.doc"), "check-in with \"wiped\": false is a renewal");
		checkin_body(body, sizeof(body), nonce, "[],\"wiped\":true");
		request("POST", "/api/v1/device/checkin", t2, body, NULL, NULL);
		ok(last.status == 200 && streq(L("status"), "wiped") && !L("lease") &&
		   !json_object_array_length(json_object_object_get(last.json, "commands")),
		   "a device reporting its enabler wiped: answered wiped, no lease, no commands");
		snprintf(path, sizeof(path), "/api/v1/devices/%s", d2);
		request("GET", path, tok, NULL, NULL, NULL);
		ok(streq(L("status"), "wiped"), "... the device shows wiped");
		snprintf(path, sizeof(path), "/api/v1/activity?object_id=%s&action=wipe", d2);
		request("GET", path, tok, NULL, NULL, NULL);
		{
			json_object *it = json_object_array_get_idx(
				json_object_object_get(last.json, "items"), 0);
			const char *sum = it ? jstr(it, "summary") : NULL;

			ok(streq(L("total"), "1") && sum &&
			   strstr(sum, "reports its work phone wiped by the enabler"),
			   "... in the activity feed");
		}
		checkin_body(body, sizeof(body), nonce, "[],\"wiped\":true");
		request("POST", "/api/v1/device/checkin", t2, body, NULL, NULL);
		expect_error(410, "gone", NULL, "... and its next check-in is 410");
		free(p2);
		free(g2);
		free(u2);
		free(d2);
		free(t2);
		free(d3);
		free(t3);
	}

	/* --- wipe reported: the device is gone --- */
	snprintf(body, sizeof(body), "{\"device_id\":\"%s\",\"type\":\"wipe\"}", dev);
	request("POST", "/api/v1/commands", tok2, body, NULL, NULL);
	{
		char *wipe = dupstr(L("id")), results[300];

		if (streq(L("state"), "held")) {
			snprintf(path, sizeof(path), "/api/v1/commands/%s/approve", wipe);
			request("POST", path, tok, NULL, NULL, NULL);
		}
		checkin_body(body, sizeof(body), nonce, NULL);
		request("POST", "/api/v1/device/checkin", dev_tok, body, NULL, NULL);
		{
			json_object *w = find_command(json_object_object_get(last.json, "commands"), wipe);
			size_t dlen = 0;
			uint8_t *d = w ? b64dec(jstr(w, "doc"), &dlen) : NULL;
			struct wpdoc wdoc;

			ok(d && !wpdoc_decode(d, dlen, &wdoc, NULL) && wdoc.kind == WORKPHONE_DOC_WIPE,
			   "wipe delivered as a signed WIPE document");
			free(d);
		}
		snprintf(results, sizeof(results), "[{\"command_id\":\"%s\",\"status\":\"done\"}]",
			 wipe);
		checkin_body(body, sizeof(body), nonce, results);
		request("POST", "/api/v1/device/checkin", dev_tok, body, NULL, NULL);
		ok(last.status == 200 && streq(L("status"), "wiped"), "wipe reported done");
		checkin_body(body, sizeof(body), nonce, NULL);
		request("POST", "/api/v1/device/checkin", dev_tok, body, NULL, NULL);
		expect_error(410, "gone", NULL, "a wiped device cannot check in");
		request("GET", "/api/v1/device/manifest", dev_tok, NULL, NULL, NULL);
		expect_error(410, "gone", NULL, "a wiped device gets no manifest");
		snprintf(body, sizeof(body), "{\"image_sha256\":\"%s\"}", sha);
		request("POST", "/api/v1/device/installed", dev_tok, body, NULL, NULL);
		expect_error(410, "gone", NULL, "a wiped device cannot report an install");
		snprintf(body, sizeof(body), "{\"device_id\":\"%s\",\"type\":\"lock\"}", dev);
		request("POST", "/api/v1/commands", tok, body, NULL, NULL);
		expect_error(409, "device_wiped", "device_id", "no commands to a wiped device");
		free(wipe);
	}

	/* --- every catalogue resource: create, read, change, history, delete --- */
	mark = now_ms();
	{
		static const char *const crud[][3] = {
			{ "admins", "{\"username\":\"tmp-admin\",\"role\":\"read-only\","
			  "\"password\":\"tmp-password\"}", "{\"role\":\"helpdesk\"}" },
			{ "users", "{\"username\":\"tmp-user\"}", "{\"display_name\":\"Temp\"}" },
			{ "groups", "{\"name\":\"tmp-group\"}", "{\"description\":\"temporary\"}" },
			{ "policy-sets", "{\"name\":\"tmp-policy\"}", "{\"max_retries\":3}" },
			{ "templates", "{\"name\":\"tmp-template\",\"guest_os\":\"debian\"}",
			  "{\"settings\":{\"a\":1}}" },
			{ "images", "{\"name\":\"tmp-image\"}", "{\"version\":\"2\"}" },
			{ "apps", "{\"name\":\"tmp-app\"}", "{\"a_la_carte\":true}" },
		};

		for (size_t i = 0; i < sizeof(crud) / sizeof(crud[0]); i++) {
			char coll[80], item[200], hist[220];
			char *id;
			int bad = 0;

#define CRUD_CHECK(cond, what) do { if (!(cond)) { bad++; \
				printf("# %s: %s: %ld %.200s\n", crud[i][0], what, last.status, \
				       last.body ? last.body : ""); } } while (0)
			snprintf(coll, sizeof(coll), "/api/v1/%s", crud[i][0]);
			id = create(tok, coll, crud[i][1]);
			CRUD_CHECK(id, "create");
			snprintf(item, sizeof(item), "%s/%s", coll, id ? id : "x");
			snprintf(hist, sizeof(hist), "%s/history", item);
			request("GET", item, tok, NULL, NULL, NULL);
			CRUD_CHECK(last.status == 200 && streq(L("id"), id), "get");
			request("PATCH", item, tok2, crud[i][2], NULL, NULL);
			CRUD_CHECK(last.status == 200, "patch (by the second administrator)");
			request("PATCH", item, tok, "{\"no_such\":1}", NULL, NULL);
			CRUD_CHECK(last.status == 400 && streq(L("error.code"), "unknown_field") &&
				   streq(L("error.field"), "no_such"), "patch an unknown field");
			request("PATCH", item, tok, "{\"created_at\":1}", NULL, NULL);
			CRUD_CHECK(last.status == 400 && streq(L("error.field"), "created_at"),
				   "patch a read-only field");
			request("PATCH", item, tok, "not json", NULL, NULL);
			CRUD_CHECK(last.status == 400 && streq(L("error.code"), "invalid_json"),
				   "patch with bad JSON");
			request("GET", hist, tok, NULL, NULL, NULL);
			CRUD_CHECK(last.status == 200 && total_of() == 2,
				   "history: create, update");
			request("DELETE", item, tok, NULL, NULL, NULL);
			CRUD_CHECK(last.status == 204, "delete");
			request("GET", item, tok, NULL, NULL, NULL);
			CRUD_CHECK(last.status == 404 && streq(L("error.code"), "not_found"),
				   "get after delete");
			request("PATCH", item, tok, crud[i][2], NULL, NULL);
			CRUD_CHECK(last.status == 404, "patch after delete");
			request("DELETE", item, tok, NULL, NULL, NULL);
			CRUD_CHECK(last.status == 404, "delete twice");
			request("GET", hist, tok, NULL, NULL, NULL);
			CRUD_CHECK(last.status == 200 && total_of() == 3 &&
				   streq(jstr(json_object_array_get_idx(items_of(), 0), "action"),
					 "delete") &&
				   jstr(json_object_array_get_idx(items_of(), 0), "before.id") &&
				   !jstr(json_object_array_get_idx(items_of(), 0), "after"),
				   "history kept after delete, newest first");
			ok(!check_paging(hist, tok), "%s/{id}/history: limit, offset, total; bad"
			   " paging parameters refused naming them", coll);
			ok(check_filter(hist, tok, "actor", "root2", NULL),
			   "%s/{id}/history filtered by actor", coll);
			snprintf(body, sizeof(body), "%s?object_type=user", hist);
			request("GET", body, tok, NULL, NULL, NULL);
			CRUD_CHECK(last.status == 400 && streq(L("error.field"), "object_type"),
				   "history: object_type comes from the path, not the query");
			snprintf(hist, sizeof(hist), "%s/%s/history", coll,
				 "00000000-0000-4000-8000-000000000000");
			request("GET", hist, tok, NULL, NULL, NULL);
			CRUD_CHECK(last.status == 404, "history of an object that never existed");
#undef CRUD_CHECK
			ok(!bad, "%s: create, get, patch, history, delete, and their errors",
			   crud[i][0]);
			free(id);
		}
	}
	snprintf(path, sizeof(path), "/api/v1/devices/%s", dev);
	request("PATCH", path, tok, "{\"name\":\"Alice phone\"}", NULL, NULL);
	ok(last.status == 200 && streq(L("name"), "Alice phone"), "rename a device");
	request("PATCH", path, tok, "{\"status\":\"active\"}", NULL, NULL);
	expect_error(400, "invalid_field", "status", "a device's status is read-only");
	request("DELETE", path, tok, NULL, NULL, NULL);
	expect_error(405, "method_not_allowed", NULL, "devices are not deleted");
	request("POST", "/api/v1/devices", tok, "{\"name\":\"x\"}", NULL, NULL);
	expect_error(405, "method_not_allowed", NULL, "devices are created by enrolment only");
	snprintf(path, sizeof(path), "/api/v1/devices/%s/history", dev);
	request("GET", path, tok, NULL, NULL, NULL);
	ok(last.status == 200 && total_of() >= 1 &&
	   streq(jstr(json_object_array_get_idx(items_of(), 0), "after.name"), "Alice phone"),
	   "device history");
	snprintf(body, sizeof(body), "/api/v1/devices/%s", dev);
	request("PATCH", body, tok2, "{\"name\":\"Alice's phone\"}", NULL, NULL);
	ok(!check_paging(path, tok), "/api/v1/devices/{id}/history: limit, offset, total; bad"
	   " paging parameters refused naming them");
	ok(check_filter(path, tok, "actor", "root2", NULL),
	   "/api/v1/devices/{id}/history filtered by actor");

	/* API tokens: list without secrets, errors. */
	{
		char *a1 = create(tok, "/api/v1/api-tokens", "{\"name\":\"pager\"}");
		char *a2 = create(tok, "/api/v1/api-tokens", "{\"name\":\"pager-2\"}");

		request("GET", "/api/v1/api-tokens", tok, NULL, NULL, NULL);
		ok(a1 && a2 && last.status == 200 && total_of() == 2 &&
		   !strstr(last.body, "wpk_"), "list API tokens, without their secrets");
		request("POST", "/api/v1/api-tokens", tok, "{}", NULL, NULL);
		expect_error(400, "missing_field", "name", "API token without a name");
		snprintf(path, sizeof(path), "/api/v1/api-tokens/%s", a1 ? a1 : "x");
		request("DELETE", path, tok2, NULL, NULL, NULL);
		expect_error(404, "not_found", NULL, "another administrator's API token");
		free(a1);
		free(a2);
	}

	/*
	 * --- every list: pagination and a filter; the lists are found in the
	 * route table (any GET without a parameter that answers "items") ---
	 */
	free_id(create(tok, "/api/v1/templates", "{\"name\":\"desktop\",\"guest_os\":\"debian\"}"));
	{
		static struct route routes[256];
		static const char *const filters[][4] = {	/* list, key, value, item key */
			{ "/api/v1/admins", "role", "helpdesk", NULL },
			{ "/api/v1/users", "group_id", NULL, NULL },
			{ "/api/v1/groups", "policy_set_id", NULL, NULL },
			{ "/api/v1/policy-sets", "password_strength", "complex", NULL },
			{ "/api/v1/templates", "guest_os", "debian", NULL },
			{ "/api/v1/images", "name", "android-14", NULL },
			{ "/api/v1/apps", "a_la_carte", "true", NULL },
			{ "/api/v1/devices", "status", "wiped", NULL },
			{ "/api/v1/commands", "type", "wipe", NULL },
			{ "/api/v1/activity", "action", "enroll", NULL },
			{ "/api/v1/history", "object_type", "policy_set", NULL },
			{ "/api/v1/api-tokens", "name", "pager", NULL },
		};
		int nr = load_routes(routes, 256), nlists = 0, nfiltered = 0;

		for (int i = 0; i < nr; i++) {
			bool filtered = false;

			if (strcmp(routes[i].method, "GET") || strstr(routes[i].pattern, "{}") ||
			    strcmp(routes[i].auth, "read"))
				continue;
			request("GET", routes[i].pattern, tok, NULL, NULL, NULL);
			if (!items_of())
				continue;	/* not a list: /me, /stats */
			nlists++;
			ok(!check_paging(routes[i].pattern, tok), "list %s: limit, offset, total;"
			   " bad paging parameters refused naming them", routes[i].pattern);
			for (size_t f = 0; f < sizeof(filters) / sizeof(filters[0]); f++) {
				const char *value = filters[f][2];

				if (strcmp(filters[f][0], routes[i].pattern))
					continue;
				if (!value)
					value = !strcmp(filters[f][1], "group_id") ? grp : pol;
				filtered = true;
				ok(check_filter(routes[i].pattern, tok, filters[f][1], value,
						filters[f][3]),
				   "list %s filtered by %s", routes[i].pattern, filters[f][1]);
			}
			nfiltered += filtered;
			if (!filtered)
				ok(false, "list %s has a filter test", routes[i].pattern);
		}
		ok(nlists >= 12 && nfiltered == nlists,
		   "%d lists found in the route table, each paged and filtered", nlists);
		snprintf(path, sizeof(path), "%lld", (long long)mark);
		ok(check_filter("/api/v1/activity", tok, "since", path, "at"),
		   "activity since a time");
		ok(check_filter("/api/v1/commands", tok, "state", "cancelled", NULL),
		   "commands filtered by state");
		ok(check_filter("/api/v1/devices", tok, "user_id", user, NULL),
		   "devices filtered by user");
		request("GET", "/api/v1/policy-sets?q=GA", tok, NULL, NULL, NULL);
		ok(total_of() == 1 && streq(jstr(json_object_array_get_idx(items_of(), 0), "name"),
					    "legal"), "q is a case-insensitive substring");
		request("GET", "/api/v1/policy-sets?q=%25", tok, NULL, NULL, NULL);
		ok(last.status == 200 && total_of() == 0, "q: %% is matched literally");
		request("GET", "/api/v1/policy-sets?q=_", tok, NULL, NULL, NULL);
		ok(last.status == 200 && total_of() == 0, "q: _ is matched literally");
	}

	/* A device whose group loses its policy set: no manifest (409). */
	{
		char *g3, *u3, *t3 = NULL;

		snprintf(body, sizeof(body), "{\"name\":\"Shrinking\",\"policy_set_id\":\"%s\","
			 "\"template_id\":\"%s\"}", pol, tmpl);
		g3 = create(tok, "/api/v1/groups", body);
		snprintf(body, sizeof(body), "{\"username\":\"erin\",\"group_id\":\"%s\","
			 "\"password\":\"erin-password\"}", g3 ? g3 : "x");
		u3 = create(tok, "/api/v1/users", body);
		request("POST", "/api/v1/enroll", NULL, "{\"username\":\"erin\",\"password\":"
			"\"erin-password\"}", NULL, NULL);
		t3 = dupstr(L("device_token"));
		snprintf(path, sizeof(path), "/api/v1/groups/%s", g3 ? g3 : "x");
		request("PATCH", path, tok, "{\"policy_set_id\":null}", NULL, NULL);
		request("GET", "/api/v1/device/manifest", t3, NULL, NULL, NULL);
		expect_error(409, "not_provisionable", NULL,
			     "manifest of a device whose group lost its policy set");
		free(g3);
		free(u3);
		free(t3);
	}

	free(tok);
	free(tok2);
	free(ro_tok);
	free(hd_tok);
	free(dev_tok);
	free(api_tok);
	free(pol);
	free(img);
	free(app_a);
	free(app_b);
	free(tmpl);
	free(grp);
	free(user);
	free(dev);
	free(cmd);
	free(cert);
	return failures ? 1 : 0;
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	if (n > 0 && (buf = malloc((size_t)n)) && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = buf ? (size_t)n : 0;
	return buf;
}

static bool same(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	return a && b && alen == blen && !memcmp(a, b, alen);
}

/*
 * Report the image of the manifest in the last answer (enrolment or
 * GET /device/manifest) as installed, with @dtok.
 */
static void report_installed(const char *dtok)
{
	size_t mlen;
	uint8_t *m = L("manifest") ? b64dec(L("manifest"), &mlen) : NULL;
	json_object *mj = m ? json_tokener_parse((char *)m) : NULL;
	char body[160];

	snprintf(body, sizeof(body), "{\"image_sha256\":\"%s\"}",
		 jstr(mj, "image.sha256") ? jstr(mj, "image.sha256") : "");
	json_object_put(mj);
	free(m);
	request("POST", "/api/v1/device/installed", dtok, body, NULL, NULL);
}

/* Check in with @dtok; true if the lease verifies against @cert. */
static bool lease_verifies(const char *dtok, const uint8_t *cert, size_t cert_len)
{
	char body[300];
	uint8_t nonce[32];

	checkin_body(body, sizeof(body), nonce, NULL);
	request("POST", "/api/v1/device/checkin", dtok, body, NULL, NULL);
	return last.status == 200 && verify_b64(cert, cert_len, L("lease.doc"), L("lease.sig"),
						NULL, 0);
}

/*
 * Key rotation, first half (lease-protocol.rst "Server key rotation"):
 * the server runs with keys/next.* present.  A device enrols (pinning the
 * current key), a repin command tells it the next certificate in a REPIN
 * document signed by the current key over the document and the
 * certificate, and the device reports it done.  FILE keeps the device's
 * id, token and both certificates for rotate-end.
 */
static int run_rotate_begin(const char *state)
{
	const char *keys = getenv("WP_KEYS");
	char *tok = login(getenv("WP_ADMIN")), *dev = NULL, *dtok = NULL, *cmd = NULL;
	char path[700], body[600], *b64;
	uint8_t *old_cert = NULL, *next_cert = NULL, nonce[32];
	size_t old_len = 0, next_len = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/next.der", keys ? keys : ".");
	next_cert = read_file(path, &next_len);
	ok(tok && next_cert, "rotation: 'wpserver keygen --next' made keys/next.der");
	request("POST", "/api/v1/enroll", NULL, "{\"username\":\"alice\",\"password\":"
		"\"alice-password\"}", NULL, NULL);
	dev = dupstr(L("device_id"));
	dtok = dupstr(L("device_token"));
	old_cert = L("server_cert") ? b64dec(L("server_cert"), &old_len) : NULL;
	ok(last.status == 201 && old_cert && !same(old_cert, old_len, next_cert, next_len),
	   "rotation: enrolment still pins the current certificate");
	report_installed(dtok);
	ok(lease_verifies(dtok, old_cert, old_len) && !lease_verifies(dtok, next_cert, next_len),
	   "rotation: leases are signed by the current key while the next one waits");
	snprintf(body, sizeof(body), "{\"device_id\":\"%s\",\"type\":\"repin\"}", dev);
	cmd = create(tok, "/api/v1/commands", body);
	ok(cmd && streq(L("state"), "queued"), "rotation: queue a repin command");
	checkin_body(body, sizeof(body), nonce, NULL);
	request("POST", "/api/v1/device/checkin", dtok, body, NULL, NULL);
	{
		json_object *c = find_command(json_object_object_get(last.json, "commands"), cmd);
		size_t dlen = 0, clen = 0;
		uint8_t *d = c ? b64dec(jstr(c, "doc"), &dlen) : NULL;
		uint8_t *sent = c && jstr(c, "cert") ? b64dec(jstr(c, "cert"), &clen) : NULL;
		uint8_t id[16], cid[16];
		struct wpdoc doc;

		ok(c && streq(jstr(c, "type"), "repin") && same(sent, clen, next_cert, next_len) &&
		   verify_b64(old_cert, old_len, jstr(c, "doc"), jstr(c, "sig"), next_cert,
			      next_len) &&
		   !verify_b64(old_cert, old_len, jstr(c, "doc"), jstr(c, "sig"), NULL, 0) &&
		   d && !wpdoc_decode(d, dlen, &doc, NULL) && doc.kind == WORKPHONE_DOC_REPIN &&
		   !wpdoc_uuid_parse(dev, id) && !memcmp(doc.device_id, id, 16) &&
		   !wpdoc_uuid_parse(cmd, cid) && !memcmp(doc.command_id, cid, 16) &&
		   !memcmp(doc.nonce, nonce, 32),
		   "rotation: check-in delivers a REPIN document and the next certificate,"
		   " signed by the current key over both");
		ok(verify_b64(old_cert, old_len, L("lease.doc"), L("lease.sig"), NULL, 0),
		   "rotation: the lease of that check-in is still signed by the current key");
		free(d);
		free(sent);
	}
	{
		char results[200];

		snprintf(results, sizeof(results), "[{\"command_id\":\"%s\",\"status\":\"done\"}]",
			 cmd ? cmd : "x");
		checkin_body(body, sizeof(body), nonce, results);
	}
	request("POST", "/api/v1/device/checkin", dtok, body, NULL, NULL);
	snprintf(path, sizeof(path), "/api/v1/commands/%s", cmd ? cmd : "x");
	request("GET", path, tok, NULL, NULL, NULL);
	ok(streq(L("state"), "done"), "rotation: the device reports the repin done");
	f = fopen(state, "w");
	if (f && dev && dtok) {
		fprintf(f, "%s\n%s\n", dev, dtok);
		b64 = b64enc(old_cert, old_len);
		fprintf(f, "%s\n", b64);
		free(b64);
		fclose(f);
	} else if (f) {
		fclose(f);
	}
	free(tok);
	free(dev);
	free(dtok);
	free(cmd);
	free(old_cert);
	free(next_cert);
	return failures ? 1 : 0;
}

/*
 * Second half, after "wpserver keygen --promote" and a restart: the next
 * key is the current one, leases and manifests are signed by it (and no
 * longer by the old one), and a repin needs a new next key.
 */
static int run_rotate_end(const char *state)
{
	const char *keys = getenv("WP_KEYS");
	char *tok = login(getenv("WP_ADMIN")), dev[64] = "", dtok[160] = "", old_b64[4096] = "";
	char path[700], body[300];
	uint8_t *cert = NULL, *old_cert = NULL;
	size_t cert_len = 0, old_len = 0;
	FILE *f = fopen(state, "r");

	if (f) {
		if (!fgets(dev, sizeof(dev), f) || !fgets(dtok, sizeof(dtok), f) ||
		    !fgets(old_b64, sizeof(old_b64), f))
			dev[0] = '\0';
		fclose(f);
	}
	dev[strcspn(dev, "\n")] = '\0';
	dtok[strcspn(dtok, "\n")] = '\0';
	old_b64[strcspn(old_b64, "\n")] = '\0';
	old_cert = old_b64[0] ? b64dec(old_b64, &old_len) : NULL;
	snprintf(path, sizeof(path), "%s/server.der", keys ? keys : ".");
	cert = read_file(path, &cert_len);
	snprintf(path, sizeof(path), "%s/next.der", keys ? keys : ".");
	ok(tok && dev[0] && cert && old_cert && !same(cert, cert_len, old_cert, old_len) &&
	   access(path, F_OK), "rotation: --promote made the next key current");
	ok(lease_verifies(dtok, cert, cert_len) && !lease_verifies(dtok, old_cert, old_len),
	   "rotation: after the promotion leases verify with the new key only");
	request("GET", "/api/v1/device/manifest", dtok, NULL, NULL, NULL);
	{
		size_t sent_len = 0;
		uint8_t *sent = L("server_cert") ? b64dec(L("server_cert"), &sent_len) : NULL;

		ok(last.status == 200 && same(sent, sent_len, cert, cert_len) &&
		   verify_b64(cert, cert_len, L("manifest"), L("manifest_sig"), NULL, 0),
		   "rotation: manifests carry and are signed by the new certificate");
		free(sent);
	}
	snprintf(body, sizeof(body), "{\"device_id\":\"%s\",\"type\":\"repin\"}", dev);
	request("POST", "/api/v1/commands", tok, body, NULL, NULL);
	ok(last.status == 409 && streq(L("error.code"), "no_next_key") &&
	   streq(L("error.field"), "type"), "rotation: no repin until the next rotation's key");
	free(tok);
	free(cert);
	free(old_cert);
	return failures ? 1 : 0;
}

/* Create users until killed, recording each acknowledged id. */
static int run_burst(const char *file)
{
	char *tok = login(getenv("WP_ADMIN"));
	FILE *f = fopen(file, "a");
	char body[200];

	if (!tok || !f)
		return 2;
	for (int i = 0;; i++) {
		snprintf(body, sizeof(body), "{\"username\":\"burst-%d-%d\"}", getpid(), i);
		request("POST", "/api/v1/users", tok, body, NULL, NULL);
		if (last.status != 201)
			break;
		fprintf(f, "%s\n", L("id"));
		fflush(f);
	}
	fclose(f);
	free(tok);
	return 0;
}

static int run_verify(const char *file)
{
	char *tok = login(getenv("WP_ADMIN"));
	FILE *f = fopen(file, "r");
	char line[100], path[200];
	int n = 0, missing = 0;

	if (!f || !tok) {
		ok(false, "log in after the crash");
		free(tok);
		if (f)
			fclose(f);
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (strlen(line) != 36)
			continue;	/* a torn last line: never acknowledged in full */
		n++;
		snprintf(path, sizeof(path), "/api/v1/users/%s", line);
		if (request("GET", path, tok, NULL, NULL, NULL) != 200) {
			missing++;
			printf("# lost acknowledged user %s\n", line);
		}
	}
	fclose(f);
	free(tok);
	printf("# %d acknowledged writes checked\n", n);
	ok(n > 0 && missing == 0, "no acknowledged write lost after kill -9 (%d checked)", n);
	return failures ? 1 : 0;
}

/*
 * Two instances on one database and one --data directory (WP_URL: A,
 * WP_URL_B: B), as Documentation/api.rst says to run them: a device
 * enrols on A and is served by B with the certificate it pinned; an
 * image uploaded on A downloads from B with its SHA-256; a command UUID
 * posted to A and then to B is one command.
 */
static int run_shared(void)
{
	const char *url_a = base_url, *url_b = getenv("WP_URL_B");
	char *tok = login(getenv("WP_ADMIN")), *dev = NULL, *dtok = NULL, *img = NULL;
	char body[600], path[300], file[600], sha[65], got[65], hdr[120];
	uint8_t *cert = NULL, *cert_b = NULL;
	size_t cert_len = 0, cert_b_len = 0;
	static const char cmd_id[] = "6f1d2c3b-0000-4000-8000-0000000000b1";

	ok(tok && url_b, "shared: log in on A");
	request("POST", "/api/v1/enroll", NULL, "{\"username\":\"alice\",\"password\":"
		"\"alice-password\"}", NULL, NULL);
	dev = dupstr(L("device_id"));
	dtok = dupstr(L("device_token"));
	cert = L("server_cert") ? b64dec(L("server_cert"), &cert_len) : NULL;
	ok(last.status == 201 && dev && dtok && cert, "shared: a device enrols on A");

	base_url = url_b ? url_b : url_a;
	request("GET", "/api/v1/device/manifest", dtok, NULL, NULL, NULL);
	cert_b = L("server_cert") ? b64dec(L("server_cert"), &cert_b_len) : NULL;
	ok(last.status == 200 && same(cert, cert_len, cert_b, cert_b_len) &&
	   verify_b64(cert, cert_len, L("manifest"), L("manifest_sig"), NULL, 0),
	   "shared: B knows the device's token and signs its manifest with the pinned key");
	report_installed(dtok);
	ok(last.status == 200 && streq(L("status"), "active"), "shared: install reported to B");
	ok(lease_verifies(dtok, cert, cert_len),
	   "shared: the device checks in on B; the lease verifies against the certificate"
	   " pinned at enrolment on A");

	base_url = url_a;
	img = create(tok, "/api/v1/images", "{\"name\":\"shared-image\"}");
	snprintf(file, sizeof(file), "%s/shared.bin", work_dir);
	write_random_file(file, (3u << 20) + 4321);
	sha256_file(file, sha, 0, -1);
	snprintf(path, sizeof(path), "/api/v1/images/%s/content", img ? img : "x");
	snprintf(hdr, sizeof(hdr), "X-Content-SHA256: %s", sha);
	request("PUT", path, tok, NULL, hdr, file);
	ok(last.status == 200 && streq(L("sha256"), sha), "shared: an image uploaded on A");
	base_url = url_b ? url_b : url_a;
	request("GET", path, tok, NULL, NULL, NULL);
	body_sha256("shared-dl.bin", got);
	ok(last.status == 200 && !strcmp(got, sha) && last.len == (3u << 20) + 4321,
	   "shared: B serves the image uploaded on A with its exact SHA-256");

	snprintf(body, sizeof(body), "{\"id\":\"%s\",\"device_id\":\"%s\",\"type\":\"lock\"}",
		 cmd_id, dev ? dev : "x");
	base_url = url_a;
	request("POST", "/api/v1/commands", tok, body, NULL, NULL);
	ok(last.status == 201 && streq(L("id"), cmd_id), "shared: a command posted to A");
	base_url = url_b ? url_b : url_a;
	request("POST", "/api/v1/commands", tok, body, NULL, NULL);
	ok(last.status == 200 && streq(L("id"), cmd_id),
	   "shared: the same command UUID posted to B is the same command (200)");
	snprintf(path, sizeof(path), "/api/v1/commands?device_id=%s&type=lock", dev ? dev : "x");
	request("GET", path, tok, NULL, NULL, NULL);
	ok(last.status == 200 && total_of() == 1, "shared: one command stored for one UUID");
	base_url = url_a;
	free(tok);
	free(dev);
	free(dtok);
	free(img);
	free(cert);
	free(cert_b);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	int ret;

	base_url = getenv("WP_URL");
	work_dir = getenv("WP_WORK") ? getenv("WP_WORK") : "/tmp";
	if (!base_url || argc < 2) {
		fprintf(stderr, "usage: WP_URL=... api_test all | burst FILE | verify FILE |"
			" rotate-begin FILE | rotate-end FILE | shared\n");
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (getenv("WP_REQLOG"))
		reqlog = fopen(getenv("WP_REQLOG"), "a");
	if (!strcmp(argv[1], "all"))
		ret = run_all();
	else if (!strcmp(argv[1], "rotate-begin") && argc > 2)
		ret = run_rotate_begin(argv[2]);
	else if (!strcmp(argv[1], "rotate-end") && argc > 2)
		ret = run_rotate_end(argv[2]);
	else if (!strcmp(argv[1], "burst") && argc > 2)
		ret = run_burst(argv[2]);
	else if (!strcmp(argv[1], "verify") && argc > 2)
		ret = run_verify(argv[2]);
	else if (!strcmp(argv[1], "shared"))
		ret = run_shared();
	else
		ret = 2;
	resp_clear(&last);
	curl_global_cleanup();
	if (reqlog)
		fclose(reqlog);
	return ret;
}
