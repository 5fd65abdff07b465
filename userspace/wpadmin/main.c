// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpadmin: the administrator's command line for wpserver.
 *
 *   wpadmin [GLOBAL OPTIONS] COMMAND [ACTION] [ARGS] [OPTIONS]
 *
 * main() finds the command and its action in the tables of the command
 * tree, parses the rest of the line against the action's options, makes
 * sure there is a server (and a token when the action needs one), and
 * runs the action: one call of the admin API.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "wpadmin.h"

const struct wpa_group *const wpa_groups[] = {
	&wpa_group_login, &wpa_group_logout, &wpa_group_whoami, &wpa_group_health,
	&wpa_group_api_tokens, &wpa_group_enroll_tokens,
	&wpa_group_admins, &wpa_group_users, &wpa_group_groups, &wpa_group_policies,
	&wpa_group_templates, &wpa_group_images, &wpa_group_apps, &wpa_group_devices,
	&wpa_group_commands,
	&wpa_group_activity, &wpa_group_history, &wpa_group_stats,
	&wpa_group_completion,
	NULL,
};

static const char *const section_names[] = {
	[S_SESSION] = "Session and tokens",
	[S_CATALOGUE] = "Catalogue (list, show, create, update, delete, history)",
	[S_OPERATIONS] = "Device operations",
	[S_FEEDS] = "Activity and statistics",
	[S_OTHER] = "Other",
};

static const char exit_codes[] =
	"Exit codes:\n"
	"  0  success\n"
	"  1  usage error: unknown command or option, missing or bad value, unreadable file\n"
	"  2  the server could not be reached (connection, DNS, TLS, timeout)\n"
	"  3  authentication: not logged in, token unknown or expired (HTTP 401)\n"
	"  4  forbidden: the administrator's role may not do this (HTTP 403)\n"
	"  5  not found (HTTP 404, 410)\n"
	"  6  invalid input or conflict (HTTP 400, 405, 409, 413, 416, 422)\n"
	"  7  server error (HTTP 5xx) or an answer wpadmin does not understand\n";

static const char value_notes[] =
	"DURATION is seconds, or a number with s, m, h, d or w (90s, 15m, 12h, 7d).\n"
	"TIME is ms since the epoch, now, +DURATION, -DURATION, 2026-01-31 or\n"
	"2026-01-31T09:00:00Z (UTC).\n";

/*
 * "  NAME   text..." with the text wrapped at 79 columns and indented to
 * @col; a NAME too long for the column gets a line of its own.  Without
 * a NAME, a paragraph.
 */
static void item(FILE *out, const char *name, int col, const char *text)
{
	const char *p = text;
	int pos;

	pos = name ? fprintf(out, "  %s", name) : 0;
	if (name && pos > col - 1) {
		fputc('\n', out);
		pos = 0;
	}
	while (*p) {
		int room = 79 - col, len = (int)strlen(p), cut = len;

		if (len > room) {
			for (cut = room; cut > 0 && p[cut] != ' '; cut--)
				;
			if (!cut)
				cut = room;
		}
		fprintf(out, "%*s%.*s\n", col - pos, "", cut, p);
		pos = 0;
		p += cut;
		while (*p == ' ')
			p++;
	}
	if (!*text)
		fputc('\n', out);
}

static const char *role_text(const char *role)
{
	return !strcmp(role, "read-only") ? "any administrator" : role;
}

