// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpadmin: the command line.  Options come from the tables of the command
 * tree (wpadmin.h); every value is checked and converted to its JSON form
 * before anything is sent, so a bad value is a usage error naming the
 * option, not a round trip to the server.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "wpadmin.h"

const struct wpa_opt wpa_global_opts[] = {
	{ "server", NULL, WT_STRING, 0, NULL,
	  "server URL (else $WPADMIN_SERVER, else the one of 'wpadmin login')" },
	{ "token", NULL, WT_STRING, 0, NULL,
	  "bearer token (else $WPADMIN_TOKEN, else the stored one)" },
	{ "cacert", NULL, WT_FILE, 0, NULL,
	  "PEM file of the CAs to trust for the server (else $WPADMIN_CACERT)" },
	{ "json", NULL, WT_FLAG, 0, NULL, "print the server's JSON answer instead of a table" },
	{ "quiet", NULL, WT_FLAG, 0, NULL, "no notes and no progress bars on stderr (also -q)" },
	{ "progress", NULL, WT_FLAG, 0, NULL, "progress bars even when stderr is not a terminal" },
	{ "no-progress", NULL, WT_FLAG, 0, NULL, "no progress bars" },
	{ "help", NULL, WT_FLAG, 0, NULL, "help on the command (also -h)" },
	{ NULL, NULL, 0, 0, NULL, NULL },
};

const struct wpa_opt wpa_page_opts[] = {
	{ "limit", "limit", WT_INT, O_QUERY, NULL, "at most N items (1..500; default 50)" },
	{ "offset", "offset", WT_INT, O_QUERY, NULL, "skip the first N items" },
	{ NULL, NULL, 0, 0, NULL, NULL },
};

const struct wpa_opt wpa_unset_opt[] = {
	{ "unset", NULL, WT_LIST, 0, NULL,
	  "set these fields to null (comma-separated field or option names)" },
	{ NULL, NULL, 0, 0, NULL, NULL },
};

static void vmessage(struct wpa_ctx *ctx, const char *what, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: %s", ctx->cmd[0] ? ctx->cmd : "wpadmin", what);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void wpa_usage_error(struct wpa_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(ctx, "", fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s --help'.\n", ctx->cmd[0] ? ctx->cmd : "wpadmin");
}

void wpa_error(struct wpa_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(ctx, "error: ", fmt, ap);
	va_end(ap);
}

void wpa_info(struct wpa_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx->quiet)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *wpa_metavar(const struct wpa_opt *o)
{
	switch (o->type) {
	case WT_FLAG:
	case WT_PASSWORD:
		return NULL;
	case WT_ID:
		return "ID";
	case WT_INT:
		return "N";
	case WT_DURATION:
		return "DURATION";
	case WT_TIME:
		return "TIME";
	case WT_BOOL:
		return "true|false";
	case WT_ENUM:
		return "VALUE";
	case WT_ID_LIST:
		return "ID,...";
	case WT_OBJECT:
		return "JSON|@FILE";
	case WT_FILE:
		return "FILE";
	case WT_LIST:
		return "NAME,...";
	case WT_STRING:
		break;
	}
	if (!strcmp(o->name, "limit-rate"))
		return "BYTES";
	return !strcmp(o->name, "server") ? "URL" : "TEXT";
}

static enum wpa_dest action_dest(const struct wpa_opt *o)
{
	if (o->flags & O_BODY)
		return D_BODY;
	if (o->flags & O_QUERY)
		return D_QUERY;
	return D_LOCAL;
}

static int add_opts(const struct wpa_opt *table, unsigned int need, int dest,
		    const struct wpa_opt **out, enum wpa_dest *dests, int n, int max)
{
	for (const struct wpa_opt *o = table; o && o->name && n < max; o++) {
		if (need && !(o->flags & need))
			continue;
		out[n] = o;
		dests[n] = dest < 0 ? action_dest(o) : (enum wpa_dest)dest;
		n++;
	}
	return n;
}

