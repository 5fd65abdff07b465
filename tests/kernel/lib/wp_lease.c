// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test-side server: builds and signs lease and command documents.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "wp_lease.h"
#include "wp_test.h"
#include "wpdoc.h"

const uint8_t wp_test_device_id[16] = {
	0x57, 0x50, 0x50, 0x44, 0x74, 0x65, 0x73, 0x74,
	0x2d, 0x64, 0x65, 0x76, 0x69, 0x63, 0x65, 0x01,
};

uint64_t wp_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

void wp_doc_defaults(struct wpdoc *f)
{
	memset(f, 0, sizeof(*f));
	f->kind = WORKPHONE_DOC_LEASE;
	memcpy(f->device_id, wp_test_device_id, 16);
	f->server_time_ns = wp_realtime_ns();
	f->valid_for_s = 300;
	f->lease_interval_s = 60;
	f->auto_disable_s = 86400;
	f->auto_wipe_s = 7 * 86400;
	f->policy_version = 1;
}

void wp_doc_encode(const struct wpdoc *f, struct workphone_doc *doc)
{
	memset(doc, 0, sizeof(*doc));
	doc->magic = htole32(WORKPHONE_DOC_MAGIC);
	doc->version = htole16(WORKPHONE_DOC_VERSION);
	doc->kind = htole16(f->kind);
	doc->size = htole32(sizeof(*doc));
	memcpy(doc->device_id, f->device_id, 16);
	memcpy(doc->nonce, f->nonce, 32);
	doc->server_time_ns = htole64(f->server_time_ns);
	doc->valid_for_s = htole32(f->valid_for_s);
	doc->lease_interval_s = htole32(f->lease_interval_s);
	doc->auto_disable_s = htole32(f->auto_disable_s);
	doc->auto_wipe_s = htole32(f->auto_wipe_s);
	doc->policy_version = htole32(f->policy_version);
	memcpy(doc->command_id, f->command_id, 16);
}

static const char *key_path(const char *name, const char *ext)
{
	static char path[PATH_MAX];
	const char *dir = getenv("WP_CERTS");

	snprintf(path, sizeof(path), "%s/%s.%s", dir ? dir : "build/certs",
		 name, ext);
	return path;
}

