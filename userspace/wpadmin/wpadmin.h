/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wpadmin: the administrator's command line for wpserver.  Every command
 * is one call of the admin REST API (Documentation/api.rst); the command
 * tree, its options and its help are tables, from which the option
 * parser, the help texts and the bash completion are all derived.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WPADMIN_H
#define WPADMIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <json-c/json.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Exit codes: one per class of error, so scripts can tell them apart. */
enum {
	WPA_OK = 0,
	WPA_EXIT_USAGE = 1,		/* bad command line or local file */
	WPA_EXIT_UNREACHABLE = 2,	/* no answer: network, DNS, TLS */
	WPA_EXIT_AUTH = 3,		/* 401: not logged in, token unknown or expired */
	WPA_EXIT_FORBIDDEN = 4,		/* 403: the role may not do this */
	WPA_EXIT_NOT_FOUND = 5,		/* 404, 410 */
	WPA_EXIT_INVALID = 6,		/* 400, 405, 409, 413, 416, 422 */
	WPA_EXIT_SERVER = 7,		/* 5xx or an answer that makes no sense */
};

/* --- the command tree --- */

enum wpa_type {
	WT_FLAG,	/* no value */
	WT_STRING,
	WT_ID,		/* an object id */
	WT_INT,
	WT_DURATION,	/* seconds: 90, 90s, 15m, 12h, 7d, 2w */
	WT_TIME,	/* ms since the epoch, now, +2h, 2026-01-01, 2026-01-01T10:00:00Z */
	WT_BOOL,	/* true/false, yes/no, on/off, 1/0 */
	WT_ENUM,	/* one of opt->values */
	WT_ID_LIST,	/* comma-separated ids -> JSON array */
	WT_OBJECT,	/* a JSON object, or @FILE holding one */
	WT_PASSWORD,	/* flag: the value is the first line of standard input */
	WT_FILE,	/* a local path */
	WT_LIST,	/* comma-separated words */
};

#define O_CREATE	0x01	/* resource field: an option of "create" */
#define O_UPDATE	0x02	/* resource field: an option of "update" */
#define O_FILTER	0x04	/* resource field: a filter of "list" */
#define O_REQUIRED	0x08	/* required (for resource fields: by "create") */
#define O_NULLABLE	0x10	/* may be set to null with --unset */
#define O_BODY		0x20	/* action option: a field of the JSON body */
#define O_QUERY		0x40	/* action option: a query parameter */
#define O_DASHES	0x80	/* enum value: '-' may stand for '_' */
#define O_WRITE		(O_CREATE | O_UPDATE)

struct wpa_opt {
	const char *name;		/* long option without "--"; NULL ends a table */
	const char *key;		/* API field ("params.app_id") or query parameter */
	enum wpa_type type;
	unsigned int flags;
	const char *const *values;	/* WT_ENUM: NULL-terminated */
	const char *help;
};

/* How a list shows one column. */
enum wpa_fmt {
	FMT_TEXT,
	FMT_TIME,	/* ms since the epoch */
	FMT_SIZE,	/* bytes */
	FMT_DURATION,	/* seconds */
	FMT_SHORT,	/* first 12 characters (hashes) */
	FMT_COUNT,	/* number of elements of an array */
	FMT_CHANGES,	/* history: the fields that differ between before and after */
};

struct wpa_column {
	const char *header;	/* NULL ends a table */
	const char *key;
	enum wpa_fmt fmt;
};

/* A catalogue resource: /api/v1/PATH, with the shape of api.rst. */
struct wpa_resource {
	const char *path;		/* "policy-sets" */
	const char *noun;		/* "policy set" */
	const struct wpa_opt *fields;	/* what create, update and list offer */
	const struct wpa_column *columns;
};

enum wpa_kind {
	K_OTHER,
	K_LIST,		/* + resource filters, --limit, --offset */
	K_CREATE,	/* + resource fields (O_CREATE) */
	K_UPDATE,	/* + resource fields (O_UPDATE), --unset */
};

struct wpa_ctx;
struct wpa_args;

struct wpa_action {
	const char *name;		/* NULL ends a table */
	const char *summary;
	const char *endpoint;		/* "POST /api/v1/users": the call it makes */
	const char *role;		/* least role; NULL: none (no login needed) */
	const char *args;		/* positional arguments, for the usage line */
	int min_args, max_args;
	enum wpa_kind kind;
	const struct wpa_opt *opts;	/* action options, or NULL */
	int (*run)(struct wpa_ctx *ctx, struct wpa_args *a);
	const char *data;		/* for run(): e.g. the command type */
};

enum wpa_section { S_SESSION, S_CATALOGUE, S_OPERATIONS, S_FEEDS, S_OTHER };

