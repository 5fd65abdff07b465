// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpadmin: output for people - tables for lists, "field: value" lines for
 * one object - and, with --json, the server's answer unchanged for
 * scripts.  Text that came from the server (device names are chosen by
 * devices) is printed with control characters replaced, so it cannot
 * drive the terminal.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wpadmin.h"

#define CELL_MAX 60	/* characters of a table cell before it is cut */

void wpa_print_raw(const struct wpa_resp *r)
{
	size_t n = r->body ? strlen(r->body) : 0;

	if (!n)
		return;
	fputs(r->body, stdout);
	if (r->body[n - 1] != '\n')
		putchar('\n');
}

const char *wpa_str(json_object *obj, const char *key)
{
	json_object *v;

	if (!obj || !json_object_object_get_ex(obj, key, &v) || !v)
		return NULL;
	return json_object_get_string(v);
}

const char *wpa_fmt_time(long long ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%SZ", &tm))
		snprintf(buf, len, "%lld", ms);
	return buf;
}

const char *wpa_fmt_size(double bytes, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	int u = 0;

	while (bytes >= 1024 && u < 5) {
		bytes /= 1024;
		u++;
	}
	snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", bytes, unit[u]);
	return buf;
}

/* 43200 -> 12h: the largest unit that divides it. */
const char *wpa_fmt_duration(long long s, char *buf, size_t len)
{
	static const struct { char unit; long long sec; } units[] = {
		{ 'w', 604800 }, { 'd', 86400 }, { 'h', 3600 }, { 'm', 60 },
	};

	for (size_t i = 0; s > 0 && i < ARRAY_SIZE(units); i++)
		if (s % units[i].sec == 0) {
			snprintf(buf, len, "%lld%c", s / units[i].sec, units[i].unit);
			return buf;
		}
	snprintf(buf, len, "%llds", s);
	return buf;
}

/* Characters, not bytes, of UTF-8 text. */
static size_t u8len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static void u8cut(char *s, size_t chars)
{
	size_t n = 0;

	for (char *p = s; *p; p++) {
		if (((unsigned char)*p & 0xc0) != 0x80 && n++ == chars) {
			*p = '\0';
			return;
		}
	}
}

/* Control characters, C0 and C1 (UTF-8 C2 80..9F), become '?'. */
char *wpa_sanitize(char *s)
{
	for (unsigned char *p = (unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
		else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			p[0] = p[1] = '?';
	}
	return s;
}

static bool is_time_key(const char *key)
{
	size_t n = strlen(key);

	return !strcmp(key, "at") || !strcmp(key, "not_before") || !strcmp(key, "since") ||
	       (n > 3 && !strcmp(key + n - 3, "_at"));
}

/* A scalar, or a short form of an array or object; malloc()ed. */
static char *value_text(const char *key, json_object *v)
{
	char buf[128], *out = NULL;
	size_t len = 0;
	FILE *f;

	switch (json_object_get_type(v)) {
	case json_type_null:
		return strdup("-");
	case json_type_boolean:
		return strdup(json_object_get_boolean(v) ? "true" : "false");
	case json_type_int:
		if (is_time_key(key))
			return strdup(wpa_fmt_time(json_object_get_int64(v), buf, sizeof(buf)));
		if (!strcmp(key, "size")) {
			char human[32];

			snprintf(buf, sizeof(buf), "%lld (%s)", (long long)json_object_get_int64(v),
				 wpa_fmt_size((double)json_object_get_int64(v), human,
					      sizeof(human)));
			return strdup(buf);
		}
		break;
	case json_type_array:
		if (!json_object_array_length(v))
			return strdup("-");
		f = open_memstream(&out, &len);
		if (!f)
			return NULL;
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			json_object *e = json_object_array_get_idx(v, i);

			fprintf(f, "%s%s", i ? ", " : "", json_object_is_type(e, json_type_string) ?
				json_object_get_string(e) :
				json_object_to_json_string_ext(e, JSON_C_TO_STRING_PLAIN));
		}
		fclose(f);
		return out;
	case json_type_object:
		return strdup(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
							     JSON_C_TO_STRING_NOSLASHESCAPE));
	default:
		break;
	}
	return strdup(json_object_get_string(v));
}