void wpa_help_main(FILE *out)
{
	fprintf(out,
		"usage: wpadmin [GLOBAL OPTIONS] COMMAND [ACTION] [ARGS] [OPTIONS]\n"
		"\n"
		"Administer a Workphone server (wpserver). Every command is one call of the\n"
		"admin API; 'wpadmin COMMAND --help' and 'wpadmin COMMAND ACTION --help'\n"
		"name it. The guide is Documentation/admin-guide.rst.\n");
	for (int s = S_SESSION; s <= S_OTHER; s++) {
		fprintf(out, "\n%s:\n", section_names[s]);
		for (const struct wpa_group *const *g = wpa_groups; *g; g++) {
			const char *args = (*g)->single ? (*g)->actions[0].args : NULL;
			char name[40];

			if ((*g)->section != (enum wpa_section)s)
				continue;
			snprintf(name, sizeof(name), "%s%s%s", (*g)->name, args ? " " : "",
				 args ? args : "");
			item(out, name, 22, (*g)->summary);
		}
	}
	item(out, "help [COMMAND [ACTION]]", 22, "the same as --help");
	fprintf(out, "\nGlobal options (anywhere on the line):\n");
	for (const struct wpa_opt *o = wpa_global_opts; o->name; o++) {
		char name[40];

		snprintf(name, sizeof(name), "--%s%s%s", o->name, wpa_metavar(o) ? " " : "",
			 wpa_metavar(o) ? wpa_metavar(o) : "");
		item(out, name, 22, o->help);
	}
	fprintf(out,
		"\n"
		"Login: 'wpadmin login SERVER' asks for the user name and password (or takes\n"
		"--username and --password-stdin) and stores the server and the token, mode\n"
		"0600, in $XDG_CONFIG_HOME/workphone/wpadmin.json (default\n"
		"~/.config/workphone/wpadmin.json). Scripts may instead pass --server and\n"
		"--token or set WPADMIN_SERVER and WPADMIN_TOKEN (an API token from\n"
		"'wpadmin api-tokens create' does not expire).\n"
		"\n"
		"Output: tables and 'field: value' lines for people; --json prints the\n"
		"server's JSON answer unchanged, for scripts (errors too, on stdout).\n"
		"Errors go to stderr with the server's message and the field it names.\n"
		"\n%s", exit_codes);
}

void wpa_help_group(FILE *out, const struct wpa_group *g)
{
	char line[400];

	snprintf(line, sizeof(line), "%c%s%s%s.", g->summary[0] >= 'a' && g->summary[0] <= 'z' ?
		 g->summary[0] - 'a' + 'A' : g->summary[0], g->summary + 1,
		 g->alias ? " (also: wpadmin " : "", g->alias ? g->alias : "");
	if (g->alias)
		snprintf(line + strlen(line) - 1, sizeof(line) - strlen(line) + 1, ").");
	fprintf(out, "usage: wpadmin %s ACTION [ARGS] [OPTIONS]\n\n", g->name);
	item(out, NULL, 0, line);
	fprintf(out, "\nActions:\n");
	for (const struct wpa_action *a = g->actions; a->name; a++) {
		char name[40], text[400];

		snprintf(name, sizeof(name), "%s%s%s", a->name, a->args ? " " : "",
			 a->args ? a->args : "");
		snprintf(text, sizeof(text), "%s%s", a->summary,
			 g->default_action && !strcmp(g->default_action, a->name) ?
			 " (the default)" : "");
		item(out, name, 22, text);
	}
	fprintf(out, "\n'wpadmin %s ACTION --help' describes an action and its options.\n",
		g->name);
}

