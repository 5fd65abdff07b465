// SPDX-License-Identifier: GPL-2.0-only
/*
 * The one error type of wpserver.  Storage, services and handlers all
 * report failures in a struct wp_err: the HTTP status it maps to, a stable
 * machine code, the request field at fault (if any) and a message with
 * context.  The HTTP layer turns it into {"error": {...}} unchanged.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WP_ERROR_H
#define WP_ERROR_H

struct wp_err {
	int status;		/* HTTP status, e.g. 400 */
	const char *code;	/* "invalid_field", "not_found", ... */
	char field[96];		/* request field at fault, or "" */
	char message[400];
};

/* Fill @err and return -1, so callers can "return wp_fail(...)". */
int wp_fail(struct wp_err *err, int status, const char *code,
	    const char *field, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Prefix the message with context: "image upload: <old message>". */
void wp_err_prefix(struct wp_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define WP_BAD(err, field, ...) \
	wp_fail(err, 400, "invalid_field", field, __VA_ARGS__)
#define WP_INTERNAL(err, ...) \
	wp_fail(err, 500, "internal", NULL, __VA_ARGS__)

#endif /* WP_ERROR_H */
