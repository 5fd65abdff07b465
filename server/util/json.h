// SPDX-License-Identifier: GPL-2.0-only
/*
 * The one JSON helper: strict parsing of request bodies and typed field
 * access whose errors name the field (json-c underneath).
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WP_JSON_H
#define WP_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "error.h"

/* Parse @len bytes as one JSON object; 400 invalid_json otherwise. */
json_object *wpj_parse_object(const char *body, size_t len, struct wp_err *err);

/* 400 unknown_field for a key of @o not in the NULL-terminated @allowed. */
int wpj_only(json_object *o, const char *const *allowed, struct wp_err *err);

/*
 * Typed getters.  Absent key: 0 with *present false (or 400 missing_field
 * when @required).  Wrong type or out of range: 400 invalid_field.
 */
int wpj_string(json_object *o, const char *key, bool required, size_t max_len,
	       const char **out, struct wp_err *err);
int wpj_int(json_object *o, const char *key, bool required, long long min,
	    long long max, long long *out, bool *present, struct wp_err *err);
int wpj_bool(json_object *o, const char *key, bool required, bool *out,
	     bool *present, struct wp_err *err);

/* Serialise compactly; the string belongs to @o. */
const char *wpj_text(json_object *o);

/* New JSON values that tolerate NULL (-> JSON null). */
json_object *wpj_new_string(const char *s);

#endif /* WP_JSON_H */