void wpa_help_action(FILE *out, const struct wpa_group *g, const struct wpa_action *a)
{
	const struct wpa_opt *opts[WPA_MAX_OPTS];
	enum wpa_dest dest[WPA_MAX_OPTS];
	int n = wpa_action_opts(g, a, opts, dest, WPA_MAX_OPTS);
	bool notes = false, any = false;
	char line[400];

	fprintf(out, "usage: wpadmin %s%s%s%s%s", g->name, g->single ? "" : " ",
		g->single ? "" : a->name, a->args ? " " : "", a->args ? a->args : "");
	for (int k = 0; k < n; k++) {
		const struct wpa_opt *o = opts[k];

		if (wpa_required(o, a))
			fprintf(out, " --%s%s%s", o->name, wpa_metavar(o) ? " " : "",
				wpa_metavar(o) ? wpa_metavar(o) : "");
	}
	fprintf(out, " [OPTIONS]\n\n");
	snprintf(line, sizeof(line), "%s.", a->summary);
	item(out, NULL, 0, line);
	if (a->endpoint) {
		snprintf(line, sizeof(line), "Calls %s%s%s%s.", a->endpoint,
			 a->role ? " (role: " : "", a->role ? role_text(a->role) : "",
			 a->role ? ")" : "");
		fputc('\n', out);
		item(out, NULL, 0, line);
	}
	for (int k = 0; k < n; k++) {
		const struct wpa_opt *o = opts[k];
		char name[48], text[600];

		if (wpa_is_global(o))
			continue;
		if (!any)
			fprintf(out, "\nOptions:\n");
		any = true;
		snprintf(name, sizeof(name), "--%s%s%s", o->name, wpa_metavar(o) ? " " : "",
			 wpa_metavar(o) ? wpa_metavar(o) : "");
		snprintf(text, sizeof(text), "%s%s", wpa_required(o, a) ? "required; " : "",
			 o->help);
		for (const char *const *v = o->type == WT_ENUM ? o->values : NULL; v && *v; v++)
			snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s%s",
				 v == o->values ? "; one of: " : ", ", *v);
		if ((o->flags & O_NULLABLE) && a->kind == K_UPDATE)
			snprintf(text + strlen(text), sizeof(text) - strlen(text),
				 "; may be --unset");
		if (o->key && dest[k] != D_LOCAL)
			snprintf(text + strlen(text), sizeof(text) - strlen(text), " [%s %s]",
				 dest[k] == D_QUERY ? "query" : "field", o->key);
		item(out, name, 26, text);
		notes |= o->type == WT_DURATION || o->type == WT_TIME;
	}
	snprintf(line, sizeof(line), "Global options: ");
	for (const struct wpa_opt *o = wpa_global_opts; o->name; o++)
		snprintf(line + strlen(line), sizeof(line) - strlen(line), "%s--%s",
			 o == wpa_global_opts ? "" : ", ", o->name);
	snprintf(line + strlen(line), sizeof(line) - strlen(line), " ('wpadmin --help').");
	fputc('\n', out);
	item(out, NULL, 0, line);
	if (notes)
		fprintf(out, "\n%s", value_notes);
	if (a->role)
		fprintf(out, "\nExit codes: 0 ok, 1 usage, 2 unreachable, 3 not logged in or token"
			" expired,\n4 forbidden, 5 not found, 6 invalid input or conflict, 7 server"
			" error.\n");
}

static const struct wpa_group *find_group(const char *name)
{
	for (const struct wpa_group *const *g = wpa_groups; *g; g++)
		if (!strcmp((*g)->name, name) || ((*g)->alias && !strcmp((*g)->alias, name)))
			return *g;
	return NULL;
}

static const struct wpa_action *find_action(const struct wpa_group *g, const char *name)
{
	for (const struct wpa_action *a = g->actions; a->name; a++)
		if (!strcmp(a->name, name))
			return a;
	return NULL;
}

static void action_names(const struct wpa_group *g, char *buf, size_t len)
{
	buf[0] = '\0';
	for (const struct wpa_action *a = g->actions; a->name; a++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
			 a == g->actions ? "" : ", ", a->name);
}

static bool is_help(const char *arg)
{
	return !strcmp(arg, "--help") || !strcmp(arg, "-h");
}

/*
 * wpadmin help [COMMAND [ACTION]]: --help or -h among the words asks for
 * the same help ("wpadmin help --help" is "wpadmin --help").
 */
