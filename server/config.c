// SPDX-License-Identifier: GPL-2.0-only
/*
 * Configuration: one table of settings shared by the file parser and the
 * flag parser, so both accept exactly the same names.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum kind { K_STR, K_INT, K_LL };

struct setting {
	const char *name;
	enum kind kind;
	size_t offset;
	size_t size;
	long long min, max;
};

#define STR(n, f) { n, K_STR, offsetof(struct wp_config, f), sizeof(((struct wp_config *)0)->f), 0, 0 }
#define INT(n, f, lo, hi) { n, K_INT, offsetof(struct wp_config, f), 0, lo, hi }
#define LL(n, f, lo, hi) { n, K_LL, offsetof(struct wp_config, f), 0, lo, hi }

static const struct setting settings[] = {
	STR("data", data_dir),
	STR("listen", listen),
	STR("db", db_url),
	STR("tls-cert", tls_cert),
	STR("tls-key", tls_key),
	STR("ready-file", ready_file),
	STR("web", web_dir),
	STR("log-level", log_level),
	INT("threads", threads, 1, 256),
	LL("max-body", max_body, 1024, 64LL << 20),
	LL("max-upload", max_upload, 1024, 1LL << 50),
	INT("partial-upload-ttl", partial_upload_ttl_s, 1, 365 * 86400),
	INT("session-ttl", session_ttl_s, 60, 90 * 86400),
	INT("lease-valid", lease_valid_s, 1, 3600),
	INT("grace", grace_s, 0, 365 * 86400),
	INT("wipe-hold-count", wipe_hold_count, 0, 1000000),
	INT("wipe-hold-window", wipe_hold_window_s, 1, 30 * 86400),
	INT("key-bits", key_bits, 2048, 8192),
	INT("shutdown-timeout", shutdown_timeout_s, 0, 3600),
};

void wp_config_defaults(struct wp_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->data_dir, sizeof(cfg->data_dir), "/var/lib/wpserver");
	snprintf(cfg->listen, sizeof(cfg->listen), "127.0.0.1:8443");
	snprintf(cfg->log_level, sizeof(cfg->log_level), "info");
	cfg->threads = 2;
	cfg->max_body = 1 << 20;
	cfg->max_upload = 64LL << 30;
	cfg->partial_upload_ttl_s = 86400;
	cfg->session_ttl_s = 12 * 3600;
	cfg->lease_valid_s = 300;
	cfg->grace_s = 0;
	cfg->wipe_hold_count = 10;
	cfg->wipe_hold_window_s = 3600;
	cfg->key_bits = 3072;
	cfg->shutdown_timeout_s = 30;
}

int wp_config_set(struct wp_config *cfg, const char *key, const char *value,
		  struct wp_err *err)
{
	for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
		const struct setting *s = &settings[i];
		char *end;
		long long v;

		if (strcmp(s->name, key))
			continue;
		if (s->kind == K_STR) {
			if (strlen(value) >= s->size)
				return wp_fail(err, 400, "invalid_config", key,
					       "%s: value too long", key);
			memcpy((char *)cfg + s->offset, value, strlen(value) + 1);
			return 0;
		}
		/* "wipe-hold-count = off": no mass-wipe protection (stored as -1). */
		if (!strcmp(key, "wipe-hold-count") && !strcmp(value, "off")) {
			*(int *)((char *)cfg + s->offset) = -1;
			return 0;
		}
		errno = 0;
		v = strtoll(value, &end, 10);
		if (errno || end == value || *end || v < s->min || v > s->max)
			return wp_fail(err, 400, "invalid_config", key,
				       "%s: '%s' is not an integer in %lld..%lld",
				       key, value, s->min, s->max);
		if (s->kind == K_INT)
			*(int *)((char *)cfg + s->offset) = (int)v;
		else
			*(long long *)((char *)cfg + s->offset) = v;
		return 0;
	}
	return wp_fail(err, 400, "invalid_config", key, "unknown setting '%s'", key);
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

int wp_config_load_file(struct wp_config *cfg, const char *path, struct wp_err *err)
{
	FILE *f = fopen(path, "r");
	char line[2048];
	int lineno = 0;

	if (!f)
		return wp_fail(err, 400, "invalid_config", "config", "%s: %s", path,
			       strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *p = trim(line), *eq;

		lineno++;
		if (!*p || *p == '#')
			continue;
		eq = strchr(p, '=');
		if (!eq) {
			fclose(f);
			return wp_fail(err, 400, "invalid_config", "config",
				       "%s:%d: expected 'key = value'", path, lineno);
		}
		*eq = '\0';
		if (wp_config_set(cfg, trim(p), trim(eq + 1), err)) {
			fclose(f);
			wp_err_prefix(err, "%s:%d", path, lineno);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

/*
 * The dashboard's files when --web is not given: PREFIX/share/wpserver/web
 * beside an installed PREFIX/bin/wpserver, else the source tree's
 * server/web for a wpserver run from BUILD/bin in the tree, else
 * /usr/share/wpserver/web.
 */
static void default_web_dir(struct wp_config *cfg)
{
	static const char *const rel[] = { "../share/wpserver/web", "../../server/web" };
	char exe[512], path[600], real[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	snprintf(cfg->web_dir, sizeof(cfg->web_dir), "/usr/share/wpserver/web");
	if (n <= 0)
		return;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return;
	*slash = '\0';
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s/index.html", exe, rel[i]);
		if (access(path, R_OK))
			continue;
		snprintf(path, sizeof(path), "%s/%s", exe, rel[i]);
		if (realpath(path, real) && strlen(real) < sizeof(cfg->web_dir)) {
			memcpy(cfg->web_dir, real, strlen(real) + 1);
			return;
		}
	}
}

int wp_config_finish(struct wp_config *cfg, struct wp_err *err)
{
	if (!cfg->web_dir[0])
		default_web_dir(cfg);
	if (!cfg->db_url[0] &&
	    (size_t)snprintf(cfg->db_url, sizeof(cfg->db_url), "sqlite:%s/wpserver.db",
			     cfg->data_dir) >= sizeof(cfg->db_url))
		return wp_fail(err, 400, "invalid_config", "data", "data path too long");
	if (!cfg->tls_cert[0] != !cfg->tls_key[0])
		return wp_fail(err, 400, "invalid_config", "tls-cert",
			       "--tls-cert and --tls-key go together");
	return 0;
}
