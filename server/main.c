// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpserver: the Workphone management server.
 *
 *   wpserver [serve] [--data DIR] [--listen HOST:PORT] [--db URL] ...
 *   wpserver keygen [--next | --promote] --data DIR
 *   wpserver create-admin USERNAME [ROLE] --data DIR   (password on stdin)
 *   wpserver check-db --data DIR [--db URL]
 *   wpserver routes                                     (the route table)
 *   wpserver routes query                  (the query parameters of the lists)
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "config.h"
#include "http/http.h"
#include "service/repo.h"
#include "util/crypto.h"
#include "util/log.h"

static void usage(FILE *f)
{
	fputs("usage: wpserver [serve] [OPTIONS]\n"
	      "       wpserver keygen [--next | --promote] [OPTIONS]\n"
	      "       wpserver create-admin USERNAME [admin|helpdesk|read-only] [OPTIONS]\n"
	      "       wpserver check-db [OPTIONS]\n"
	      "       wpserver routes          (METHOD PATTERN ROLE of every route)\n"
	      "       wpserver routes query    (METHOD PATTERN PARAM... of every list)\n"
	      "\n"
	      "options (also settable as 'name = value' in --config FILE):\n"
	      "  --config FILE          read settings from FILE first\n"
	      "  --data DIR             data directory (database, keys, repository)\n"
	      "  --listen HOST:PORT     address to listen on (default 127.0.0.1:8443)\n"
	      "  --db URL               sqlite:PATH (default DIR/wpserver.db) or postgres://...\n"
	      "  --tls-cert FILE        PEM certificate for HTTPS (required off loopback)\n"
	      "  --tls-key FILE         PEM private key for HTTPS\n"
	      "  --threads N            HTTP worker threads (default 2)\n"
	      "  --max-body BYTES       limit of JSON request bodies (default 1 MiB)\n"
	      "  --max-upload BYTES     limit of image and app uploads (default 64 GiB)\n"
	      "  --partial-upload-ttl S keep an interrupted upload for resuming this long\n"
	      "                         (default 86400)\n"
	      "  --session-ttl S        lifetime of login tokens (default 43200)\n"
	      "  --lease-valid S        valid_for_s of signed documents (default 300)\n"
	      "  --grace S              inactive after interval + S (default: one interval)\n"
	      "  --wipe-hold-count N    wipes allowed per window before approval (default 10;\n"
	      "                         0: hold every wipe, off: no mass-wipe protection)\n"
	      "  --wipe-hold-window S   the window (default 3600)\n"
	      "  --shutdown-timeout S   on SIGTERM, wait this long for requests in flight\n"
	      "                         (default 30)\n"
	      "  --key-bits N           RSA key size for keygen (default 3072)\n"
	      "  --log-level LEVEL      debug, info, warn or error\n"
	      "  --web DIR              the web dashboard's files, served at /\n"
	      "                         (default: PREFIX/share/wpserver/web or server/web)\n"
	      "  --ready-file FILE      write the listening port to FILE once serving\n",
	      f);
}

static int fail(const struct wp_err *err)
{
	wp_log(WP_LOG_ERROR, err->message, "code", err->code ? err->code : "error",
	       "field", err->field, NULL);
	return 1;
}

static int open_app(struct wp_app *app, const struct wp_config *cfg, bool keys,
		    struct wp_err *err)
{
	memset(app, 0, sizeof(*app));
	app->cfg = cfg;
	app->started_ms = wp_now_ms();
	if (mkdir(cfg->data_dir, 0750) && errno != EEXIST)
		return WP_INTERNAL(err, "%s: %s", cfg->data_dir, strerror(errno));
	if (db_open(cfg->db_url, cfg->threads + 1, &app->db, err))
		return -1;
	if (keys && wp_keys_load(app, true, err))
		return -1;
	return wp_repo_init(app, err);
}

static void close_app(struct wp_app *app)
{
	db_close(app->db);
	wpdoc_signer_free(app->signer);
	wpdoc_signer_free(app->next_signer);
}

static int write_ready(const char *path, unsigned port)
{
	char tmp[600];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	fprintf(f, "%u\n", port);
	if (fclose(f))
		return -1;
	return rename(tmp, path);
}

