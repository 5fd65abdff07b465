/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a JSON value is, in words, for "must be X, not Y" messages (the
 * image checks of lib/image.c and wpvmm's manifest).
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WP_LIB_JSONTYPE_H
#define WP_LIB_JSONTYPE_H

#include <json-c/json.h>

static inline const char *wp_json_type_name(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null: return "null";
	case json_type_boolean: return "a boolean";
	case json_type_double: return "a number with a fraction";
	case json_type_int: return "an integer";
	case json_type_object: return "an object";
	case json_type_array: return "an array";
	case json_type_string: return "a string";
	}
	return "something else";
}

#endif /* WP_LIB_JSONTYPE_H */
