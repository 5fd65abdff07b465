// SPDX-License-Identifier: GPL-2.0-only
/*
 * Content-addressed file repository; see repo.h.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include "repo.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "../util/log.h"

#define CHUNK (1 << 20)

struct wp_upload {
	struct wp_app *app;
	int fd;			/* the partial, locked; -1 once released */
	char path[700];		/* incoming/KEY.part */
	char meta[700];		/* incoming/KEY.json */
	EVP_MD_CTX *sha;
	uint64_t size;		/* bytes in the partial */
	uint64_t limit;		/* ranged: end + 1 of Content-Range */
	int64_t total;		/* the whole file's size, or -1 */
	bool resumable;		/* has an expected SHA-256: kept when cut off */
	bool hashing;		/* the body is hashed: it may complete the file */
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
	snprintf(path, sizeof(path), "%s/incoming", app->repo_dir);
	if (mkdir_p(path, err))
		return -1;
	wp_upload_expire(app);
	snprintf(path, sizeof(path), "%s/sha256", app->repo_dir);
	return mkdir_p(path, err);
}

/*
 * Unlock the partial, removing it and its description unless @keep: the
 * description first, under the lock, so that a partial is never left
 * described but incomplete, nor a description left for a new partial.
 */
static void release(struct wp_upload *up, bool keep)
{
	if (up->fd < 0)
		return;
	if (!keep) {
		unlink(up->meta);
		unlink(up->path);
	}
	close(up->fd);
	up->fd = -1;
}

/* A busy partial is tried again this often, this long apart. */
#define LOCK_RETRIES 5
#define LOCK_RETRY_NS (20 * 1000 * 1000)

/*
 * Open and lock the object's partial file, creating it.  A second upload
 * of the same object meanwhile is refused, not queued; a lock held only
 * briefly (GET .../upload probes it with LOCK_SH) is waited for, a few
 * times 20 ms.  The file may be renamed into the repository or removed
 * between open() and flock(): then the lock is on a file no longer at the
 * path, and the path is opened again.
 */
