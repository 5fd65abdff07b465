// SPDX-License-Identifier: GPL-2.0-only
/*
 * Content-addressed file repository; see repo.h.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include "repo.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

struct wp_upload {
	struct wp_app *app;
	int fd;
	char tmp_path[700];
	EVP_MD_CTX *sha;
	uint64_t size;
	bool done;
};

static int mkdir_p(const char *path, struct wp_err *err)
{
	if (mkdir(path, 0750) && errno != EEXIST)
		return WP_INTERNAL(err, "%s: %s", path, strerror(errno));
	return 0;
}

int wp_repo_init(struct wp_app *app, struct wp_err *err)
{
	char path[700];

	snprintf(app->repo_dir, sizeof(app->repo_dir), "%s/repo", app->cfg->data_dir);
	if (mkdir_p(app->repo_dir, err))
		return -1;
	snprintf(path, sizeof(path), "%s/tmp", app->repo_dir);
	if (mkdir_p(path, err))
		return -1;
	snprintf(path, sizeof(path), "%s/sha256", app->repo_dir);
	return mkdir_p(path, err);
}

int wp_upload_begin(struct wp_app *app, struct wp_upload **out, struct wp_err *err)
{
	struct wp_upload *up = calloc(1, sizeof(*up));

	if (!up)
		return WP_INTERNAL(err, "out of memory");
	up->app = app;
	snprintf(up->tmp_path, sizeof(up->tmp_path), "%s/tmp/upload-XXXXXX", app->repo_dir);
	up->fd = mkostemp(up->tmp_path, O_CLOEXEC);
	up->sha = EVP_MD_CTX_new();
	if (up->fd < 0 || !up->sha || !EVP_DigestInit_ex(up->sha, EVP_sha256(), NULL)) {
		WP_INTERNAL(err, "%s: %s", up->tmp_path, strerror(errno));
		up->tmp_path[0] = up->fd < 0 ? '\0' : up->tmp_path[0];
		wp_upload_free(up);
		return -1;
	}
	*out = up;
	return 0;
}

int wp_upload_write(struct wp_upload *up, const void *data, size_t len,
		    struct wp_err *err)
{
	const char *p = data;

	if (!EVP_DigestUpdate(up->sha, data, len))
		return WP_INTERNAL(err, "sha256 update failed");
	while (len) {
		ssize_t n = write(up->fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return wp_fail(err, errno == ENOSPC ? 507 : 500,
				       errno == ENOSPC ? "insufficient_storage" : "internal",
				       NULL, "writing the upload: %s", strerror(errno));
		p += n;
		len -= (size_t)n;
		up->size += (uint64_t)n;
	}
	return 0;
}

uint64_t wp_upload_size(const struct wp_upload *up)
{
	return up->size;
}

int wp_upload_finish(struct wp_upload *up, const char *expected,
		     char sha256[WP_SHA256_HEX], uint64_t *size, struct wp_err *err)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len;
	char dir[700], path[800];
	int dfd;

	if (!EVP_DigestFinal_ex(up->sha, md, &md_len))
		return WP_INTERNAL(err, "sha256 final failed");
	wp_hex(md, md_len, sha256);
	if (expected && strcmp(expected, sha256))
		return wp_fail(err, 422, "checksum_mismatch", "X-Content-SHA256",
			       "upload: sha256 mismatch (expected %s, got %s)", expected, sha256);
	if (fsync(up->fd))
		return WP_INTERNAL(err, "fsync %s: %s", up->tmp_path, strerror(errno));
	snprintf(dir, sizeof(dir), "%s/sha256/%.2s", up->app->repo_dir, sha256);
	if (mkdir_p(dir, err))
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, sha256);
	/* Same content, same name: an existing file is already this one. */
	if (rename(up->tmp_path, path))
		return WP_INTERNAL(err, "rename to %s: %s", path, strerror(errno));
	up->done = true;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	*size = up->size;
	return 0;
}

void wp_upload_free(struct wp_upload *up)
{
	if (!up)
		return;
	if (up->fd >= 0)
		close(up->fd);
	if (!up->done && up->tmp_path[0])
		unlink(up->tmp_path);
	EVP_MD_CTX_free(up->sha);
	free(up);
}

int wp_repo_open(struct wp_app *app, const char *sha256, int *fd, uint64_t *size,
		 struct wp_err *err)
{
	char path[800];
	struct stat st;

	if (!wp_sha256_hex_valid(sha256))
		return wp_fail(err, 404, "not_found", NULL, "no such file");
	snprintf(path, sizeof(path), "%s/sha256/%.2s/%s", app->repo_dir, sha256, sha256);
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return wp_fail(err, 404, "not_found", NULL, "file %s is not in the repository",
			       sha256);
	if (fstat(*fd, &st)) {
		close(*fd);
		return WP_INTERNAL(err, "%s: %s", path, strerror(errno));
	}
	*size = (uint64_t)st.st_size;
	return 0;
}
