// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpadmin: the token store, $XDG_CONFIG_HOME/workphone/wpadmin.json
 * (default ~/.config/workphone/wpadmin.json): the server URL, the bearer
 * token of the last login and who it belongs to.  The file is written
 * atomically with mode 0600 in a directory of mode 0700; a file others
 * can read is reported.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "wpadmin.h"

static int config_dir(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	if (xdg && xdg[0] == '/')
		return snprintf(buf, len, "%s/workphone", xdg) >= (int)len ? -1 : 0;
	if (!home || !home[0]) {
		struct passwd *pw = getpwuid(getuid());

		home = pw ? pw->pw_dir : NULL;
	}
	if (!home)
		return -1;
	return snprintf(buf, len, "%s/.config/workphone", home) >= (int)len ? -1 : 0;
}

int wpa_config_load(struct wpa_ctx *ctx)
{
	struct wpa_config *c = &ctx->cfg;
	char dir[sizeof(c->path) - 16];
	uint8_t *data = NULL;
	struct stat st;
	size_t len;
	int ret;

	if (c->root)
		return WPA_OK;
	if (config_dir(dir, sizeof(dir))) {
		wpa_error(ctx, "no configuration directory: set HOME or XDG_CONFIG_HOME");
		return WPA_EXIT_USAGE;
	}
	snprintf(c->path, sizeof(c->path), "%s/wpadmin.json", dir);
	if (stat(c->path, &st)) {
		if (errno != ENOENT) {
			wpa_error(ctx, "%s: %s", c->path, strerror(errno));
			return WPA_EXIT_USAGE;
		}
		c->root = json_object_new_object();
		return WPA_OK;
	}
	if (st.st_mode & 077)
		fprintf(stderr, "wpadmin: warning: %s holds a token and is readable by others:"
			" chmod 600 it\n", c->path);
	ret = wp_read_file_follow(c->path, 1 << 20, &data, &len);
	if (ret) {
		wpa_error(ctx, "%s: %s", c->path, strerror(-ret));
		return WPA_EXIT_USAGE;
	}
	c->root = json_tokener_parse((const char *)data);
	free(data);
	if (!c->root || !json_object_is_type(c->root, json_type_object)) {
		/* Nothing to use in it; the next login writes it anew. */
		fprintf(stderr, "wpadmin: warning: %s is not a JSON object: ignored\n", c->path);
		json_object_put(c->root);
		c->root = json_object_new_object();
	}
	return WPA_OK;
}

const char *wpa_config_get(const struct wpa_config *c, const char *key)
{
	json_object *v;

	if (!c->root || !json_object_object_get_ex(c->root, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* Takes the reference to @val; NULL removes @key. */
void wpa_config_set(struct wpa_config *c, const char *key, json_object *val)
{
	if (val)
		json_object_object_add(c->root, key, val);
	else
		json_object_object_del(c->root, key);
}

/*
 * mkdir -p: create every missing directory of @path, mode 0700 (existing
 * ones are left as they are).  On failure, @path is cut after the
 * directory that could not be created, for the message.
 */
static int mkdir_private(char *path)
{
	for (char *p = path + 1;; p++) {
		char c = *p;

		if (c && c != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) && errno != EEXIST)
			return -errno;
		*p = c;
		if (!c)
			return 0;
	}
}

int wpa_config_save(struct wpa_ctx *ctx)
{
	struct wpa_config *c = &ctx->cfg;
	char dir[sizeof(c->path)], *data = NULL;
	const char *text;
	int ret;

	/* The path always has a directory: see config_dir(). */
	snprintf(dir, sizeof(dir), "%s", c->path);
	*strrchr(dir, '/') = '\0';
	ret = mkdir_private(dir);
	if (ret) {
		wpa_error(ctx, "cannot create the directory %s for %s: %s", dir, c->path,
			  strerror(-ret));
		return WPA_EXIT_USAGE;
	}
	text = json_object_to_json_string_ext(c->root, JSON_C_TO_STRING_PRETTY |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	if (asprintf(&data, "%s\n", text) < 0)
		ret = -ENOMEM;
	if (!ret)
		ret = wp_write_file_atomic(c->path, data, strlen(data), 0600);
	free(data);
	/* An older file may have been created with a looser mode. */
	if (!ret && chmod(c->path, 0600))
		ret = -errno;
	if (ret) {
		wpa_error(ctx, "cannot write %s: %s", c->path, strerror(-ret));
		return WPA_EXIT_USAGE;
	}
	return WPA_OK;
}

void wpa_config_free(struct wpa_config *c)
{
	json_object_put(c->root);
	c->root = NULL;
}
