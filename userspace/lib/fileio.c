// SPDX-License-Identifier: GPL-2.0-only
/*
 * Small file and encoding helpers of the device tools.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "fileio.h"

int wp_write_file_atomic(const char *path, const void *data, size_t len,
			 mode_t mode)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	const uint8_t *p = data;
	int fd, dfd, ret = 0;
	ssize_t n;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, getpid()) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	while (len) {
		n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		p += n;
		len -= (size_t)n;
	}
	if (!ret && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret) {
		unlink(tmp);
		return ret;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

int wp_read_file(const char *path, size_t max, uint8_t **data, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	size_t got = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		close(fd);
		return -errno;
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

int wp_sha256_file(const char *path, char hex[65])
{
	unsigned char buf[65536], md[32];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx;
	ssize_t n;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ctx = EVP_MD_CTX_new();
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		ret = -ENOMEM;
		goto out;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		EVP_DigestUpdate(ctx, buf, (size_t)n);
	if (n < 0)
		ret = -errno;
	else
		EVP_DigestFinal_ex(ctx, md, &mdlen);
	for (unsigned int i = 0; !ret && i < mdlen; i++)
		sprintf(hex + 2 * i, "%02x", md[i]);
out:
	EVP_MD_CTX_free(ctx);
	close(fd);
	return ret;
}

static int wp_remove_one(const char *path, const struct stat *st, int type,
			 struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return (type == FTW_DP ? rmdir(path) : unlink(path)) ? -1 : 0;
}

int wp_remove_tree(const char *path)
{
	if (access(path, F_OK))
		return errno == ENOENT ? 0 : -errno;
	return nftw(path, wp_remove_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) ? -errno : 0;
}