static int serve(const struct wp_config *cfg)
{
	struct wp_err err = { 0 };
	struct wp_http *http = NULL;
	struct wp_app app;
	sigset_t set;
	char port_s[16], index[sizeof(cfg->web_dir) + 16];
	int sig = 0, ret = 1;

	/* Block the stop signals in every thread; only sigwait() sees them. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (open_app(&app, cfg, true, &err) || db_require_latest(app.db, &err) ||
	    wp_http_start(&app, &http, &err)) {
		fail(&err);
		goto out;
	}
	snprintf(port_s, sizeof(port_s), "%u", wp_http_port(http));
	wp_log(WP_LOG_INFO, "serving", "listen", cfg->listen, "port", port_s,
	       "backend", db_backend(app.db), "tls", cfg->tls_cert[0] ? "yes" : "no",
	       "web", cfg->web_dir, NULL);
	snprintf(index, sizeof(index), "%s/index.html", cfg->web_dir);
	if (access(index, R_OK))
		wp_log(WP_LOG_WARN, "no web dashboard: index.html not found (see --web)", "web",
		       cfg->web_dir, NULL);
	if (cfg->ready_file[0] && write_ready(cfg->ready_file, wp_http_port(http)))
		wp_log(WP_LOG_WARN, "cannot write the ready file", "path", cfg->ready_file, NULL);
	sigwait(&set, &sig);
	wp_log(WP_LOG_INFO, "shutting down", "signal", strsignal(sig), NULL);
	ret = 0;
out:
	wp_http_stop(http);
	close_app(&app);
	return ret;
}

static int keygen(const struct wp_config *cfg, bool next, bool promote)
{
	struct wp_err err = { 0 };

	if (promote) {
		if (wp_keys_promote(cfg->data_dir, &err))
			return fail(&err);
		wp_log(WP_LOG_INFO, "next key promoted to current", "data", cfg->data_dir, NULL);
		return 0;
	}
	if (wp_keys_generate(cfg->data_dir, next ? "next" : "server", cfg->key_bits, &err))
		return fail(&err);
	wp_log(WP_LOG_INFO, "key generated", "name", next ? "next" : "server", NULL);
	return 0;
}

static int create_admin(const struct wp_config *cfg, const char *username, const char *role)
{
	struct wp_err err = { 0 };
	char password[300];
	struct wp_app app;
	size_t len;
	int ret;

	if (!fgets(password, sizeof(password), stdin)) {
		fprintf(stderr, "wpserver: give the password on standard input\n");
		return 2;
	}
	len = strlen(password);
	if (len && password[len - 1] == '\n')
		password[--len] = '\0';
	if (open_app(&app, cfg, false, &err)) {
		close_app(&app);
		return fail(&err);
	}
	ret = wp_admin_bootstrap(&app, username, role, password, &err) ? fail(&err) : 0;
	OPENSSL_cleanse(password, sizeof(password));
	close_app(&app);
	return ret;
}

static int check_db(const struct wp_config *cfg)
{
	struct wp_err err = { 0 };
	struct wp_app app;
	int ret;

	if (open_app(&app, cfg, false, &err)) {
		close_app(&app);
		return fail(&err);
	}
	ret = db_check(app.db, &err) ? fail(&err) : 0;
	if (!ret)
		wp_log(WP_LOG_INFO, "database consistent", "backend", db_backend(app.db), NULL);
	close_app(&app);
	return ret;
}

int main(int argc, char **argv)
{
	struct wp_config cfg;
	struct wp_err err = { 0 };
	const char *cmd = NULL, *args[2] = { NULL, NULL };
	enum wp_log_level level;
	bool next = false, promote = false;
	int nargs = 0;

	wp_config_defaults(&cfg);
	/* --config first, so flags override the file wherever they appear. */
	for (int i = 1; i < argc; i++)
		if (!strncmp(argv[i], "--config", 8)) {
			const char *v = argv[i][8] == '=' ? argv[i] + 9 :
					i + 1 < argc ? argv[i + 1] : NULL;

			if (!v || wp_config_load_file(&cfg, v, &err))
				return v ? fail(&err) : (usage(stderr), 2);
		}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		char name[64];
		const char *eq, *value;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(a, "--next")) {
			next = true;
			continue;
		}
		if (!strcmp(a, "--promote")) {
			promote = true;
			continue;
		}
		if (strncmp(a, "--", 2)) {
			if (!cmd)
				cmd = a;
			else if (nargs < 2)
				args[nargs++] = a;
			else
				return usage(stderr), 2;
			continue;
		}
		eq = strchr(a, '=');
		if (eq) {
			snprintf(name, sizeof(name), "%.*s", (int)(eq - a - 2), a + 2);
			value = eq + 1;
		} else {
			snprintf(name, sizeof(name), "%s", a + 2);
			if (i + 1 >= argc) {
				fprintf(stderr, "wpserver: %s needs a value\n", a);
				return 2;
			}
			value = argv[++i];
		}
		if (!strcmp(name, "config"))
			continue;
		if (wp_config_set(&cfg, name, value, &err)) {
			fprintf(stderr, "wpserver: %s\n", err.message);
			return 2;
		}
	}
	if (wp_log_parse_level(cfg.log_level, &level)) {
		fprintf(stderr, "wpserver: unknown log level '%s'\n", cfg.log_level);
		return 2;
	}
	wp_log_set_level(level);
	if (wp_config_finish(&cfg, &err)) {
		fprintf(stderr, "wpserver: %s\n", err.message);
		return 2;
	}
	if (!cmd || !strcmp(cmd, "serve"))
		return serve(&cfg);
	if (!strcmp(cmd, "keygen"))
		return keygen(&cfg, next, promote);
	if (!strcmp(cmd, "create-admin") && args[0])
		return create_admin(&cfg, args[0], args[1] ? args[1] : "admin");
	if (!strcmp(cmd, "check-db"))
		return check_db(&cfg);
	if (!strcmp(cmd, "routes") && args[0] && !strcmp(args[0], "query"))
		return wp_routes_print_query(stdout) ? 1 : 0;
	if (!strcmp(cmd, "routes"))
		return wp_routes_print(stdout) ? 1 : 0;
	usage(stderr);
	return 2;
}
