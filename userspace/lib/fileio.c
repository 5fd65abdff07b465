// SPDX-License-Identifier: GPL-2.0-only
/*
 * Small file and encoding helpers of the device tools.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "fileio.h"

/*
 * Split path into its directory (opened into *dfd) and its last component
 * (copied to base).  Trailing slashes are ignored; "", "/", "." and ".." as
 * last component are -EINVAL.  0 or -errno.
 */
static int wp_open_parent(const char *path, int *dfd, char *base, size_t base_len)
{
	char dir[PATH_MAX];
	size_t n = strlen(path);
	const char *slash, *name;

	while (n > 1 && path[n - 1] == '/')
		n--;
	if (!n || n >= sizeof(dir))
		return n ? -ENAMETOOLONG : -EINVAL;
	memcpy(dir, path, n);
	dir[n] = '\0';
	slash = strrchr(dir, '/');
	name = slash ? slash + 1 : dir;
	if (!*name || !strcmp(name, ".") || !strcmp(name, ".."))
		return -EINVAL;
	if (strlen(name) >= base_len)
		return -ENAMETOOLONG;
	strcpy(base, name);
	if (!slash)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		dir[slash - dir] = '\0';
	*dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return *dfd < 0 ? -errno : 0;
}

int wp_write_all(int fd, const void *data, size_t len)
{
	const uint8_t *p = data;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Create a new temporary file next to base in dfd: a random name that did
 * not exist (O_EXCL, so a planted symbolic link or file is never opened).
 * Returns the fd with the name in tmp, or -errno.
 */
static int wp_create_temp(int dfd, const char *base, char *tmp, size_t tmp_len)
{
	uint64_t rnd;
	int fd;

	for (int tries = 0; tries < 16; tries++) {
		errno = EIO;
		if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
			return -errno;
		if (snprintf(tmp, tmp_len, "%s.tmp.%016llx", base,
			     (unsigned long long)rnd) >= (int)tmp_len)
			return -ENAMETOOLONG;
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
			    O_NOCTTY | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST)
			return fd >= 0 ? fd : -errno;
	}
	return -EEXIST;
}

int wp_write_file_atomic(const char *path, const void *data, size_t len,
			 mode_t mode)
{
	char base[NAME_MAX + 1], tmp[NAME_MAX + 1];
	int fd, dfd, ret;

	ret = wp_open_parent(path, &dfd, base, sizeof(base));
	if (ret)
		return ret;
	fd = wp_create_temp(dfd, base, tmp, sizeof(tmp));
	if (fd < 0) {
		close(dfd);
		return fd;
	}
	ret = wp_write_all(fd, data, len);
	/* Exactly mode, whatever the umask. */
	if (!ret && fchmod(fd, mode))
		ret = -errno;
	if (!ret && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	/* rename() replaces a symbolic link or FIFO at path, never follows it. */
	if (!ret && renameat(dfd, tmp, dfd, base))
		ret = -errno;
	if (ret)
		unlinkat(dfd, tmp, 0);
	else
		fsync(dfd);
	close(dfd);
	return ret;
}

int wp_open_regular(int dirfd, const char *path, int flags)
{
	struct stat st;
	int fd, fl;

	if (flags & (O_CREAT | O_TMPFILE | O_DIRECTORY | O_PATH))
		return -EINVAL;
	/* Refuse before opening: opening a device can have side effects. */
	if (fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW))
		return -errno;
	if (S_ISLNK(st.st_mode))
		return -ELOOP;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	fd = openat(dirfd, path, flags | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* What was opened, in case the name was swapped since. */
	if (fstat(fd, &st)) {
		fl = -errno;
		close(fd);
		return fl;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || (!(flags & O_NONBLOCK) && fcntl(fd, F_SETFL, fl & ~O_NONBLOCK))) {
		fl = -errno;
		close(fd);
		return fl;
	}
	return fd;
}

int wp_open_resumable(const char *path, off_t *size)
{
	const int create = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC;
	struct stat st;
	int fd, ret;

	*size = 0;
	/* Never open what is not a plain file (a device, a FIFO, a link). */
	if (!lstat(path, &st) && S_ISREG(st.st_mode)) {
		fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK |
			  O_NOCTTY | O_CLOEXEC);
		if (fd >= 0) {
			if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_nlink == 1 &&
			    st.st_uid == geteuid()) {
				ret = fcntl(fd, F_GETFL);
				if (ret >= 0 && !fcntl(fd, F_SETFL, ret & ~O_NONBLOCK)) {
					*size = st.st_size;
					return fd;
				}
			}
			close(fd);
		}
	}
	/*
	 * Missing, or not ours to append to: start again with a new file.
	 * unlink() removes a symbolic link itself, not its target.
	 */
	if (unlink(path) && errno != ENOENT)
		return -errno;
	fd = open(path, create, 0600);
	return fd < 0 ? -errno : fd;
}

