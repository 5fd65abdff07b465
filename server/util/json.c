// SPDX-License-Identifier: GPL-2.0-only
/*
 * JSON helper; see json.h.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include "json.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

json_object *wpj_parse_object(const char *body, size_t len, struct wp_err *err)
{
	struct json_tokener *tok;
	json_object *o;
	enum json_tokener_error jerr;

	if (!body || !len) {
		wp_fail(err, 400, "invalid_json", "body",
			"request body is empty, expected a JSON object");
		return NULL;
	}
	if (len > (size_t)INT32_MAX) {
		wp_fail(err, 413, "payload_too_large", "body", "body too large");
		return NULL;
	}
	tok = json_tokener_new();
	if (!tok) {
		WP_INTERNAL(err, "out of memory");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, body, (int)len);
	jerr = json_tokener_get_error(tok);
	if (!o || jerr != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len) {
		wp_fail(err, 400, "invalid_json", "body",
			"body is not valid JSON: %s at offset %zu",
			jerr == json_tokener_success ? "trailing data" :
			json_tokener_error_desc(jerr == json_tokener_continue ?
						json_tokener_error_parse_eof : jerr),
			json_tokener_get_parse_end(tok));
		json_object_put(o);
		json_tokener_free(tok);
		return NULL;
	}
	json_tokener_free(tok);
	if (!json_object_is_type(o, json_type_object)) {
		wp_fail(err, 400, "invalid_json", "body", "body must be a JSON object");
		json_object_put(o);
		return NULL;
	}
	return o;
}

int wpj_only(json_object *o, const char *const *allowed, struct wp_err *err)
{
	json_object_object_foreach(o, key, val) {
		const char *const *a;

		(void)val;
		for (a = allowed; *a; a++)
			if (!strcmp(*a, key))
				break;
		if (!*a)
			return wp_fail(err, 400, "unknown_field", key, "unknown field '%s'", key);
	}
	return 0;
}

static int missing(struct wp_err *err, const char *key)
{
	return wp_fail(err, 400, "missing_field", key, "field '%s' is required", key);
}

int wpj_string(json_object *o, const char *key, bool required, size_t max_len,
	       const char **out, struct wp_err *err)
{
	json_object *v;

	*out = NULL;
	if (!json_object_object_get_ex(o, key, &v) || !v)
		return required ? missing(err, key) : 0;
	if (!json_object_is_type(v, json_type_string))
		return WP_BAD(err, key, "field '%s' must be a string", key);
	if ((size_t)json_object_get_string_len(v) > max_len)
		return WP_BAD(err, key, "field '%s' is longer than %zu bytes", key, max_len);
	if (strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v))
		return WP_BAD(err, key, "field '%s' contains a NUL character", key);
	if (required && !json_object_get_string_len(v))
		return WP_BAD(err, key, "field '%s' must not be empty", key);
	*out = json_object_get_string(v);
	return 0;
}

int wpj_int(json_object *o, const char *key, bool required, long long min,
	    long long max, long long *out, bool *present, struct wp_err *err)
{
	json_object *v;
	long long n;

	if (present)
		*present = false;
	if (!json_object_object_get_ex(o, key, &v) || !v)
		return required ? missing(err, key) : 0;
	if (!json_object_is_type(v, json_type_int))
		return WP_BAD(err, key, "field '%s' must be an integer", key);
	errno = 0;
	n = json_object_get_int64(v);
	/* json-c saturates out-of-range numbers; treat that as out of range. */
	if (n < min || n > max || n == INT64_MAX || n == INT64_MIN)
		return WP_BAD(err, key, "field '%s' must be between %lld and %lld", key, min, max);
	*out = n;
	if (present)
		*present = true;
	return 0;
}

int wpj_bool(json_object *o, const char *key, bool required, bool *out,
	     bool *present, struct wp_err *err)
{
	json_object *v;

	if (present)
		*present = false;
	if (!json_object_object_get_ex(o, key, &v) || !v)
		return required ? missing(err, key) : 0;
	if (!json_object_is_type(v, json_type_boolean))
		return WP_BAD(err, key, "field '%s' must be true or false", key);
	*out = json_object_get_boolean(v);
	if (present)
		*present = true;
	return 0;
}

const char *wpj_text(json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						 JSON_C_TO_STRING_NOSLASHESCAPE);
}

json_object *wpj_new_string(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}