struct wpa_group {
	const char *name;
	const char *alias;		/* another accepted name, or NULL */
	const char *summary;
	enum wpa_section section;
	const struct wpa_resource *res;	/* catalogue resource, or NULL */
	const struct wpa_action *actions;
	const char *default_action;	/* when none is given, or NULL */
	bool single;			/* no action word: "wpadmin login SERVER" */
};

extern const struct wpa_group *const wpa_groups[];
extern const struct wpa_opt wpa_global_opts[];
extern const struct wpa_opt wpa_page_opts[];
extern const struct wpa_opt wpa_unset_opt[];

extern const struct wpa_group wpa_group_login, wpa_group_logout, wpa_group_whoami,
	wpa_group_health, wpa_group_api_tokens, wpa_group_enroll_tokens;
extern const struct wpa_group wpa_group_admins, wpa_group_users, wpa_group_groups,
	wpa_group_policies, wpa_group_templates, wpa_group_images, wpa_group_apps,
	wpa_group_devices;
extern const struct wpa_group wpa_group_commands;
extern const struct wpa_group wpa_group_activity, wpa_group_history, wpa_group_stats;
extern const struct wpa_group wpa_group_completion;

/* --- parsed command line (cli.c) --- */

#define WPA_MAX_OPTS 80
#define WPA_MAX_ARGS 4

enum wpa_dest { D_LOCAL, D_BODY, D_QUERY };

struct wpa_slot {
	const struct wpa_opt *opt;
	enum wpa_dest dest;
	const char *raw;	/* as given; NULL when absent */
	json_object *val;	/* converted value (owned) */
};

struct wpa_args {
	struct wpa_slot slot[WPA_MAX_OPTS];
	int n;
	const char *pos[WPA_MAX_ARGS];
	int npos;
};

struct wpa_config {
	char path[4096];
	json_object *root;	/* the file's object (owned); empty when absent */
};

struct wp_http;

struct wpa_ctx {
	/* global options */
	const char *server;
	const char *token;
	const char *cacert;
	bool json;
	bool quiet;
	int progress;		/* -1: on a terminal, 0: never, 1: always */
	bool help;
	/* what runs */
	const struct wpa_group *group;
	const struct wpa_action *action;
	const struct wpa_args *args;
	char cmd[96];		/* "wpadmin users create", for messages */
	/* the connection, once resolved */
	struct wpa_config cfg;
	bool token_from_config;
	struct wp_http *http;
};

/* The options of an action, in help order: its own, fields, paging, globals. */
int wpa_action_opts(const struct wpa_group *g, const struct wpa_action *a,
		    const struct wpa_opt **out, enum wpa_dest *dest, int max);
/* Parse argv (options anywhere, "--" ends them).  WPA_OK or an exit code. */
int wpa_parse(struct wpa_ctx *ctx, int argc, char **argv, struct wpa_args *a);
void wpa_args_free(struct wpa_args *a);
/* Parse only leading global options; returns the index of the first word. */
int wpa_parse_globals(struct wpa_ctx *ctx, int argc, char **argv, int *next);
const struct wpa_slot *wpa_slot(const struct wpa_args *a, const char *name);
const char *wpa_get(const struct wpa_args *a, const char *name);
/* The JSON body of the D_BODY options given (a new object). */
json_object *wpa_body(const struct wpa_args *a);
/* "?k=v&..." of the D_QUERY options given (malloc()ed; "" when none). */
char *wpa_query(const struct wpa_args *a);
/* The option that sends API field @key, for error messages; or NULL. */
const char *wpa_option_for_field(const struct wpa_args *a, const char *key);
const char *wpa_metavar(const struct wpa_opt *o);
bool wpa_is_global(const struct wpa_opt *o);
bool wpa_required(const struct wpa_opt *o, const struct wpa_action *a);
/* Convert one value as the option's type; WPA_OK or WPA_EXIT_USAGE. */
int wpa_convert(struct wpa_ctx *ctx, const struct wpa_opt *o, const char *raw,
		json_object **out);

/* A line from the terminal, without echo; -1 without a terminal. */
int wpa_read_secret(const char *prompt, char *buf, size_t len);