/* History: which fields differ between "before" and "after". */
static char *changes_text(json_object *item)
{
	json_object *before = NULL, *after = NULL, *bv;
	char *out = NULL;
	size_t len = 0;
	FILE *f;
	int n = 0;

	json_object_object_get_ex(item, "before", &before);
	json_object_object_get_ex(item, "after", &after);
	if (!before && !after)
		return strdup("-");
	if (!before)
		return strdup("(created)");
	if (!after)
		return strdup("(deleted)");
	f = open_memstream(&out, &len);
	if (!f)
		return NULL;
	json_object_object_foreach(after, key, av) {
		if (!strcmp(key, "updated_at"))
			continue;
		if (!json_object_object_get_ex(before, key, &bv) || !json_object_equal(av, bv))
			fprintf(f, "%s%s", n++ ? ", " : "", key);
	}
	json_object_object_foreach(before, bkey, unused) {
		(void)unused;
		if (!json_object_object_get_ex(after, bkey, NULL))
			fprintf(f, "%s%s", n++ ? ", " : "", bkey);
	}
	fclose(f);
	if (!n) {
		free(out);
		return strdup("-");
	}
	return out;
}

static char *cell_text(json_object *item, const struct wpa_column *c)
{
	json_object *v = NULL;
	char buf[64];

	if (c->fmt == FMT_CHANGES)
		return changes_text(item);
	if (!json_object_object_get_ex(item, c->key, &v) || !v)
		return strdup("-");
	switch (c->fmt) {
	case FMT_TIME:
		return strdup(wpa_fmt_time(json_object_get_int64(v), buf, sizeof(buf)));
	case FMT_SIZE:
		return strdup(wpa_fmt_size((double)json_object_get_int64(v), buf, sizeof(buf)));
	case FMT_DURATION:
		return strdup(wpa_fmt_duration(json_object_get_int64(v), buf, sizeof(buf)));
	case FMT_SHORT:
		snprintf(buf, sizeof(buf), "%.12s", json_object_get_string(v));
		return strdup(buf);
	case FMT_COUNT:
		snprintf(buf, sizeof(buf), "%zu", json_object_is_type(v, json_type_array) ?
			 json_object_array_length(v) : (size_t)0);
		return strdup(buf);
	case FMT_TEXT:
	case FMT_CHANGES:
		break;
	}
	if (json_object_is_type(v, json_type_boolean))
		return strdup(json_object_get_boolean(v) ? "yes" : "no");
	return value_text(c->key, v);
}

void wpa_print_table(json_object *items, const struct wpa_column *cols)
{
	size_t nrows = json_object_array_length(items), ncols = 0, width[16] = { 0 };
	char **cells;

	while (cols[ncols].header && ncols < 16)
		ncols++;
	cells = calloc((nrows + 1) * ncols, sizeof(*cells));
	if (!cells)
		return;
	for (size_t c = 0; c < ncols; c++)
		cells[c] = strdup(cols[c].header);
	for (size_t r = 0; r < nrows; r++)
		for (size_t c = 0; c < ncols; c++) {
			char *t = cell_text(json_object_array_get_idx(items, r), &cols[c]);

			if (t && u8len(t) > CELL_MAX) {
				u8cut(t, CELL_MAX - 3);
				strcat(t, "...");
			}
			cells[(r + 1) * ncols + c] = t ? wpa_sanitize(t) : NULL;
		}
	for (size_t i = 0; i < (nrows + 1) * ncols; i++)
		if (cells[i] && u8len(cells[i]) > width[i % ncols])
			width[i % ncols] = u8len(cells[i]);
	for (size_t r = 0; r <= nrows; r++) {
		for (size_t c = 0; c < ncols; c++) {
			const char *t = cells[r * ncols + c] ? cells[r * ncols + c] : "";

			if (c + 1 < ncols)
				printf("%s%*s  ", t, (int)(width[c] - u8len(t)), "");
			else
				printf("%s\n", t);
		}
	}
	for (size_t i = 0; i < (nrows + 1) * ncols; i++)
		free(cells[i]);
	free(cells);
}

