// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpd: config.json, as written by wp-provision.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fileio.h"
#include "vmmctl.h"
#include "wpd.h"
#include "wpdoc.h"

static int copy_field(json_object *j, const char *name, char *dst, size_t len,
		      bool required, char *err, size_t err_len)
{
	json_object *v;

	dst[0] = '\0';
	if (!json_object_object_get_ex(j, name, &v)) {
		if (required)
			snprintf(err, err_len, "config.json: \"%s\" is missing", name);
		return required ? -1 : 0;
	}
	if (!json_object_is_type(v, json_type_string) ||
	    strlen(json_object_get_string(v)) >= len) {
		snprintf(err, err_len, "config.json: \"%s\" must be a string shorter than %zu",
			 name, len);
		return -1;
	}
	snprintf(dst, len, "%s", json_object_get_string(v));
	return 0;
}

int wpd_config_load(struct wpd_config *cfg, const char *state_dir,
		    char *err, size_t err_len)
{
	char path[512];
	uint8_t *text;
	size_t len;
	json_object *j;
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%s", state_dir);
	snprintf(path, sizeof(path), "%s/config.json", state_dir);
	ret = wp_read_file(path, 1 << 20, &text, &len);
	if (ret) {
		snprintf(err, err_len, "%s: %s%s", path, strerror(-ret),
			 ret == -ENOENT ? " (run wp-provision first)" : "");
		return -1;
	}
	j = json_tokener_parse((char *)text);
	free(text);
	if (!j || !json_object_is_type(j, json_type_object)) {
		snprintf(err, err_len, "%s: not a JSON object", path);
		if (j)
			json_object_put(j);
		return -1;
	}
	ret = copy_field(j, "server", cfg->server, sizeof(cfg->server), true, err, err_len) ||
	      copy_field(j, "device_token", cfg->device_token, sizeof(cfg->device_token),
			 true, err, err_len) ||
	      copy_field(j, "device_id", cfg->device_id_text, sizeof(cfg->device_id_text),
			 true, err, err_len) ||
	      copy_field(j, "ca_file", cfg->ca_file, sizeof(cfg->ca_file), false, err, err_len) ||
	      copy_field(j, "image_dir", cfg->image_dir, sizeof(cfg->image_dir), true,
			 err, err_len) ||
	      copy_field(j, "vmm_socket", cfg->vmm_socket, sizeof(cfg->vmm_socket), false,
			 err, err_len) ? -1 : 0;
	json_object_put(j);
	if (ret)
		return -1;
	if (wpdoc_uuid_parse(cfg->device_id_text, cfg->device_id)) {
		snprintf(err, err_len, "config.json: \"device_id\": '%s' is not a UUID",
			 cfg->device_id_text);
		return -1;
	}
	if (cfg->image_dir[0] != '/' || !strcmp(cfg->image_dir, "/")) {
		snprintf(err, err_len,
			 "config.json: \"image_dir\": must be an absolute directory other than /");
		return -1;
	}
	if (!cfg->vmm_socket[0])
		snprintf(cfg->vmm_socket, sizeof(cfg->vmm_socket), "%s", WP_VMM_SOCKET_DEFAULT);
	if (cfg->vmm_socket[0] != '/') {
		snprintf(err, err_len, "config.json: \"vmm_socket\": '%s' must be an absolute path",
			 cfg->vmm_socket);
		return -1;
	}
	return 0;
}
