// SPDX-License-Identifier: GPL-2.0-only
/*
 * Declarative admin resources.  Users, business groups, policy sets,
 * image templates, images, applications, administrators and devices are
 * tables whose columns are described once (resource_defs.c); this engine
 * derives from the description the strict JSON validation (types, ranges,
 * enums, unknown and read-only fields, references), the SQL (column names
 * come only from the descriptions, values are always bound parameters),
 * list filters and pagination, and the history and activity records.
 * Rules that span fields live in a per-resource validate() hook.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WP_RESOURCE_H
#define WP_RESOURCE_H

#include "app.h"

enum wp_field_type {
	FT_STRING,	/* max = max length */
	FT_INT,		/* min..max */
	FT_BOOL,
	FT_ENUM,	/* one of enum_values */
	FT_REF,		/* id of a row of table ref */
	FT_REF_LIST,	/* JSON array of ids of rows of table ref */
	FT_OBJECT,	/* any JSON object, stored as text */
	FT_PASSWORD,	/* written as "password", stored hashed, never shown */
};

#define FF_REQUIRED	0x1	/* must be given at creation */
#define FF_READONLY	0x2	/* managed by the server, refused in requests */
#define FF_FILTER	0x4	/* ?field=value filters lists */
#define FF_NULLABLE	0x8	/* may be set to null */

struct wp_field {
	const char *name;
	enum wp_field_type type;
	unsigned flags;
	long long min, max;
	const char *const *enum_values;
	const char *ref;	/* referenced table */
	const char *def;	/* default, as JSON text */
};

#define RES_NO_CREATE	0x1
#define RES_NO_DELETE	0x2
#define RES_DEVICE_STATUS 0x4	/* status shows "inactive" after the lease */

struct wp_resource {
	const char *type;	/* "user": history object_type */
	const char *path;	/* "users": /api/v1/users */
	const char *table;
	const char *label;	/* field naming an object in the activity feed */
	const struct wp_field *fields;
	unsigned flags;
	/*
	 * Cross-field rules on the complete object after a create or patch;
	 * may add server-managed fields.  @before is NULL on creation.
	 */
	int (*validate)(struct wp_app *app, struct db_tx *tx, json_object *obj,
			json_object *before, struct wp_err *err);
};

extern const struct wp_resource *const wp_resources[];

int wp_resource_list(struct wp_app *app, const struct wp_resource *res,
		     const struct wp_kv *q, int nq, json_object **out,
		     struct wp_err *err);
int wp_resource_get(struct wp_app *app, const struct wp_resource *res,
		    const char *id, json_object **out, struct wp_err *err);
/* Read one object inside a transaction (services). */
int wp_resource_load(struct db_tx *tx, const struct wp_resource *res,
		     const char *id, json_object **out, struct wp_err *err);
int wp_resource_create(struct wp_app *app, const struct wp_resource *res,
		       const struct wp_principal *who, json_object *body,
		       json_object **out, struct wp_err *err);
int wp_resource_update(struct wp_app *app, const struct wp_resource *res,
		       const struct wp_principal *who, const char *id,
		       json_object *body, json_object **out, struct wp_err *err);
int wp_resource_delete(struct wp_app *app, const struct wp_resource *res,
		       const struct wp_principal *who, const char *id,
		       struct wp_err *err);
/* Set server-managed columns of an object (uploads, status changes). */
int wp_resource_set(struct db_tx *tx, const struct wp_resource *res,
		    const struct wp_principal *who, const char *id,
		    json_object *changes, const char *action, struct wp_err *err);

extern const struct wp_resource wp_res_admins, wp_res_users, wp_res_groups,
	wp_res_policy_sets, wp_res_templates, wp_res_images, wp_res_apps,
	wp_res_devices;

#endif /* WP_RESOURCE_H */