static int help_command(struct wpa_ctx *ctx, int argc, char **argv)
{
	const struct wpa_group *g;
	const struct wpa_action *a;
	const char *word[2];
	int n = 0;

	snprintf(ctx->cmd, sizeof(ctx->cmd), "wpadmin help");
	for (int i = 0; i < argc; i++) {
		if (is_help(argv[i]))
			continue;
		if (argv[i][0] == '-') {
			wpa_usage_error(ctx, "unknown option '%s'", argv[i]);
			return WPA_EXIT_USAGE;
		}
		if (n == 2) {
			wpa_usage_error(ctx, "unexpected argument '%s'", argv[i]);
			return WPA_EXIT_USAGE;
		}
		word[n++] = argv[i];
	}
	if (!n) {
		wpa_help_main(stdout);
		return WPA_OK;
	}
	g = find_group(word[0]);
	if (!g) {
		wpa_usage_error(ctx, "unknown command '%s'", word[0]);
		return WPA_EXIT_USAGE;
	}
	if (g->single && n > 1) {
		wpa_usage_error(ctx, "unexpected argument '%s': %s has no actions", word[1],
				g->name);
		return WPA_EXIT_USAGE;
	}
	if (g->single) {
		wpa_help_action(stdout, g, &g->actions[0]);
		return WPA_OK;
	}
	if (n == 1) {
		wpa_help_group(stdout, g);
		return WPA_OK;
	}
	a = find_action(g, word[1]);
	if (!a) {
		wpa_usage_error(ctx, "unknown action '%s' of %s", word[1], g->name);
		return WPA_EXIT_USAGE;
	}
	wpa_help_action(stdout, g, a);
	return WPA_OK;
}

static int run(struct wpa_ctx *ctx, int argc, char **argv)
{
	const struct wpa_group *g;
	const struct wpa_action *a = NULL;
	struct wpa_args args;
	char names[200];
	int i, ret;

	ret = wpa_parse_globals(ctx, argc, argv, &i);
	if (ret)
		return ret;
	if (i >= argc) {
		if (ctx->help) {
			wpa_help_main(stdout);
			return WPA_OK;
		}
		wpa_usage_error(ctx, "no command given");
		return WPA_EXIT_USAGE;
	}
	if (!strcmp(argv[i], "help"))
		return help_command(ctx, argc - i - 1, argv + i + 1);
	g = find_group(argv[i]);
	if (!g) {
		wpa_usage_error(ctx, "unknown command '%s'", argv[i]);
		return WPA_EXIT_USAGE;
	}
	i++;
	ctx->group = g;
	if (g->single) {
		a = &g->actions[0];
		snprintf(ctx->cmd, sizeof(ctx->cmd), "wpadmin %s", g->name);
	} else if (i < argc && argv[i][0] != '-') {
		a = find_action(g, argv[i]);
		if (!a) {
			snprintf(ctx->cmd, sizeof(ctx->cmd), "wpadmin %s", g->name);
			action_names(g, names, sizeof(names));
			wpa_usage_error(ctx, "unknown action '%s' (one of: %s)", argv[i], names);
			return WPA_EXIT_USAGE;
		}
		i++;
		snprintf(ctx->cmd, sizeof(ctx->cmd), "wpadmin %s %s", g->name, a->name);
	} else {
		snprintf(ctx->cmd, sizeof(ctx->cmd), "wpadmin %s", g->name);
		if (ctx->help || (i < argc && is_help(argv[i]))) {
			wpa_help_group(stdout, g);
			return WPA_OK;
		}
		if (!g->default_action) {
			action_names(g, names, sizeof(names));
			wpa_usage_error(ctx, "missing action (one of: %s)", names);
			return WPA_EXIT_USAGE;
		}
		a = find_action(g, g->default_action);
	}
	ctx->action = a;
	ret = wpa_parse(ctx, argc - i, argv + i, &args);
	ctx->args = &args;
	if (!ret && ctx->help) {
		wpa_help_action(stdout, g, a);
	} else if (!ret) {
		if (a->role)
			ret = wpa_connect(ctx, true);
		if (!ret)
			ret = a->run(ctx, &args);
	}
	wpa_args_free(&args);
	ctx->args = NULL;
	return ret;
}

int main(int argc, char **argv)
{
	struct wpa_ctx ctx = { .progress = -1 };
	int ret;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	ret = run(&ctx, argc, argv);
	wpa_disconnect(&ctx);
	wpa_config_free(&ctx.cfg);
	fflush(stdout);
	if (ferror(stdout) && !ret) {
		fprintf(stderr, "wpadmin: error writing the output\n");
		ret = WPA_EXIT_USAGE;
	}
	curl_global_cleanup();
	return ret;
}
