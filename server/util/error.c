// SPDX-License-Identifier: GPL-2.0-only
/*
 * struct wp_err helpers.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int wp_fail(struct wp_err *err, int status, const char *code,
	    const char *field, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	err->status = status;
	err->code = code;
	snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return -1;
}

void wp_err_prefix(struct wp_err *err, const char *fmt, ...)
{
	char prefix[200], old[sizeof(err->message)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->message, sizeof(old));
	snprintf(err->message, sizeof(err->message), "%s: %s", prefix, old);
}