void wpa_usage_error(struct wpa_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void wpa_info(struct wpa_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void wpa_error(struct wpa_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Help texts (main.c). */
void wpa_help_main(FILE *out);
void wpa_help_group(FILE *out, const struct wpa_group *g);
void wpa_help_action(FILE *out, const struct wpa_group *g, const struct wpa_action *a);

/* --- token store (config.c) --- */

int wpa_config_load(struct wpa_ctx *ctx);
const char *wpa_config_get(const struct wpa_config *c, const char *key);
void wpa_config_set(struct wpa_config *c, const char *key, json_object *val);
int wpa_config_save(struct wpa_ctx *ctx);
void wpa_config_free(struct wpa_config *c);

/* --- the server (client.c) --- */

struct wpa_resp {
	long status;
	char *body;		/* may be empty */
	json_object *json;	/* the body parsed, or NULL */
};

/* Resolve server, token and CA file; open the client.  WPA_OK or exit code. */
int wpa_connect(struct wpa_ctx *ctx, bool need_token);
void wpa_disconnect(struct wpa_ctx *ctx);
/*
 * One request.  WPA_OK for a 2xx answer (in @resp); otherwise the error
 * is printed and its exit code returned (@resp then holds the answer).
 */
int wpa_request(struct wpa_ctx *ctx, const char *method, const char *path,
		json_object *body, struct wpa_resp *resp);
/* The same, printing nothing: the caller deals with the answer. */
int wpa_request_quiet(struct wpa_ctx *ctx, const char *method, const char *path,
		      json_object *body, struct wpa_resp *resp);
/* The call of the action's endpoint, its result printed (lists with @cols). */
int wpa_call(struct wpa_ctx *ctx, struct wpa_args *a, const struct wpa_column *cols);
void wpa_resp_free(struct wpa_resp *r);
int wpa_exit_for_status(long status);
/* Print the server's error of @r (message, field, code), as for @ctx. */
int wpa_report(struct wpa_ctx *ctx, const struct wpa_resp *r);
/* "/api/v1/users/ID" with ID escaped; malloc()ed. */
char *wpa_path(const char *prefix, const char *id, const char *suffix);
char *wpa_escape(const char *s);

/* --- output (output.c) --- */

/* --json: the answer's body as the server sent it. */
void wpa_print_raw(const struct wpa_resp *r);
void wpa_print_table(json_object *items, const struct wpa_column *cols);
/* A list answer: table, and on stderr where the page is in the total. */
void wpa_print_page(struct wpa_ctx *ctx, json_object *page, const struct wpa_column *cols);
/* One object, "key: value" lines; nested objects indented. */
void wpa_print_object(json_object *obj);
const char *wpa_fmt_time(long long ms, char *buf, size_t len);
const char *wpa_fmt_size(double bytes, char *buf, size_t len);
const char *wpa_fmt_duration(long long s, char *buf, size_t len);
/*
 * Print the answer: raw with --json, else the object or the page.
 * WPA_EXIT_SERVER (reported) when it is not a JSON object.
 */
int wpa_print_result(struct wpa_ctx *ctx, const struct wpa_resp *r,
		     const struct wpa_column *cols);
/* GET @path (NULL: out of memory) and print the answer; frees @path. */
int wpa_get_print(struct wpa_ctx *ctx, char *path, const struct wpa_column *cols);
const char *wpa_str(json_object *obj, const char *key);
/* Replace control characters (from the server) in place. */
char *wpa_sanitize(char *s);

/* --- progress bar (progress.c) --- */

struct wpa_progress {
	bool on, tty;
	const char *label;
	long long total;
	double start, last;
};

void wpa_progress_begin(struct wpa_ctx *ctx, struct wpa_progress *p, const char *label,
			long long total);
void wpa_progress_update(struct wpa_progress *p, long long done);
void wpa_progress_end(struct wpa_progress *p, long long done);

/* --- handlers shared between files --- */

int wpa_catalogue_list(struct wpa_ctx *ctx, struct wpa_args *a);
int wpa_catalogue_show(struct wpa_ctx *ctx, struct wpa_args *a);
int wpa_catalogue_create(struct wpa_ctx *ctx, struct wpa_args *a);
int wpa_catalogue_update(struct wpa_ctx *ctx, struct wpa_args *a);
int wpa_catalogue_delete(struct wpa_ctx *ctx, struct wpa_args *a);
int wpa_catalogue_history(struct wpa_ctx *ctx, struct wpa_args *a);
int wpa_content_upload(struct wpa_ctx *ctx, struct wpa_args *a);
int wpa_content_download(struct wpa_ctx *ctx, struct wpa_args *a);
int wpa_device_command(struct wpa_ctx *ctx, struct wpa_args *a);
int wpa_completion(struct wpa_ctx *ctx, struct wpa_args *a);

extern const struct wpa_resource wpa_res_devices;
extern const struct wpa_opt wpa_search_opts[];
extern const struct wpa_opt wpa_upload_opts[];
extern const struct wpa_column wpa_history_columns[];
extern const struct wpa_column wpa_command_columns[];

#endif /* WPADMIN_H */