unsigned char *wp_cert_der(const char *key_name, size_t *len)
{
	FILE *f = fopen(key_path(key_name, "der"), "rb");
	unsigned char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n);
	if (buf && fread(buf, 1, n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = n;
	return buf;
}

/*
 * The document is encoded here, field by field and unchecked, so tests can
 * build malformed ones; the signature is userspace/lib/wpdoc's, the same
 * the server makes.
 */
int wp_doc_sign(const struct wpdoc *f, const char *key_name,
		const char *attach_cert_name, struct wp_signed *out)
{
	struct wpdoc_signer *signer = NULL;
	char key[PATH_MAX], cert[PATH_MAX];
	int ret = -1;

	memset(out, 0, sizeof(*out));
	wp_doc_encode(f, &out->doc);
	if (attach_cert_name) {
		out->cert = wp_cert_der(attach_cert_name, &out->cert_len);
		if (!out->cert)
			return -1;
	}
	out->content_len = sizeof(out->doc) + out->cert_len;
	out->content = malloc(out->content_len);
	if (!out->content)
		return -1;
	memcpy(out->content, &out->doc, sizeof(out->doc));
	if (out->cert_len)
		memcpy(out->content + sizeof(out->doc), out->cert, out->cert_len);

	snprintf(key, sizeof(key), "%s", key_path(key_name, "key"));
	snprintf(cert, sizeof(cert), "%s", key_path(key_name, "pem"));
	if (!wpdoc_signer_load(key, cert, &signer, NULL) &&
	    !wpdoc_sign(signer, out->content, out->content_len, &out->sig,
			&out->sig_len, NULL))
		ret = 0;
	wpdoc_signer_free(signer);
	return ret;
}

void wp_signed_free(struct wp_signed *s)
{
	free(s->content);
	free(s->sig);
	free(s->cert);
	memset(s, 0, sizeof(*s));
}

void wp_doc_arg(struct workphone_doc_arg *arg, const struct wp_signed *s,
		const unsigned char *cert, size_t cert_len,
		const uint8_t *device_id)
{
	memset(arg, 0, sizeof(*arg));
	arg->size = sizeof(*arg);
	arg->doc_ptr = (uintptr_t)&s->doc;
	arg->sig_ptr = (uintptr_t)s->sig;
	arg->sig_len = s->sig_len;
	arg->cert_ptr = (uintptr_t)cert;
	arg->cert_len = cert_len;
	if (device_id)
		memcpy(arg->device_id, device_id, 16);
}

int wp_get_nonce(int fd, struct wpdoc *f)
{
	struct workphone_nonce n = { .size = sizeof(n) };
	int ret = wp_ioctl(fd, WORKPHONE_IOC_GET_NONCE, &n);

	if (!ret)
		memcpy(f->nonce, n.nonce, 32);
	return ret;
}

int wp_provision(int fd, struct wpdoc *f, const char *sign_name)
{
	struct workphone_doc_arg arg;
	struct wp_signed s;
	unsigned char *cert;
	size_t cert_len;
	int ret;

	ret = wp_get_nonce(fd, f);
	if (ret)
		return ret;
	cert = wp_cert_der("server", &cert_len);
	if (!cert || wp_doc_sign(f, sign_name, NULL, &s)) {
		free(cert);
		return -EIO;
	}
	wp_doc_arg(&arg, &s, cert, cert_len, f->device_id);
	ret = wp_ioctl(fd, WORKPHONE_IOC_PROVISION, &arg);
	wp_signed_free(&s);
	free(cert);
	return ret;
}

int wp_submit(int fd, struct wpdoc *f, const char *sign_name)
{
	struct workphone_doc_arg arg;
	struct wp_signed s;
	int ret;

	ret = wp_get_nonce(fd, f);
	if (ret)
		return ret;
	if (wp_doc_sign(f, sign_name, NULL, &s))
		return -EIO;
	wp_doc_arg(&arg, &s, NULL, 0, NULL);
	ret = wp_ioctl(fd, WORKPHONE_IOC_SUBMIT_DOC, &arg);
	wp_signed_free(&s);
	return ret;
}

int wp_reload_module(void)
{
	const char *module = getenv("WP_MODULE");
	int fd, ret, i;

	if (!module)
		return -ENOENT;
	if (syscall(SYS_delete_module, "workphone", O_NONBLOCK))
		return -errno;
	fd = open(module, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	/* Wait for devtmpfs to show the new node. */
	for (i = 0; !ret && i < 100 && access(WP_DEV, F_OK); i++)
		usleep(10000);
	return ret;
}

int wp_ensure_active(void)
{
	struct workphone_status st;
	struct wpdoc f;
	int fd = wp_open_bound(), ret;

	if (fd < 0)
		return fd;
	ret = wp_status(fd, &st);
	if (ret)
		goto out;
	wp_doc_defaults(&f);
	if (st.state == WORKPHONE_STATE_UNPROVISIONED ||
	    st.state == WORKPHONE_STATE_WIPED) {
		ret = wp_provision(fd, &f, "server");
		goto out;
	}
	f.policy_version = st.policy_version;
	ret = wp_submit(fd, &f, "server");
	if (!ret && (st.lock_reasons & WORKPHONE_LOCK_ADMIN)) {
		wp_doc_defaults(&f);
		f.kind = WORKPHONE_DOC_UNLOCK;
		f.command_id[0] = (uint8_t)rand() | 1;
		f.command_id[1] = (uint8_t)getpid();
		ret = wp_submit(fd, &f, "server");
	}
out:
	close(fd);
	return ret;
}
