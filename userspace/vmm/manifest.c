// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpvmm: manifest.json.  The manifest comes with an image downloaded from
 * the company's server (signed there, verified by wp-provision), but the
 * VMM still treats it as input: strict types, bounded sizes, file names
 * that cannot leave the image directory, unknown fields refused (except
 * "x-" extensions) so a typo is an error rather than a silent default.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "manifest.h"
#include "memory.h"
#include "util.h"
#include "jsontype.h"

#define NAME_MAX_LEN	64
#define TEXT_MAX_LEN	256
#define CMDLINE_MAX_LEN	4095
#define MAX_SETTINGS	256
#define MAX_APPS	256

struct mctx {
	const char *dir;
	const char *path;
};

static int field_error(const struct mctx *m, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int field_error(const struct mctx *m, const char *field, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return vmm_input_error(field, "%s (in %s)", msg, m->path);
}

static bool printable(const char *s, bool allow_space)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f || (!allow_space && *s == ' '))
			return false;
	return true;
}

static int get_string(const struct mctx *m, json_object *obj, const char *key,
		      const char *field, bool required, size_t max, const char **out)
{
	json_object *v;

	*out = NULL;
	if (!json_object_object_get_ex(obj, key, &v)) {
		if (required)
			return field_error(m, field, "missing (a string is required)");
		return 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return field_error(m, field, "must be a string, not %s", wp_json_type_name(v));
	*out = json_object_get_string(v);
	if (strlen(*out) > max)
		return field_error(m, field, "longer than %zu characters", max);
	if (!printable(*out, true))
		return field_error(m, field, "contains control characters");
	return 0;
}

/* A file inside the image directory: a plain name, no path. */
static int get_file(const struct mctx *m, json_object *obj, const char *key,
		    bool required, char **out)
{
	const char *name;
	int ret = get_string(m, obj, key, key, required, NAME_MAX_LEN, &name);

	if (ret || !name)
		return ret;
	if (!*name || strchr(name, '/') || name[0] == '.' || !printable(name, false))
		return field_error(m, key, "\"%s\" is not a plain file name inside the image directory", name);
	if (asprintf(out, "%s/%s", m->dir, name) < 0)
		return -ENOMEM;
	return 0;
}

static int get_uint(const struct mctx *m, json_object *obj, const char *key,
		    uint64_t min, uint64_t max, uint64_t *out)
{
	json_object *v;
	int64_t n;

	if (!json_object_object_get_ex(obj, key, &v))
		return field_error(m, key, "missing (an integer from %llu to %llu is required)",
				   (unsigned long long)min, (unsigned long long)max);
	if (!json_object_is_type(v, json_type_int))
		return field_error(m, key, "must be an integer from %llu to %llu, not %s",
				   (unsigned long long)min, (unsigned long long)max, wp_json_type_name(v));
	n = json_object_get_int64(v);
	if (n < 0 || (uint64_t)n < min || (uint64_t)n > max)
		return field_error(m, key, "%lld is out of range: must be from %llu to %llu",
				   (long long)n, (unsigned long long)min, (unsigned long long)max);
	*out = (uint64_t)n;
	return 0;
}

static bool plain_id(const char *s)
{
	if (!*s || *s == '.' || *s == '-')
		return false;
	for (; *s; s++)
		if (!(*s >= 'a' && *s <= 'z') && !(*s >= 'A' && *s <= 'Z') &&
		    !(*s >= '0' && *s <= '9') && *s != '.' && *s != '-' && *s != '_')
			return false;
	return true;
}

static int check_settings(const struct mctx *m, json_object *v)
{
	if (!json_object_is_type(v, json_type_object))
		return field_error(m, "settings", "must be an object, not %s", wp_json_type_name(v));
	if (json_object_object_length(v) > MAX_SETTINGS)
		return field_error(m, "settings", "more than %d entries", MAX_SETTINGS);
	json_object_object_foreach(v, key, val) {
		json_type t = json_object_get_type(val);

		if (!plain_id(key) || strlen(key) > NAME_MAX_LEN)
			return field_error(m, "settings", "key \"%.64s\" is not a plain name", key);
		if (t != json_type_string && t != json_type_int && t != json_type_boolean &&
		    t != json_type_double)
			return field_error(m, "settings", "\"%s\" must be a string, number or boolean, not %s",
					   key, wp_json_type_name(val));
		if (t == json_type_string && strlen(json_object_get_string(val)) > TEXT_MAX_LEN)
			return field_error(m, "settings", "\"%s\" is longer than %d characters",
					   key, TEXT_MAX_LEN);
	}
	return 0;
}

static int check_apps(const struct mctx *m, json_object *v)
{
	size_t n;

	if (!json_object_is_type(v, json_type_array))
		return field_error(m, "apps", "must be an array, not %s", wp_json_type_name(v));
	n = json_object_array_length(v);
	if (n > MAX_APPS)
		return field_error(m, "apps", "more than %d apps", MAX_APPS);
	for (size_t i = 0; i < n; i++) {
		json_object *app = json_object_array_get_idx(v, i);
		char field[32];
		const char *s;
		int ret;

		snprintf(field, sizeof(field), "apps[%zu]", i);
		if (!json_object_is_type(app, json_type_object))
			return field_error(m, field, "must be an object, not %s", wp_json_type_name(app));
		snprintf(field, sizeof(field), "apps[%zu].id", i);
		ret = get_string(m, app, "id", field, true, NAME_MAX_LEN, &s);
		if (ret)
			return ret;
		if (!plain_id(s))
			return field_error(m, field, "\"%s\" is not a plain identifier", s);
		snprintf(field, sizeof(field), "apps[%zu].name", i);
		ret = get_string(m, app, "name", field, true, TEXT_MAX_LEN, &s);
		if (ret)
			return ret;
		snprintf(field, sizeof(field), "apps[%zu].version", i);
		ret = get_string(m, app, "version", field, true, NAME_MAX_LEN, &s);
		if (ret)
			return ret;
	}
	return 0;
}

static const char *const known_fields[] = {
	"format", "format_version", "name", "guest_os", "kernel", "initrd", "disk",
	"cmdline", "memory_mib", "vcpus", "settings", "apps",
};

static int parse(const struct mctx *m, json_object *root, struct vmm_config *cfg)
{
	json_object *v, *os;
	const char *s;
	uint64_t n;
	int ret;

	if (!json_object_is_type(root, json_type_object))
		return field_error(m, "manifest", "must be a JSON object, not %s", wp_json_type_name(root));
	json_object_object_foreach(root, key, val) {
		bool known = !strncmp(key, "x-", 2);

		(void)val;
		for (size_t i = 0; i < ARRAY_SIZE(known_fields) && !known; i++)
			known = !strcmp(key, known_fields[i]);
		if (!known)
			return field_error(m, key, "unknown field (extensions start with \"x-\")");
	}
	ret = get_string(m, root, "format", "format", true, NAME_MAX_LEN, &s);
	if (ret)
		return ret;
	if (strcmp(s, MANIFEST_FORMAT))
		return field_error(m, "format", "\"%s\" is not \"%s\"", s, MANIFEST_FORMAT);
	ret = get_uint(m, root, "format_version", 1, 1000, &n);
	if (ret)
		return ret;
	if (n != MANIFEST_VERSION)
		return field_error(m, "format_version", "version %llu is not supported (this wpvmm reads version %d)",
				   (unsigned long long)n, MANIFEST_VERSION);

	ret = get_string(m, root, "name", "name", true, NAME_MAX_LEN, &s);
	if (ret)
		return ret;
	if (!plain_id(s))
		return field_error(m, "name", "\"%s\" is not a plain name (letters, digits, . - _)", s);
	cfg->name = strdup(s);

	if (!json_object_object_get_ex(root, "guest_os", &os))
		return field_error(m, "guest_os", "missing (an object with \"name\" and \"version\")");
	if (!json_object_is_type(os, json_type_object))
		return field_error(m, "guest_os", "must be an object, not %s", wp_json_type_name(os));
	ret = get_string(m, os, "name", "guest_os.name", true, TEXT_MAX_LEN, &s);
	if (ret)
		return ret;
	cfg->os_name = strdup(s);
	ret = get_string(m, os, "version", "guest_os.version", true, NAME_MAX_LEN, &s);
	if (ret)
		return ret;
	cfg->os_version = strdup(s);

	if ((ret = get_file(m, root, "kernel", true, &cfg->kernel)) ||
	    (ret = get_file(m, root, "initrd", false, &cfg->initrd)) ||
	    (ret = get_file(m, root, "disk", true, &cfg->disk)))
		return ret;

	ret = get_string(m, root, "cmdline", "cmdline", true, CMDLINE_MAX_LEN, &s);
	if (ret)
		return ret;
	cfg->cmdline = strdup(s);

	ret = get_uint(m, root, "memory_mib", MEM_MIN_MIB, MEM_MAX_MIB, &n);
	if (ret)
		return ret;
	cfg->mem_mib = n;
	ret = get_uint(m, root, "vcpus", 1, VMM_MAX_VCPUS, &n);
	if (ret)
		return ret;
	cfg->vcpus = (unsigned int)n;

	if (json_object_object_get_ex(root, "settings", &v)) {
		ret = check_settings(m, v);
		if (ret)
			return ret;
		cfg->settings = json_object_get(v);
	}
	if (json_object_object_get_ex(root, "apps", &v)) {
		ret = check_apps(m, v);
		if (ret)
			return ret;
		cfg->apps = json_object_get(v);
	}
	return 0;
}

int manifest_parse(const char *image_dir, const char *path, const char *text,
		   struct vmm_config *cfg)
{
	struct mctx m = { .dir = image_dir, .path = path };
	struct json_tokener *tok = json_tokener_new();
	json_object *root;
	int ret;

	if (!tok)
		return -ENOMEM;
	root = json_tokener_parse_ex(tok, text, (int)strlen(text));
	if (!root) {
		enum json_tokener_error err = json_tokener_get_error(tok);

		ret = vmm_input_error("manifest", "%s: not valid JSON: %s (at offset %zu)", path,
				      err == json_tokener_continue ? "unexpected end of file" :
				      json_tokener_error_desc(err),
				      json_tokener_get_parse_end(tok));
		json_tokener_free(tok);
		return ret;
	}
	if (text[json_tokener_get_parse_end(tok) + strspn(text + json_tokener_get_parse_end(tok), " \t\r\n")]) {
		json_tokener_free(tok);
		json_object_put(root);
		return vmm_input_error("manifest", "%s: text after the JSON object", path);
	}
	json_tokener_free(tok);
	ret = parse(&m, root, cfg);
	json_object_put(root);
	return ret;
}

int manifest_load(const char *image_dir, struct vmm_config *cfg)
{
	char *path = NULL, *text = NULL;
	struct stat st;
	ssize_t n;
	int fd, ret;

	if (asprintf(&path, "%s/%s", image_dir, MANIFEST_NAME) < 0)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		ret = vmm_input_error("manifest", "%s: %s", path, vmm_open_strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > MANIFEST_MAX_SIZE) {
		ret = vmm_input_error("manifest", "%s: not a regular file of at most %d bytes",
				      path, MANIFEST_MAX_SIZE);
		goto out;
	}
	text = calloc(1, (size_t)st.st_size + 1);
	if (!text) {
		ret = -ENOMEM;
		goto out;
	}
	n = read(fd, text, (size_t)st.st_size);
	if (n != st.st_size) {
		ret = vmm_input_error("manifest", "%s: short read", path);
		goto out;
	}
	if (memchr(text, '\0', (size_t)st.st_size)) {
		ret = vmm_input_error("manifest", "%s: contains a NUL byte: not JSON text", path);
		goto out;
	}
	ret = manifest_parse(image_dir, path, text, cfg);
out:
	if (fd >= 0)
		close(fd);
	free(text);
	free(path);
	return ret;
}
