// SPDX-License-Identifier: GPL-2.0-only
/*
 * Versioned schema migrations, applied in order at start inside one
 * transaction (storage.c).  A migration is never edited once released:
 * changes come as a new entry.  The SQL is the subset both SQLite and
 * PostgreSQL accept.  Times are BIGINT milliseconds since the epoch,
 * booleans INTEGER 0/1, JSON documents TEXT.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include "schema.h"

#include <stddef.h>

static const char *const migration_1[] = {
	"CREATE TABLE admins ("
	" id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE,"
	" role TEXT NOT NULL, password_hash TEXT NOT NULL,"
	" created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)",

	/* Bearer tokens of every kind; only their SHA-256 is stored. */
	"CREATE TABLE tokens ("
	" hash TEXT PRIMARY KEY, id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,"
	" subject_id TEXT NOT NULL, name TEXT,"
	" created_at BIGINT NOT NULL, expires_at BIGINT)",
	"CREATE INDEX tokens_subject ON tokens (kind, subject_id)",

	"CREATE TABLE policy_sets ("
	" id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, description TEXT,"
	" lease_interval_s BIGINT NOT NULL, auto_disable_s BIGINT NOT NULL,"
	" auto_wipe_s BIGINT NOT NULL, password_required INTEGER NOT NULL,"
	" password_strength TEXT NOT NULL, password_min_length INTEGER NOT NULL,"
	" password_expiration_days INTEGER NOT NULL,"
	" auto_lock_minutes INTEGER NOT NULL, max_retries INTEGER NOT NULL,"
	" vpn_allowed INTEGER NOT NULL, debug_mode INTEGER NOT NULL,"
	" copy_paste INTEGER NOT NULL, version BIGINT NOT NULL,"
	" created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)",

	"CREATE TABLE images ("
	" id TEXT PRIMARY KEY, name TEXT NOT NULL, version TEXT, description TEXT,"
	" sha256 TEXT, size BIGINT,"
	" created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)",

	"CREATE TABLE apps ("
	" id TEXT PRIMARY KEY, name TEXT NOT NULL, version TEXT, description TEXT,"
	" a_la_carte INTEGER NOT NULL, sha256 TEXT, size BIGINT,"
	" created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)",

	"CREATE TABLE templates ("
	" id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, guest_os TEXT NOT NULL,"
	" image_id TEXT REFERENCES images (id), settings TEXT NOT NULL,"
	" app_ids TEXT NOT NULL,"
	" created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)",

	"CREATE TABLE business_groups ("
	" id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, description TEXT,"
	" policy_set_id TEXT REFERENCES policy_sets (id),"
	" template_id TEXT REFERENCES templates (id),"
	" created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)",

	"CREATE TABLE users ("
	" id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, display_name TEXT,"
	" email TEXT, group_id TEXT REFERENCES business_groups (id),"
	" password_hash TEXT, app_ids TEXT NOT NULL,"
	" created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)",

	"CREATE TABLE devices ("
	" id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users (id),"
	" name TEXT, model TEXT, status TEXT NOT NULL,"
	" enrolled_at BIGINT NOT NULL, installed_at BIGINT,"
	" last_checkin_at BIGINT, inactive_at BIGINT,"
	" policy_version BIGINT NOT NULL, image_sha256 TEXT,"
	" created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)",
	"CREATE INDEX devices_user ON devices (user_id)",
	"CREATE INDEX devices_status ON devices (status, inactive_at)",

	/* Commands: UUID primary key, so a repeated request is one command. */
	"CREATE TABLE commands ("
	" id TEXT PRIMARY KEY, device_id TEXT NOT NULL REFERENCES devices (id),"
	" type TEXT NOT NULL, params TEXT NOT NULL, state TEXT NOT NULL,"
	" request_hash TEXT NOT NULL, created_by TEXT NOT NULL,"
	" approved_by TEXT, not_before BIGINT, expires_at BIGINT NOT NULL,"
	" delivered_at BIGINT, completed_at BIGINT,"
	" created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)",
	"CREATE INDEX commands_device ON commands (device_id, state, created_at)",
	"CREATE INDEX commands_type ON commands (type, created_at)",
	/* Results: keyed by command, first report wins (upsert). */
	"CREATE TABLE command_results ("
	" command_id TEXT PRIMARY KEY REFERENCES commands (id),"
	" status TEXT NOT NULL, result TEXT NOT NULL, reported_at BIGINT NOT NULL)",

	"CREATE TABLE activity ("
	" id TEXT PRIMARY KEY, at BIGINT NOT NULL, actor TEXT NOT NULL,"
	" action TEXT NOT NULL, object_type TEXT NOT NULL, object_id TEXT,"
	" summary TEXT NOT NULL)",
	"CREATE INDEX activity_at ON activity (at)",

	"CREATE TABLE history ("
	" id TEXT PRIMARY KEY, at BIGINT NOT NULL, actor TEXT NOT NULL,"
	" action TEXT NOT NULL, object_type TEXT NOT NULL, object_id TEXT NOT NULL,"
	" before_json TEXT, after_json TEXT)",
	"CREATE INDEX history_object ON history (object_type, object_id, at)",
	NULL,
};

/* The feeds' filters: history by actor, activity by action and by actor. */
static const char *const migration_2[] = {
	"CREATE INDEX history_actor ON history (actor, at)",
	"CREATE INDEX activity_action ON activity (action, at)",
	"CREATE INDEX activity_actor ON activity (actor, at)",
	NULL,
};

const struct db_migration db_migrations[] = {
	{ 1, "initial schema", migration_1 },
	{ 2, "indexes for the feed filters", migration_2 },
	{ 0, NULL, NULL },
};