static int lock_partial(struct wp_upload *up, struct wp_err *err)
{
	const struct timespec pause = { 0, LOCK_RETRY_NS };
	int busy = 0;

	for (int moved = 0; moved < 8;) {
		struct stat a, b;
		int fd = open(up->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

		if (fd < 0)
			return WP_INTERNAL(err, "%s: %s", up->path, strerror(errno));
		if (flock(fd, LOCK_EX | LOCK_NB)) {
			int e = errno;

			close(fd);
			if (e != EWOULDBLOCK)
				return WP_INTERNAL(err, "lock %s: %s", up->path, strerror(e));
			if (busy++ == LOCK_RETRIES)
				break;
			nanosleep(&pause, NULL);
			continue;
		}
		if (!fstat(fd, &a) && !stat(up->path, &b) && a.st_dev == b.st_dev &&
		    a.st_ino == b.st_ino) {
			up->fd = fd;
			return 0;
		}
		close(fd);
		moved++;
	}
	return wp_fail(err, 409, "upload_in_progress", NULL,
		       "another upload of this object is in progress; try again when it has"
		       " ended (GET .../upload shows it)");
}

/* The partial's description: expected SHA-256 and size; -1 if none or bad. */
static int read_meta(const char *path, char sha256[WP_SHA256_HEX], int64_t *total)
{
	json_object *o = json_object_from_file(path), *v;
	const char *s;
	int ret = -1;

	if (!o)
		return -1;
	s = json_object_get_string(json_object_object_get(o, "sha256"));
	if (s && wp_sha256_hex_valid(s)) {
		snprintf(sha256, WP_SHA256_HEX, "%s", s);
		v = json_object_object_get(o, "size");
		*total = v && json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : -1;
		ret = 0;
	}
	json_object_put(o);
	return ret;
}

static int write_meta(struct wp_upload *up, const char *sha256, struct wp_err *err)
{
	json_object *o = json_object_new_object();
	char tmp[720];
	int ret;

	json_object_object_add(o, "sha256", json_object_new_string(sha256));
	json_object_object_add(o, "size", up->total >= 0 ? json_object_new_int64(up->total) : NULL);
	snprintf(tmp, sizeof(tmp), "%s.tmp", up->meta);
	ret = json_object_to_file_ext(tmp, o, JSON_C_TO_STRING_PLAIN);
	json_object_put(o);
	if (ret || rename(tmp, up->meta)) {
		unlink(tmp);
		return WP_INTERNAL(err, "writing %s: %s", up->meta, strerror(errno));
	}
	return 0;
}

/* Hash the @len bytes already in the partial, the prefix of a resumed upload. */
static int hash_prefix(struct wp_upload *up, uint64_t len, struct wp_err *err)
{
	char *buf = malloc(CHUNK);
	uint64_t done = 0;

	if (!buf)
		return WP_INTERNAL(err, "out of memory");
	while (done < len) {
		size_t want = len - done < CHUNK ? (size_t)(len - done) : CHUNK;
		ssize_t n = pread(up->fd, buf, want, (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || !EVP_DigestUpdate(up->sha, buf, (size_t)n)) {
			free(buf);
			return WP_INTERNAL(err, "reading %s: %s", up->path,
					   n < 0 ? strerror(errno) : "short file");
		}
		done += (uint64_t)n;
	}
	free(buf);
	return 0;
}

/*
 * A ranged upload: append to the partial if it is the same file and ends
 * here.  *@have tells whether the partial had a description (read under
 * the lock): a refused upload keeps such a partial, and removes any other.
 * Only the part that completes the file reads back and hashes the bytes
 * before it; an earlier part just appends.
 */
static int begin_ranged(struct wp_upload *up, struct wp_upload_spec *spec, bool *have,
			struct wp_err *err)
{
	char have_sha[WP_SHA256_HEX];
	int64_t have_total = -1;
	struct stat st;

	*have = !read_meta(up->meta, have_sha, &have_total);
	if (fstat(up->fd, &st))
		return WP_INTERNAL(err, "%s: %s", up->path, strerror(errno));
	/* No resumable partial: only a range from byte 0 starts one. */
	spec->received = *have ? (uint64_t)st.st_size : 0;
	if (*have && strcmp(have_sha, spec->sha256))
		return wp_fail(err, 409, "upload_conflict", "X-Content-SHA256",
			       "the interrupted upload of this object is of a file with SHA-256"
			       " %s, not %s: to upload another file, start over with a PUT"
			       " without Content-Range", have_sha, spec->sha256);
	if (*have && have_total >= 0 && (uint64_t)have_total != spec->total)
		return wp_fail(err, 416, "range_not_satisfiable", "Content-Range",
			       "Content-Range: the file is %" PRId64 " bytes in all, not %" PRIu64,
			       have_total, spec->total);
	if (spec->start != spec->received)
		return wp_fail(err, 409, "upload_offset_mismatch", "Content-Range",
			       "Content-Range starts at byte %" PRIu64 " but the server holds %"
			       PRIu64 " bytes of this upload: resume at byte %" PRIu64,
			       spec->start, spec->received, spec->received);
	if (!*have && ftruncate(up->fd, 0))
		return WP_INTERNAL(err, "%s: %s", up->path, strerror(errno));
	up->total = (int64_t)spec->total;
	if ((!*have || have_total < 0) && write_meta(up, spec->sha256, err))
		return -1;
	up->hashing = spec->end + 1 == spec->total;
	if (up->hashing && hash_prefix(up, spec->received, err))
		return -1;
	if (lseek(up->fd, (off_t)spec->received, SEEK_SET) < 0)
		return WP_INTERNAL(err, "%s: %s", up->path, strerror(errno));
	up->size = spec->received;
	up->limit = spec->end + 1;
	up->resumable = true;
	return 0;
}

int wp_upload_begin(struct wp_app *app, struct wp_upload_spec *spec,
		    struct wp_upload **out, struct wp_err *err)
{
	struct wp_upload *up = calloc(1, sizeof(*up));
	bool have;

	if (!up)
		return WP_INTERNAL(err, "out of memory");
	wp_upload_expire(app);
	up->app = app;
	up->fd = -1;
	up->total = -1;
	up->limit = UINT64_MAX;
	snprintf(up->path, sizeof(up->path), "%s/incoming/%s.part", app->repo_dir, spec->key);
	snprintf(up->meta, sizeof(up->meta), "%s/incoming/%s.json", app->repo_dir, spec->key);
	up->sha = EVP_MD_CTX_new();
	if (!up->sha || !EVP_DigestInit_ex(up->sha, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(up->sha);
		free(up);
		return WP_INTERNAL(err, "sha256 init failed");
	}
	if (lock_partial(up, err))
		goto fail;
	if (spec->ranged) {
		if (begin_ranged(up, spec, &have, err)) {
			/* Refused: a partial is kept as it was, a new one not left behind. */
			release(up, have);
			goto fail;
		}
	} else {
		/* A full upload starts over: the old description goes first. */
		up->total = spec->total_hint;
		up->resumable = spec->sha256 != NULL;
		up->hashing = true;
		if (unlink(up->meta) && errno != ENOENT) {
			WP_INTERNAL(err, "%s: %s", up->meta, strerror(errno));
			release(up, true);
			goto fail;
		}
		if (ftruncate(up->fd, 0)) {
			WP_INTERNAL(err, "%s: %s", up->path, strerror(errno));
			release(up, false);
			goto fail;
		}
		if (up->resumable && write_meta(up, spec->sha256, err)) {
			release(up, false);
			goto fail;
		}
	}
	*out = up;
	return 0;
fail:
	wp_upload_free(up);
	return -1;
}

int wp_upload_write(struct wp_upload *up, const void *data, size_t len,
		    struct wp_err *err)
{
	const char *p = data;

	if (up->fd < 0)
		return WP_INTERNAL(err, "the upload has ended");
	if (len > up->limit - up->size) {
		release(up, up->resumable);
		return wp_fail(err, 400, "invalid_field", "Content-Range",
			       "the body goes on past byte %" PRIu64 ", the end Content-Range"
			       " announced", up->limit - 1);
	}
	if (up->hashing && !EVP_DigestUpdate(up->sha, data, len))
		return WP_INTERNAL(err, "sha256 update failed");
	while (len) {
		ssize_t n = write(up->fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			release(up, up->resumable);
			return wp_fail(err, e == ENOSPC ? 507 : 500,
				       e == ENOSPC ? "insufficient_storage" : "internal",
				       NULL, "writing the upload: %s", strerror(e));
		}
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

int wp_upload_end(struct wp_upload *up, struct wp_err *err)
{
	if (up->fd < 0)
		return WP_INTERNAL(err, "the upload has ended");
	if (up->limit != UINT64_MAX && up->size < up->limit) {
		release(up, true);
		return wp_fail(err, 400, "invalid_field", "Content-Range",
			       "the body ended at byte %" PRIu64 " of the file, before the end"
			       " Content-Range announced (%" PRIu64 "); the bytes received are"
			       " kept",
			       up->size, up->limit - 1);
	}
	if (up->total >= 0 && up->size < (uint64_t)up->total) {
		release(up, true);
		return 1;
	}
	return 0;
}

int wp_upload_finish(struct wp_upload *up, const char *expected,
		     char sha256[WP_SHA256_HEX], uint64_t *size, struct wp_err *err)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len;
	char dir[700], path[800];
	int dfd;

	if (up->fd < 0)
		return WP_INTERNAL(err, "the upload has ended");
	if (!up->hashing)
		return WP_INTERNAL(err, "the upload does not complete the file");
	if (!EVP_DigestFinal_ex(up->sha, md, &md_len))
		return WP_INTERNAL(err, "sha256 final failed");
	wp_hex(md, md_len, sha256);
	if (expected && strcmp(expected, sha256)) {
		release(up, false);
		return wp_fail(err, 422, "checksum_mismatch", "X-Content-SHA256",
			       "upload: sha256 mismatch (expected %s, got %s); the upload is"
			       " discarded", expected, sha256);
	}
	if (fsync(up->fd))
		return WP_INTERNAL(err, "fsync %s: %s", up->path, strerror(errno));
	snprintf(dir, sizeof(dir), "%s/sha256/%.2s", up->app->repo_dir, sha256);
	if (mkdir_p(dir, err))
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, sha256);
	/*
	 * The description goes first (the partial is complete: nothing to
	 * resume any more), then the partial, under the lock.  Same content,
	 * same name: an existing file is already this one.
	 */
	if (unlink(up->meta) && errno != ENOENT)
		return WP_INTERNAL(err, "%s: %s", up->meta, strerror(errno));
	if (rename(up->path, path)) {
		WP_INTERNAL(err, "rename to %s: %s", path, strerror(errno));
		release(up, false);
		return -1;
	}
	up->done = true;
	close(up->fd);
	up->fd = -1;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	*size = up->size;
	return 0;
}

void wp_upload_discard(struct wp_upload *up)
{
	if (up)
		release(up, false);
}

void wp_upload_free(struct wp_upload *up)
{
	if (!up)
		return;
	if (!up->done)
		release(up, up->resumable);
	EVP_MD_CTX_free(up->sha);
	free(up);
}

int wp_upload_status(struct wp_app *app, const char *key, json_object **out,
		     struct wp_err *err)
{
	char path[700], meta[700], sha256[WP_SHA256_HEX];
	int64_t total = -1;
	struct stat st;
	bool busy;
	int fd;

	snprintf(path, sizeof(path), "%s/incoming/%s.part", app->repo_dir, key);
	snprintf(meta, sizeof(meta), "%s/incoming/%s.json", app->repo_dir, key);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read_meta(meta, sha256, &total) || fstat(fd, &st)) {
		if (fd >= 0)
			close(fd);
		return wp_fail(err, 404, "not_found", NULL,
			       "no interrupted upload of this object to resume");
	}
	busy = flock(fd, LOCK_SH | LOCK_NB) != 0;
	close(fd);
	*out = json_object_new_object();
	json_object_object_add(*out, "received", json_object_new_int64((int64_t)st.st_size));
	json_object_object_add(*out, "sha256", json_object_new_string(sha256));
	json_object_object_add(*out, "size", total >= 0 ? json_object_new_int64(total) : NULL);
	json_object_object_add(*out, "updated_at",
			       json_object_new_int64((int64_t)st.st_mtim.tv_sec * 1000 +
						     st.st_mtim.tv_nsec / 1000000));
	json_object_object_add(*out, "in_progress", json_object_new_boolean(busy));
	return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/*
 * Remove the partial at @path, described by @meta, if it is older than
 * @limit and not locked.  The age is checked again once the lock is
 * held, on that same file: meanwhile an upload may have appended to it
 * (a newer mtime), or finished or discarded it and another begun a new
 * partial at the path (another inode).
 */
static bool expire_partial(const char *path, const char *meta, time_t limit)
{
	struct stat held, now;
	bool stale;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		close(fd);
		return false;
	}
	stale = !fstat(fd, &held) && !stat(path, &now) && held.st_dev == now.st_dev &&
		held.st_ino == now.st_ino && held.st_mtime <= limit;
	if (stale) {
		unlink(meta);
		unlink(path);
	}
	close(fd);
	return stale;
}

void wp_upload_expire(struct wp_app *app)
{
	char dir[700], path[1000], base[1000];
	time_t limit = time(NULL) - app->cfg->partial_upload_ttl_s;
	struct dirent *e;
	struct stat st;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/incoming", app->repo_dir);
	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d))) {
		size_t len;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) || st.st_mtime > limit)
			continue;
		len = strlen(path);
		if (ends_with(path, ".part")) {
			/* Not one being written to. */
			snprintf(base, sizeof(base), "%.*s.json", (int)(len - 5), path);
			if (!expire_partial(path, base, limit))
				continue;
			wp_log(WP_LOG_INFO, "removed a stale partial upload", "file", e->d_name,
			       NULL);
		} else if (ends_with(path, ".json") || ends_with(path, ".json.tmp")) {
			/* A description left without its partial. */
			snprintf(base, sizeof(base), "%.*s.part",
				 (int)(len - (ends_with(path, ".tmp") ? 9 : 5)), path);
			if (access(base, F_OK))
				unlink(path);
		}
	}
	closedir(d);
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