int wpa_action_opts(const struct wpa_group *g, const struct wpa_action *a,
		    const struct wpa_opt **out, enum wpa_dest *dest, int max)
{
	const struct wpa_opt *fields = g->res ? g->res->fields : NULL;
	int n = add_opts(a->opts, 0, -1, out, dest, 0, max);

	switch (a->kind) {
	case K_LIST:
		n = add_opts(fields, O_FILTER, D_QUERY, out, dest, n, max);
		n = add_opts(wpa_page_opts, 0, D_QUERY, out, dest, n, max);
		break;
	case K_CREATE:
		n = add_opts(fields, O_CREATE, D_BODY, out, dest, n, max);
		break;
	case K_UPDATE:
		n = add_opts(fields, O_UPDATE, D_BODY, out, dest, n, max);
		for (const struct wpa_opt *o = fields; o && o->name; o++)
			if ((o->flags & O_UPDATE) && (o->flags & O_NULLABLE)) {
				n = add_opts(wpa_unset_opt, 0, D_LOCAL, out, dest, n, max);
				break;
			}
		break;
	case K_OTHER:
		break;
	}
	return add_opts(wpa_global_opts, 0, D_LOCAL, out, dest, n, max);
}

static bool is_field(const struct wpa_opt *o)
{
	return o->flags & (O_CREATE | O_UPDATE | O_FILTER);
}

/* Action options marked required always are; fields are required by create. */
bool wpa_required(const struct wpa_opt *o, const struct wpa_action *a)
{
	return (o->flags & O_REQUIRED) && (!is_field(o) || a->kind == K_CREATE);
}

/* Global options take effect as soon as they are seen. */
static void apply_global(struct wpa_ctx *ctx, const struct wpa_opt *o, const char *v)
{
	if (!strcmp(o->name, "server"))
		ctx->server = v;
	else if (!strcmp(o->name, "token"))
		ctx->token = v;
	else if (!strcmp(o->name, "cacert"))
		ctx->cacert = v;
	else if (!strcmp(o->name, "json"))
		ctx->json = true;
	else if (!strcmp(o->name, "quiet"))
		ctx->quiet = true;
	else if (!strcmp(o->name, "progress"))
		ctx->progress = 1;
	else if (!strcmp(o->name, "no-progress"))
		ctx->progress = 0;
	else if (!strcmp(o->name, "help"))
		ctx->help = true;
}

bool wpa_is_global(const struct wpa_opt *o)
{
	for (const struct wpa_opt *g = wpa_global_opts; g->name; g++)
		if (g == o)
			return true;
	return false;
}

/*
 * One option word at argv[*i]: find it among @n options, take its value.
 * Returns the option's index, or -1 after a usage message.
 */
static int take_option(struct wpa_ctx *ctx, const struct wpa_opt *const *opts, int n,
		       int argc, char **argv, int *i, const char **value)
{
	const char *arg = argv[*i], *eq;
	char name[64];
	int k;

	if (!strcmp(arg, "-h")) {
		arg = "--help";
	} else if (!strcmp(arg, "-q")) {
		arg = "--quiet";
	} else if (arg[1] != '-') {
		wpa_usage_error(ctx, "unknown option '%s' (options are --long)", arg);
		return -1;
	}
	eq = strchr(arg, '=');
	snprintf(name, sizeof(name), "%.*s", eq ? (int)(eq - arg - 2) : (int)strlen(arg + 2),
		 arg + 2);
	for (k = 0; k < n; k++)
		if (!strcmp(opts[k]->name, name))
			break;
	if (k == n) {
		wpa_usage_error(ctx, "unknown option '--%s'", name);
		return -1;
	}
	if (opts[k]->type == WT_FLAG || opts[k]->type == WT_PASSWORD) {
		if (eq) {
			wpa_usage_error(ctx, "option --%s takes no value", name);
			return -1;
		}
		*value = "";
	} else if (eq) {
		*value = eq + 1;
	} else if (*i + 1 < argc) {
		*value = argv[++*i];
	} else {
		wpa_usage_error(ctx, "option --%s needs a value (%s)", name, wpa_metavar(opts[k]));
		return -1;
	}
	return k;
}

int wpa_parse_globals(struct wpa_ctx *ctx, int argc, char **argv, int *next)
{
	const struct wpa_opt *opts[16];
	int n = 0, i;

	for (const struct wpa_opt *o = wpa_global_opts; o->name; o++)
		opts[n++] = o;
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *v;
		int k;

		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		k = take_option(ctx, opts, n, argc, argv, &i, &v);
		if (k < 0)
			return WPA_EXIT_USAGE;
		apply_global(ctx, opts[k], v);
	}
	*next = i;
	return WPA_OK;
}