/* Read all of the regular file behind @fd (closed here), at most @max bytes. */
static int read_fd(int fd, size_t max, uint8_t **data, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	size_t got = 0;
	ssize_t n;
	int ret;

	if (fd < 0)
		return fd;
	if (fstat(fd, &st)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	if ((size_t)st.st_size > max) {
		close(fd);
		return -EFBIG;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size &&
	       (n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	buf[got] = '\0';
	*data = buf;
	*len = got;
	return 0;
}

int wp_read_file(const char *path, size_t max, uint8_t **data, size_t *len)
{
	return read_fd(wp_open_regular(AT_FDCWD, path, O_RDONLY), max, data, len);
}

int wp_read_file_follow(const char *path, size_t max, uint8_t **data, size_t *len)
{
	struct stat st;
	int fd;

	/* As wp_read_file(), but a symbolic link is followed. */
	if (stat(path, &st))
		return -errno;
	if (!S_ISREG(st.st_mode))
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)) {
		close(fd);
		return -EINVAL;
	}
	return read_fd(fd, max, data, len);
}

char *wp_base64_encode(const void *data, size_t len)
{
	char *out = malloc(4 * ((len + 2) / 3) + 1);

	if (out)
		EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	return out;
}

int wp_base64_decode(const char *text, uint8_t **out, size_t *len)
{
	size_t tlen = strlen(text), pad = 0;
	uint8_t *buf;
	int n;

	if (!tlen || tlen % 4)
		return -EINVAL;
	if (text[tlen - 1] == '=')
		pad++;
	if (text[tlen - 2] == '=')
		pad++;
	buf = malloc(tlen / 4 * 3 + 1);
	if (!buf)
		return -ENOMEM;
	n = EVP_DecodeBlock(buf, (const unsigned char *)text, (int)tlen);
	if (n < 0 || (size_t)n < pad) {
		free(buf);
		return -EINVAL;
	}
	*out = buf;
	*len = (size_t)n - pad;
	return 0;
}

int wp_sha256_fd(int fd, char hex[65])
{
	unsigned char buf[65536], md[32];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx;
	struct stat st;
	off_t off = 0;
	ssize_t n;
	int ret = 0;

	/* A device (/dev/zero) would never end, a FIFO has no start. */
	if (fstat(fd, &st))
		return -errno;
	if (!S_ISREG(st.st_mode))
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	ctx = EVP_MD_CTX_new();
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(ctx);
		return -ENOMEM;
	}
	for (;;) {
		n = pread(fd, buf, sizeof(buf), off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (!EVP_DigestUpdate(ctx, buf, (size_t)n)) {
			n = -1;
			errno = ENOMEM;
			break;
		}
		off += n;
	}
	if (n < 0)
		ret = -errno;
	else if (!EVP_DigestFinal_ex(ctx, md, &mdlen) || mdlen != sizeof(md))
		ret = -ENOMEM;
	for (unsigned int i = 0; !ret && i < mdlen; i++)
		sprintf(hex + 2 * i, "%02x", md[i]);
	EVP_MD_CTX_free(ctx);
	return ret;
}

int wp_sha256_file(const char *path, char hex[65])
{
	int fd, ret;

	fd = wp_open_regular(AT_FDCWD, path, O_RDONLY);
	if (fd < 0)
		return fd;
	ret = wp_sha256_fd(fd, hex);
	close(fd);
	return ret;
}

/*
 * Empty the directory dfd (on device dev), depth levels below the top.
 * Every name is resolved relative to an fd of its own directory, with
 * O_NOFOLLOW: a component swapped for a symbolic link during the walk is
 * removed as a link, never followed.  Keeps going after an error; returns
 * the first one.
 */
static int wp_empty_dir(int dfd, dev_t dev, int depth)
{
	struct dirent *de;
	struct stat st;
	int ret = 0, err, fd, sub;
	DIR *d;

	if (depth > WP_REMOVE_TREE_MAX_DEPTH)
		return -ELOOP;
	fd = dup(dfd);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		err = -errno;
		close(fd);
		return err;
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno && !ret)
				ret = -errno;
			break;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW)) {
			if (errno != ENOENT && !ret)
				ret = -errno;
			continue;
		}
		err = 0;
		if (S_ISDIR(st.st_mode)) {
			sub = openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
				     O_NONBLOCK | O_CLOEXEC);
			if (sub < 0 && (errno == ELOOP || errno == ENOTDIR)) {
				/* Swapped for a link or a file since: remove the name. */
				if (unlinkat(dfd, de->d_name, 0) && errno != ENOENT)
					err = -errno;
				goto next;
			} else if (sub < 0) {
				err = errno == ENOENT ? 0 : -errno;
			} else {
				/* Checked on what was opened: a mount is not ours. */
				if (fstat(sub, &st))
					err = -errno;
				else if (st.st_dev != dev)
					err = -EXDEV;
				else
					err = wp_empty_dir(sub, dev, depth + 1);
				close(sub);
			}
			if (!err && unlinkat(dfd, de->d_name, AT_REMOVEDIR) && errno != ENOENT)
				err = -errno;
		} else if (unlinkat(dfd, de->d_name, 0) && errno != ENOENT) {
			err = -errno;
		}
next:
		if (err && !ret)
			ret = err;
	}
	closedir(d);
	return ret;
}

int wp_remove_tree(const char *path)
{
	char base[NAME_MAX + 1];
	struct stat st;
	int pfd, fd, ret;

	ret = wp_open_parent(path, &pfd, base, sizeof(base));
	if (ret)
		return ret == -ENOENT ? 0 : ret;
	fd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		if (ret == -ENOENT) {
			ret = 0;
		} else if (ret == -ELOOP || ret == -ENOTDIR) {
			/* A symbolic link or a file: remove the name only. */
			ret = unlinkat(pfd, base, 0) && errno != ENOENT ? -errno : 0;
		}
		close(pfd);
		return ret;
	}
	if (fstat(fd, &st))
		ret = -errno;
	else
		ret = wp_empty_dir(fd, st.st_dev, 1);
	close(fd);
	if (!ret && unlinkat(pfd, base, AT_REMOVEDIR) && errno != ENOENT)
		ret = -errno;
	close(pfd);
	return ret;
}
