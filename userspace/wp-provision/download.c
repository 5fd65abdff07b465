// SPDX-License-Identifier: GPL-2.0-only
/*
 * wp-provision: resumable, verified downloads of manifest entries.  A file
 * is used only once its SHA-256 matches the signed manifest; until then it
 * is kept as NAME.part, and a rerun resumes it with a Range request.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "http.h"
#include "image.h"
#include "provision.h"

int wpp_fetch_blob(struct wp_http *h, json_object *entry, int dir_fd, const char *dir,
		   const char *name, bool quiet, int *fd_out, char *err, size_t err_len)
{
	json_object *v;
	const char *url = NULL, *sha = NULL;
	char part[NAME_MAX + 8], via[PATH_MAX];
	int ret;

	if (json_object_object_get_ex(entry, "url", &v))
		url = json_object_get_string(v);
	if (json_object_object_get_ex(entry, "sha256", &v))
		sha = json_object_get_string(v);
	if (!url || url[0] != '/' || !sha || strlen(sha) != 64) {
		snprintf(err, err_len, "manifest entry: needs \"url\" and \"sha256\"");
		return WPP_TAMPERED;
	}
	/*
	 * Already there and intact: nothing to do (reruns are cheap).  The
	 * caller gets the descriptor that was hashed, never the name again.
	 */
	if (!wp_image_open_verified(dir_fd, dir, name, sha, fd_out, err, err_len))
		return WPP_OK;
	err[0] = '\0';
	snprintf(part, sizeof(part), "%s.part", name);
	/* Into the directory held open, whatever its path leads to now. */
	snprintf(via, sizeof(via), "/proc/self/fd/%d/%s", dir_fd, part);
	if (wp_http_download(h, url, via, quiet ? NULL : wpp_progress, NULL, err, err_len)) {
		if (!quiet)
			wpp_progress_done();
		return WPP_FAILED;
	}
	if (!quiet)
		wpp_progress_done();
	ret = wp_image_take_download(dir_fd, dir, part, name, sha, fd_out, err, err_len);
	if (ret == -EBADMSG) {
		size_t n = strlen(err);

		snprintf(err + n, err_len - n, " (%s); removed", url);
		return WPP_TAMPERED;
	}
	return ret ? WPP_FAILED : WPP_OK;
}