int wpa_parse(struct wpa_ctx *ctx, int argc, char **argv, struct wpa_args *a)
{
	const struct wpa_opt *opts[WPA_MAX_OPTS];
	enum wpa_dest dest[WPA_MAX_OPTS];
	bool only_args = false;
	int n, ret;

	memset(a, 0, sizeof(*a));
	n = wpa_action_opts(ctx->group, ctx->action, opts, dest, WPA_MAX_OPTS);
	for (int k = 0; k < n; k++) {
		a->slot[k].opt = opts[k];
		a->slot[k].dest = dest[k];
	}
	a->n = n;
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i], *v;
		int k;

		if (!only_args && !strcmp(arg, "--")) {
			only_args = true;
			continue;
		}
		if (only_args || arg[0] != '-' || !arg[1]) {
			if (a->npos == ctx->action->max_args || a->npos == WPA_MAX_ARGS) {
				wpa_usage_error(ctx, "unexpected argument '%s'", arg);
				return WPA_EXIT_USAGE;
			}
			a->pos[a->npos++] = arg;
			continue;
		}
		k = take_option(ctx, opts, n, argc, argv, &i, &v);
		if (k < 0)
			return WPA_EXIT_USAGE;
		if (wpa_is_global(opts[k])) {
			apply_global(ctx, opts[k], v);
			continue;
		}
		if (a->slot[k].raw) {
			wpa_usage_error(ctx, "option --%s given twice", opts[k]->name);
			return WPA_EXIT_USAGE;
		}
		a->slot[k].raw = v;
	}
	if (ctx->help)
		return WPA_OK;
	if (a->npos < ctx->action->min_args) {
		wpa_usage_error(ctx, "missing argument: expects %s", ctx->action->args);
		return WPA_EXIT_USAGE;
	}
	for (int k = 0; k < n; k++) {
		const struct wpa_opt *o = opts[k];

		if (!a->slot[k].raw && wpa_required(o, ctx->action)) {
			wpa_usage_error(ctx, "missing required option --%s", o->name);
			return WPA_EXIT_USAGE;
		}
	}
	for (int k = 0; k < n; k++) {
		if (!a->slot[k].raw || wpa_is_global(opts[k]))
			continue;
		ret = wpa_convert(ctx, opts[k], a->slot[k].raw, &a->slot[k].val);
		if (ret)
			return ret;
	}
	return WPA_OK;
}

void wpa_args_free(struct wpa_args *a)
{
	for (int k = 0; k < a->n; k++) {
		json_object_put(a->slot[k].val);
		a->slot[k].val = NULL;
	}
}

const struct wpa_slot *wpa_slot(const struct wpa_args *a, const char *name)
{
	for (int k = 0; k < a->n; k++)
		if (!strcmp(a->slot[k].opt->name, name))
			return &a->slot[k];
	return NULL;
}

const char *wpa_get(const struct wpa_args *a, const char *name)
{
	const struct wpa_slot *s = wpa_slot(a, name);

	return s ? s->raw : NULL;
}

const char *wpa_option_for_field(const struct wpa_args *a, const char *key)
{
	for (int k = 0; a && k < a->n; k++)
		if (a->slot[k].opt->key && a->slot[k].dest != D_LOCAL &&
		    !strcmp(a->slot[k].opt->key, key))
			return a->slot[k].opt->name;
	return NULL;
}

/* Set @key, "a.b" meaning member b of object a, to a new reference to @val. */
static void set_path(json_object *body, const char *key, json_object *val)
{
	const char *dot = strchr(key, '.');
	json_object *sub;
	char head[64];

	if (!dot) {
		json_object_object_add(body, key, json_object_get(val));
		return;
	}
	snprintf(head, sizeof(head), "%.*s", (int)(dot - key), key);
	if (!json_object_object_get_ex(body, head, &sub) ||
	    !json_object_is_type(sub, json_type_object)) {
		sub = json_object_new_object();
		json_object_object_add(body, head, sub);
	}
	set_path(sub, dot + 1, val);
}

json_object *wpa_body(const struct wpa_args *a)
{
	json_object *body = json_object_new_object();

	for (int k = 0; k < a->n; k++)
		if (a->slot[k].dest == D_BODY && a->slot[k].raw && a->slot[k].opt->key)
			set_path(body, a->slot[k].opt->key, a->slot[k].val);
	return body;
}

