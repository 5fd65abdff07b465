// SPDX-License-Identifier: GPL-2.0-only
/*
 * The list of schema migrations (schema.c).
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WP_SCHEMA_H
#define WP_SCHEMA_H

struct db_migration {
	int version;
	const char *title;
	const char *const *statements;	/* NULL-terminated */
};

/* Ordered by version, terminated by version 0. */
extern const struct db_migration db_migrations[];

#endif /* WP_SCHEMA_H */