void wpa_print_page(struct wpa_ctx *ctx, json_object *page, const struct wpa_column *cols)
{
	json_object *items = NULL;
	long long total = 0, offset = 0, shown;
	json_object *v;

	if (!json_object_object_get_ex(page, "items", &items) ||
	    !json_object_is_type(items, json_type_array)) {
		wpa_print_object(page);
		return;
	}
	if (json_object_object_get_ex(page, "total", &v))
		total = json_object_get_int64(v);
	if (json_object_object_get_ex(page, "offset", &v))
		offset = json_object_get_int64(v);
	shown = (long long)json_object_array_length(items);
	if (!shown) {
		wpa_info(ctx, total ? "no items at offset %lld (%lld in all)" : "no items",
			 offset, total);
		return;
	}
	wpa_print_table(items, cols);
	if (offset + shown < total)
		wpa_info(ctx, "items %lld-%lld of %lld; the next page: --offset %lld",
			 offset + 1, offset + shown, total, offset + shown);
	else if (offset)
		wpa_info(ctx, "items %lld-%lld of %lld", offset + 1, offset + shown, total);
}

static void print_object(json_object *obj, int indent)
{
	int width = 0;

	json_object_object_foreach(obj, k, unused) {
		(void)unused;
		if ((int)strlen(k) > width)
			width = (int)strlen(k);
	}
	if (width > 28)
		width = 28;
	json_object_object_foreach(obj, key, val) {
		char name[64], *text;

		/* Keys too may come from a device (command results). */
		snprintf(name, sizeof(name), "%s", key);
		wpa_sanitize(name);
		if (json_object_is_type(val, json_type_object) && json_object_object_length(val)) {
			printf("%*s%s:\n", indent, "", name);
			print_object(val, indent + 2);
			continue;
		}
		text = value_text(key, val);
		printf("%*s%s:%*s %s\n", indent, "", name, width - (int)strlen(name), "",
		       text ? wpa_sanitize(text) : "");
		free(text);
	}
}

void wpa_print_object(json_object *obj)
{
	if (json_object_is_type(obj, json_type_object))
		print_object(obj, 0);
}

int wpa_print_result(struct wpa_ctx *ctx, const struct wpa_resp *r,
		     const struct wpa_column *cols)
{
	json_object *items = NULL;
	const char *wrong = NULL;

	/* Every answer of the admin API is an object; a page has items. */
	if (r->json && !json_object_is_type(r->json, json_type_object))
		wrong = "not a JSON object";
	else if (r->json && json_object_object_get_ex(r->json, "items", &items) &&
		 !json_object_is_type(items, json_type_array))
		wrong = "a page whose items are not a list";
	if (ctx->json)
		wpa_print_raw(r);
	else if (r->json && !wrong && cols && items)
		wpa_print_page(ctx, r->json, cols);
	else if (r->json && !wrong)
		wpa_print_object(r->json);
	if (wrong) {
		wpa_error(ctx, "the server's answer is %s (HTTP %ld)", wrong, r->status);
		return WPA_EXIT_SERVER;
	}
	return WPA_OK;
}

int wpa_get_print(struct wpa_ctx *ctx, char *path, const struct wpa_column *cols)
{
	struct wpa_resp r = { 0 };
	int ret;

	if (!path)
		return WPA_EXIT_SERVER;
	ret = wpa_request(ctx, "GET", path, NULL, &r);
	if (!ret)
		ret = wpa_print_result(ctx, &r, cols);
	wpa_resp_free(&r);
	free(path);
	return ret;
}