char *wpa_query(const struct wpa_args *a)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int n = 0;

	if (!f)
		return NULL;
	for (int k = 0; k < a->n; k++) {
		const struct wpa_slot *s = &a->slot[k];
		char *esc;

		if (s->dest != D_QUERY || !s->raw || !s->opt->key)
			continue;
		/* Booleans as the server spells them; numbers and text as is. */
		esc = wpa_escape(json_object_is_type(s->val, json_type_boolean) ?
				 (json_object_get_boolean(s->val) ? "true" : "false") :
				 json_object_get_string(s->val));
		fprintf(f, "%c%s=%s", n++ ? '&' : '?', s->opt->key, esc ? esc : "");
		free(esc);
	}
	fclose(f);
	return buf;
}

/* --- value conversion --- */

static int parse_ll(const char *s, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	return end == s || *end || errno ? -1 : 0;
}

/* 90, 90s, 15m, 12h, 7d, 2w: seconds. */
static int parse_duration(const char *s, long long *out)
{
	static const struct { char unit; long long mul; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 }, { 'w', 604800 },
	};
	long long v, mul = 0;
	char *end;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || errno || v < 0 || *s == '+' || *s == '-')
		return -1;
	if (!*end)
		mul = 1;
	for (size_t i = 0; !mul && i < ARRAY_SIZE(units); i++)
		if (end[0] == units[i].unit && !end[1])
			mul = units[i].mul;
	if (!mul || v > LLONG_MAX / mul / 1000)
		return -1;
	*out = v * mul;
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ms since the epoch, now, +DURATION, -DURATION, or a UTC date and time. */
static int parse_time(const char *s, long long *out)
{
	static const char *const formats[] = {
		"%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S",
		"%Y-%m-%d %H:%M", "%Y-%m-%d",
	};
	long long d;

	if (!strcmp(s, "now")) {
		*out = now_ms();
		return 0;
	}
	if ((s[0] == '+' || s[0] == '-') && !parse_duration(s + 1, &d)) {
		*out = now_ms() + (s[0] == '+' ? d : -d) * 1000;
		return 0;
	}
	if (s[0] >= '0' && s[0] <= '9' && !strchr(s, '-') && !parse_ll(s, out))
		return *out < 0 ? -1 : 0;
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++) {
		struct tm tm;
		const char *end;

		memset(&tm, 0, sizeof(tm));
		end = strptime(s, formats[i], &tm);
		if (!end || (*end && strcmp(end, "Z")))
			continue;
		*out = (long long)timegm(&tm) * 1000;
		return 0;
	}
	return -1;
}

