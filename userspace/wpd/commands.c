// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpd: queued commands.  Signed documents (lock, unlock, wipe, repin) go
 * to the enabler, which enforces them; JSON commands (apps, image,
 * policy) are verified against the pinned server certificate and executed
 * here.  Every command ends in a result reported at the next check-in.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checkin.h"
#include "enabler.h"
#include "fileio.h"
#include "http.h"
#include "image.h"
#include "wpd.h"
#include "wpdoc.h"
#include "wpmanifest.h"

/*
 * The work phone's own files; the personal side is never touched.  The
 * VM goes first: wpvmm must not write a disk that is being removed.
 */
int wpd_wipe_local(struct wpd *d)
{
	char err[512];
	int ret;

	if (wpd_vmm_stop(d, err, sizeof(err)))
		wpd_log(d, "wipe: %s; removing the image directory all the same", err);
	ret = wp_remove_tree(d->cfg.image_dir);

	wpd_log(d, "wipe: removed %s%s%s", d->cfg.image_dir, ret ? ": " : "",
		ret ? strerror(-ret) : "");
	return ret;
}

static const char *str_field(json_object *o, const char *name)
{
	json_object *v;

	if (!json_object_object_get_ex(o, name, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static int wpd_run_doc(struct wpd *d, json_object *cmd, const char *type,
		       char *err, size_t err_len)
{
	uint8_t *doc, *sig, *cert;
	size_t sig_len, cert_len;
	int ret;

	if (wp_checkin_decode_doc(cmd, &doc, &sig, &sig_len, &cert, &cert_len, err, err_len))
		return -1;
	struct wp_enabler_doc ed = {
		.doc = (const struct workphone_doc *)doc,
		.sig = sig, .sig_len = sig_len,
		.cert = cert, .cert_len = cert_len,
	};

	ret = wp_enabler_submit(d->enabler, &ed);
	if (ret)
		snprintf(err, err_len, "enabler: %s", wp_enabler_explain(ret));
	else if (!strcmp(type, "wipe"))
		ret = wpd_wipe_local(d);
	else if (!strcmp(type, "unlock"))
		/* The enabler took the signed unlock: lift a password lock-out too. */
		ret = wpd_vmm_admin_unlock(d, err, err_len);
	else if (!strcmp(type, "repin") &&
		 wpd_persist_lease(d, doc, sig, sig_len, cert, cert_len))
		wpd_log(d, "repin: cannot persist the new certificate");
	free(doc);
	free(sig);
	free(cert);
	return ret ? -1 : 0;
}

static int safe_name(const char *s)
{
	if (!s || !*s || strlen(s) > 128 || s[0] == '.')
		return 0;
	for (; *s; s++)
		if (!(*s == '-' || *s == '_' || *s == '.' ||
		      (*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= 'A' && *s <= 'Z')))
			return 0;
	return 1;
}

/*
 * Download params.url into dir_fd (dir: its path, for messages) as
 * name.part, verify params.sha256 on one descriptor of it and rename it
 * to name (wp_image_take_download).  The descriptor of the verified file
 * goes to *fd_out unless fd_out is NULL.  The download goes through
 * /proc/self/fd: into the directory held open, whatever its path now
 * leads to.
 */
static int wpd_fetch_verified(struct wpd *d, json_object *params, int dir_fd, const char *dir,
			      const char *name, int *fd_out, char *err, size_t err_len)
{
	const char *url = str_field(params, "url"), *sha = str_field(params, "sha256");
	char part[NAME_MAX + 8], via[PATH_MAX];

	if (!url || url[0] != '/' || !sha || strlen(sha) != 64) {
		snprintf(err, err_len, "params: need \"url\" (a server path) and \"sha256\"");
		return -1;
	}
	snprintf(part, sizeof(part), "%s.part", name);
	snprintf(via, sizeof(via), "/proc/self/fd/%d/%s", dir_fd, part);
	if (wp_http_download(d->http, url, via, NULL, NULL, err, err_len))
		return -1;
	if (wp_image_take_download(dir_fd, dir, part, name, sha, fd_out, err, err_len)) {
		size_t n = strlen(err);

		snprintf(err + n, err_len - n, " (%s)", url);
		return -1;
	}
	return 0;
}

/*
 * policy_change: the policy set changed on the server.  Its new content
 * comes with the signed manifest (verified with the pinned certificate,
 * for this device): policy.json in the state directory, the password
 * rules in IMAGE_DIR/password-policy.json, then wpvmm reloads them.
 */
static int wpd_policy_change(struct wpd *d, char *err, size_t err_len)
{
	struct wp_http_response resp;
	json_object *manifest = NULL, *policy, *v;
	uint8_t *cert = NULL;
	size_t cert_len;
	char path[PATH_MAX];
	const char *text;
	int ret = -1;

	if (wp_http_json(d->http, "GET", "/api/v1/device/manifest", NULL, &resp, err, err_len))
		return -1;
	if (resp.status != 200 || !resp.json) {
		snprintf(err, err_len, "manifest: %s", wp_http_error_text(&resp));
		goto out;
	}
	if (wpd_load_server_cert(d, &cert, &cert_len)) {
		snprintf(err, err_len, "no pinned server certificate to verify the manifest with");
		goto out;
	}
	if (wp_manifest_verify(resp.json, cert, cert_len, d->cfg.device_id_text, &manifest,
			       NULL, NULL, err, err_len))
		goto out;
	if (!json_object_object_get_ex(manifest, "policy", &policy) ||
	    !json_object_is_type(policy, json_type_object)) {
		snprintf(err, err_len, "manifest: \"policy\" is missing or not an object");
		goto out;
	}
	snprintf(path, sizeof(path), "%s/policy.json", d->cfg.state_dir);
	text = json_object_to_json_string_ext(policy, JSON_C_TO_STRING_PRETTY);
	ret = wp_write_file_atomic(path, text, strlen(text), 0600);
	if (ret) {
		snprintf(err, err_len, "%s: %s", path, strerror(-ret));
		ret = -1;
		goto out;
	}
	ret = wp_password_policy_write(d->cfg.image_dir, policy, err, err_len) ? -1 : 0;
	if (!ret) {
		wpd_log(d, "policy_change: policy set version %s written",
			json_object_object_get_ex(policy, "version", &v) ?
			json_object_get_string(v) : "?");
		ret = wpd_vmm_policy_reload(d, err, err_len);
	}
out:
	json_object_put(manifest);
	wp_http_response_free(&resp);
	free(cert);
	return ret;
}

/*
 * image_update: a new guest OS for the work phone, keeping its data.  The
 * blob (params.url, params.sha256) is downloaded to IMAGE_DIR/image.blob
 * (through image.blob.part, verified before it is used), unpacked next to
 * the current image and swapped in with the phone's disk and password
 * files carried over (wp_image_update).  A running wpvmm keeps the kernel
 * it booted and its open disk: the new image applies at the next start.
 * On any failure the current image is as it was.
 */
static int wpd_image_update(struct wpd *d, json_object *params, char *note, size_t note_len,
			    char *err, size_t err_len)
{
	const char *sha = params ? str_field(params, "sha256") : NULL;
	const char *dir = d->cfg.image_dir;
	struct wp_image_info info;
	int dir_fd, blob_fd, ret;

	if (!params || !sha || strlen(sha) != 64 || !str_field(params, "url")) {
		snprintf(err, err_len, "params: need \"url\" (a server path) and \"sha256\"");
		return -1;
	}
	dir_fd = wp_image_dir_open(dir, true, err, err_len);
	if (dir_fd < 0)
		return -1;
	if (wp_image_is_current_at(dir_fd, sha)) {
		snprintf(note, note_len, "image %.12s is already installed: nothing to do", sha);
		close(dir_fd);
		return 0;
	}
	ret = wpd_fetch_verified(d, params, dir_fd, dir, "image.blob", &blob_fd, err, err_len);
	if (!ret) {
		ret = wp_image_update_at(dir_fd, dir, blob_fd, "image.blob", sha,
					 WP_IMAGE_NEED_MANIFEST, &info, err, err_len);
		close(blob_fd);
	}
	close(dir_fd);
	if (ret)
		return -1;
	snprintf(note, note_len,
		 "image %s%s%s (%.12s) installed; %s%s%s; applies at the next start of the work phone",
		 info.name[0] ? info.name : "?", info.os_version[0] ? " " : "", info.os_version,
		 sha, info.disk_kept ? "the phone's disk kept as " : "no disk to keep: the image's ",
		 info.disk, info.disk_kept ? "" : " is used");
	return 0;
}

/*
 * IMAGE_DIR/apps, held open (a symbolic link is refused); with create,
 * IMAGE_DIR and apps/ are made if missing.  A descriptor, or -errno with
 * a message in err (-ENOENT: there is none).
 */
static int wpd_apps_open(struct wpd *d, bool create, char *err, size_t err_len)
{
	int dir_fd, fd;

	dir_fd = wp_image_dir_open(d->cfg.image_dir, create, err, err_len);
	if (dir_fd < 0)
		return dir_fd;
	fd = wp_image_subdir_open(dir_fd, d->cfg.image_dir, "apps", create, err, err_len);
	close(dir_fd);
	return fd;
}

static int wpd_run_json(struct wpd *d, json_object *cmd, const char *type,
			const uint8_t nonce[32], char *note, size_t note_len,
			char *err, size_t err_len)
{
	const char *body_b64 = str_field(cmd, "body"), *sig_b64 = str_field(cmd, "body_sig");
	uint8_t *body = NULL, *sig = NULL, *cert = NULL, *body_nonce = NULL;
	size_t body_len, sig_len, cert_len, nonce_len;
	json_object *j = NULL, *params;
	const char *app_id;
	char path[PATH_MAX];
	struct wpdoc_error derr;
	int ret = -1;

	if (!body_b64 || !sig_b64 || wp_base64_decode(body_b64, &body, &body_len) ||
	    wp_base64_decode(sig_b64, &sig, &sig_len)) {
		snprintf(err, err_len, "\"body\"/\"body_sig\": missing or not base64");
		goto out;
	}
	if (wpd_load_server_cert(d, &cert, &cert_len) ||
	    wpdoc_verify(cert, cert_len, body, body_len, sig, sig_len, &derr)) {
		snprintf(err, err_len, "not signed by the pinned server key");
		goto out;
	}
	j = json_tokener_parse((const char *)body);
	if (!j || !str_field(j, "device_id") ||
	    strcasecmp(str_field(j, "device_id"), d->cfg.device_id_text) ||
	    !str_field(j, "nonce") ||
	    wp_base64_decode(str_field(j, "nonce"), &body_nonce, &nonce_len) ||
	    nonce_len != 32 || memcmp(body_nonce, nonce, 32)) {
		snprintf(err, err_len, "body: not for this device and check-in");
		goto out;
	}
	if (!json_object_object_get_ex(j, "params", &params))
		params = NULL;
	app_id = params ? str_field(params, "app_id") : NULL;

	if (!strcmp(type, "install_app") || !strcmp(type, "remove_app")) {
		bool install = !strcmp(type, "install_app");
		int apps;

		if (!safe_name(app_id)) {
			snprintf(err, err_len, "params.app_id: missing or not a plain name");
			goto out;
		}
		snprintf(path, sizeof(path), "%s/apps", d->cfg.image_dir);
		apps = wpd_apps_open(d, install, err, err_len);
		if (apps == -ENOENT && !install) {
			ret = 0;	/* no apps/: nothing to remove */
		} else if (apps < 0) {
			ret = -1;
		} else if (install) {
			ret = wpd_fetch_verified(d, params, apps, path, app_id, NULL, err, err_len);
			close(apps);
		} else {
			ret = unlinkat(apps, app_id, 0) && errno != ENOENT ? -1 : 0;
			if (ret)
				snprintf(err, err_len, "%s/%s: %s", path, app_id, strerror(errno));
			close(apps);
		}
	} else if (!strcmp(type, "policy_change")) {
		ret = wpd_policy_change(d, err, err_len);
	} else if (!strcmp(type, "image_update")) {
		ret = wpd_image_update(d, params, note, note_len, err, err_len);
	} else {
		snprintf(err, err_len, "unknown command type '%s'", type);
	}
out:
	if (j)
		json_object_put(j);
	free(body);
	free(sig);
	free(cert);
	free(body_nonce);
	return ret;
}

void wpd_run_command(struct wpd *d, json_object *cmd, const uint8_t nonce[32])
{
	const char *id = str_field(cmd, "id"), *type = str_field(cmd, "type");
	char err[512] = "", note[512] = "";
	int ret;

	if (!id || !type) {
		wpd_log(d, "command without \"id\" or \"type\" ignored");
		return;
	}
	if (json_object_object_get_ex(cmd, "doc", NULL))
		ret = wpd_run_doc(d, cmd, type, err, sizeof(err));
	else
		ret = wpd_run_json(d, cmd, type, nonce, note, sizeof(note), err, sizeof(err));
	wpd_log(d, "command %s (%s): %s%s%s", id, type, ret ? err : "done",
		!ret && note[0] ? ": " : "", !ret ? note : "");
	wpd_result_add(d, id, !ret, ret ? err : NULL, !ret && note[0] ? note : NULL);
}
