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
#include "provision.h"

int wpp_fetch_blob(struct wp_http *h, json_object *entry, const char *dest,
		   bool quiet, char *err, size_t err_len)
{
	json_object *v;
	const char *url = NULL, *sha = NULL;
	char part[PATH_MAX + 8], got[65];

	if (json_object_object_get_ex(entry, "url", &v))
		url = json_object_get_string(v);
	if (json_object_object_get_ex(entry, "sha256", &v))
		sha = json_object_get_string(v);
	if (!url || url[0] != '/' || !sha || strlen(sha) != 64) {
		snprintf(err, err_len, "manifest entry: needs \"url\" and \"sha256\"");
		return WPP_TAMPERED;
	}
	/* Already there and intact: nothing to do (reruns are cheap). */
	if (!wp_sha256_file(dest, got) && !strcmp(got, sha))
		return WPP_OK;
	snprintf(part, sizeof(part), "%s.part", dest);
	if (wp_http_download(h, url, part, quiet ? NULL : wpp_progress, NULL, err, err_len)) {
		if (!quiet)
			wpp_progress_done();
		return WPP_FAILED;
	}
	if (!quiet)
		wpp_progress_done();
	if (wp_sha256_file(part, got) || strcmp(got, sha)) {
		snprintf(err, err_len, "%s: sha256 mismatch (expected %s, got %s); removed",
			 url, sha, got);
		unlink(part);
		return WPP_TAMPERED;
	}
	if (rename(part, dest)) {
		snprintf(err, err_len, "%s: %s", dest, strerror(errno));
		return WPP_FAILED;
	}
	return WPP_OK;
}