static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };

	for (size_t i = 0; i < 4; i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

static void join(const char *const *values, char *buf, size_t len)
{
	buf[0] = '\0';
	for (const char *const *v = values; *v; v++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", v == values ? "" : ", ", *v);
}

static int read_password(struct wpa_ctx *ctx, const struct wpa_opt *o, json_object **out)
{
	char pw[512];

	if (isatty(0)) {
		if (wpa_read_secret("Password: ", pw, sizeof(pw))) {
			wpa_usage_error(ctx, "--%s: cannot read the password", o->name);
			return WPA_EXIT_USAGE;
		}
	} else if (!fgets(pw, sizeof(pw), stdin)) {
		pw[0] = '\0';
	}
	pw[strcspn(pw, "\r\n")] = '\0';
	if (!pw[0]) {
		wpa_usage_error(ctx, "--%s: no password on standard input", o->name);
		return WPA_EXIT_USAGE;
	}
	*out = json_object_new_string(pw);
	explicit_bzero(pw, sizeof(pw));
	return WPA_OK;
}

static int convert_object(struct wpa_ctx *ctx, const struct wpa_opt *o, const char *raw,
			  json_object **out)
{
	enum json_tokener_error jerr = json_tokener_success;
	uint8_t *data = NULL;
	size_t len;
	int ret;

	if (raw[0] == '@') {
		ret = wp_read_file_follow(raw + 1, 1 << 20, &data, &len);
		if (ret) {
			wpa_usage_error(ctx, "--%s: %s: %s", o->name, raw + 1, strerror(-ret));
			return WPA_EXIT_USAGE;
		}
		raw = (const char *)data;
	}
	*out = json_tokener_parse_verbose(raw, &jerr);
	free(data);
	if (!*out || !json_object_is_type(*out, json_type_object)) {
		wpa_usage_error(ctx, "--%s: not a JSON object%s%s", o->name,
				*out ? "" : ": ", *out ? "" : json_tokener_error_desc(jerr));
		json_object_put(*out);
		*out = NULL;
		return WPA_EXIT_USAGE;
	}
	return WPA_OK;
}

int wpa_convert(struct wpa_ctx *ctx, const struct wpa_opt *o, const char *raw,
		json_object **out)
{
	char allowed[256], norm[128];
	long long ll;
	bool b;

	*out = NULL;
	switch (o->type) {
	case WT_FLAG:
		*out = json_object_new_boolean(true);
		return WPA_OK;
	case WT_PASSWORD:
		return read_password(ctx, o, out);
	case WT_ID:
		if (!raw[0] || strchr(raw, '/')) {
			wpa_usage_error(ctx, "--%s: '%s' is not an id", o->name, raw);
			return WPA_EXIT_USAGE;
		}
		break;
	case WT_INT:
		if (parse_ll(raw, &ll)) {
			wpa_usage_error(ctx, "--%s: '%s' is not an integer", o->name, raw);
			return WPA_EXIT_USAGE;
		}
		*out = json_object_new_int64(ll);
		return WPA_OK;
	case WT_DURATION:
		if (parse_duration(raw, &ll)) {
			wpa_usage_error(ctx, "--%s: '%s' is not a duration (seconds, or e.g."
					" 90s, 15m, 12h, 7d, 2w)", o->name, raw);
			return WPA_EXIT_USAGE;
		}
		*out = json_object_new_int64(ll);
		return WPA_OK;
	case WT_TIME:
		if (parse_time(raw, &ll)) {
			wpa_usage_error(ctx, "--%s: '%s' is not a time (ms since the epoch, now,"
					" +2h, 2026-01-31 or 2026-01-31T09:00:00Z, UTC)",
					o->name, raw);
			return WPA_EXIT_USAGE;
		}
		*out = json_object_new_int64(ll);
		return WPA_OK;
	case WT_BOOL:
		if (parse_bool(raw, &b)) {
			wpa_usage_error(ctx, "--%s: '%s' is not true or false", o->name, raw);
			return WPA_EXIT_USAGE;
		}
		*out = json_object_new_boolean(b);
		return WPA_OK;
	case WT_ENUM:
		snprintf(norm, sizeof(norm), "%s", raw);
		for (char *p = norm; (o->flags & O_DASHES) && *p; p++)
			if (*p == '-')
				*p = '_';
		for (const char *const *v = o->values; *v; v++)
			if (!strcmp(*v, norm)) {
				*out = json_object_new_string(norm);
				return WPA_OK;
			}
		join(o->values, allowed, sizeof(allowed));
		wpa_usage_error(ctx, "--%s: '%s' must be one of: %s", o->name, raw, allowed);
		return WPA_EXIT_USAGE;
	case WT_ID_LIST: {
		char *copy = strdup(raw), *save = NULL;

		*out = json_object_new_array();
		for (char *t = strtok_r(copy, ", ", &save); t; t = strtok_r(NULL, ", ", &save))
			json_object_array_add(*out, json_object_new_string(t));
		free(copy);
		return WPA_OK;
	}
	case WT_OBJECT:
		return convert_object(ctx, o, raw, out);
	case WT_STRING:
	case WT_FILE:
	case WT_LIST:
		break;
	}
	*out = json_object_new_string(raw);
	return WPA_OK;
}

/* Read a line from the terminal without echo. */
static struct termios saved_tty;
static int saved_fd = -1;

static void restore_tty(void)
{
	if (saved_fd >= 0)
		tcsetattr(saved_fd, TCSAFLUSH, &saved_tty);
}

/* ^C at the prompt must not leave the terminal without echo. */
static void on_signal(int sig)
{
	restore_tty();
	signal(sig, SIG_DFL);
	raise(sig);
}

int wpa_read_secret(const char *prompt, char *buf, size_t len)
{
	struct sigaction sa = { .sa_handler = on_signal }, old_int, old_term;
	struct termios quiet;
	FILE *f = fopen("/dev/tty", "r+");
	int ret = 0;

	if (!f)
		return -1;
	fputs(prompt, f);
	fflush(f);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	if (!tcgetattr(fileno(f), &saved_tty)) {
		saved_fd = fileno(f);
		quiet = saved_tty;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(fileno(f), TCSAFLUSH, &quiet);
	}
	if (!fgets(buf, (int)len, f))
		ret = -1;
	restore_tty();
	saved_fd = -1;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	fputc('\n', f);
	fclose(f);
	if (!ret)
		buf[strcspn(buf, "\r\n")] = '\0';
	return ret;
}
