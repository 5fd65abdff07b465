// SPDX-License-Identifier: GPL-2.0-only
/*
 * wp-provision SERVER-URL: enrol this device and install its work phone.
 *
 *  1. authenticate to the enabler (this program is vendor-signed);
 *  2. enrol with the user's identity (password, asked without echo, or a
 *     one-time enrolment token) - or, on a rerun, reuse the enrolment;
 *  3. verify the server-signed manifest (image template, policy set and
 *     apps of the user's group);
 *  4. download the image and apps, resumably, and verify each SHA-256
 *     before anything is used;
 *  5. pin the server certificate in the enabler with the first lease;
 *  6. hand the lease settings to wpd (state directory) and the password
 *     settings to the hypervisor (image directory);
 *  7. report the installation, so the server marks the device active.
 *
 * Rerunning is safe: every step checks what is already done.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "checkin.h"
#include "enabler.h"
#include "fileio.h"
#include "http.h"
#include "image.h"
#include "provision.h"
#include "state.h"
#include "vmmctl.h"
#include "wpdoc.h"
#include "wpmanifest.h"

struct wpp {
	struct wpp_opts o;
	int enabler;
	struct wp_http *http;
	char device_id[40];
	char device_token[256];
	uint8_t device_id_bin[16];
	uint8_t *cert;
	size_t cert_len;
	json_object *manifest;
	char err[1024];
};

static void step(struct wpp *p, const char *fmt, const char *arg)
{
	if (p->o.quiet || p->o.json)
		return;
	fprintf(stderr, "==> ");
	fprintf(stderr, fmt, arg ? arg : "");
	fputc('\n', stderr);
}

static int fail(struct wpp *p, int code, const char *what)
{
	fprintf(stderr, "wp-provision: %s: %s\n", what, p->err);
	return code;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: wp-provision [OPTIONS] SERVER-URL\n"
		"\n"
		"Enrol this device with the company's server and install its work phone.\n"
		"\n"
		"Identity (one of):\n"
		"  --user NAME            the user's name; the password is asked without echo\n"
		"  --password-file FILE   read the password from FILE instead (first line)\n"
		"  --token TOKEN          a one-time enrolment token from an administrator\n"
		"\n"
		"  --device-name NAME     how the device shows up on the server\n"
		"  --device-model MODEL\n"
		"  --state-dir DIR        wpd's state (default " WP_STATE_DIR_DEFAULT ")\n"
		"  --image-dir DIR        where the work phone lives, e.g. external storage\n"
		"                         (default STATE-DIR/image)\n"
		"  --ca-file PEM          trust this CA for the server instead of the system's\n"
		"  --vmm-socket PATH      where the work phone's wpvmm listens, for wpd\n"
		"                         (default " WP_VMM_SOCKET_DEFAULT ")\n"
		"  --json                 print the result as JSON\n"
		"  --quiet                no progress output\n"
		"  --help                 this text\n"
		"\n"
		"Exit codes: 0 ok, 1 failed (network, disk, server), 2 usage, 3 enabler\n"
		"missing or refused this program, 4 identity refused, 5 a signature or\n"
		"checksum did not verify.\n");
}

static int read_password(struct wpp *p, char *buf, size_t len)
{
	struct termios old, quiet;
	FILE *f;
	size_t n;

	if (p->o.password_file) {
		f = fopen(p->o.password_file, "r");
		if (!f || !fgets(buf, (int)len, f)) {
			snprintf(p->err, sizeof(p->err), "--password-file %s: %s",
				 p->o.password_file, f ? "empty" : strerror(errno));
			if (f)
				fclose(f);
			return -1;
		}
		fclose(f);
	} else {
		f = fopen("/dev/tty", "r+");
		if (!f) {
			snprintf(p->err, sizeof(p->err),
				 "no terminal to ask the password on: use --password-file");
			return -1;
		}
		fprintf(f, "Password for %s: ", p->o.user);
		fflush(f);
		tcgetattr(fileno(f), &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(fileno(f), TCSAFLUSH, &quiet);
		if (!fgets(buf, (int)len, f))
			buf[0] = '\0';
		tcsetattr(fileno(f), TCSAFLUSH, &old);
		fputc('\n', f);
		fclose(f);
	}
	n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return 0;
}

static const char *jstr(json_object *o, const char *name)
{
	json_object *v;

	return json_object_object_get_ex(o, name, &v) &&
	       json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* Enrol, or reuse the enrolment in config.json; fills id, token. */
static int enroll_or_reuse(struct wpp *p, json_object **answer)
{
	struct wp_http_response resp;
	json_object *cfg, *body, *dev;
	char path[PATH_MAX], password[256];
	int ret;

	snprintf(path, sizeof(path), "%s/config.json", p->o.state_dir);
	cfg = json_object_from_file(path);
	if (cfg && jstr(cfg, "server") && !strcmp(jstr(cfg, "server"), p->o.server) &&
	    jstr(cfg, "device_id") && jstr(cfg, "device_token")) {
		snprintf(p->device_id, sizeof(p->device_id), "%s", jstr(cfg, "device_id"));
		snprintf(p->device_token, sizeof(p->device_token), "%s", jstr(cfg, "device_token"));
		json_object_put(cfg);
		step(p, "Already enrolled as %s: fetching the manifest again", p->device_id);
		wp_http_set_token(p->http, p->device_token);
		if (wp_http_json(p->http, "GET", "/api/v1/device/manifest", NULL, &resp,
				 p->err, sizeof(p->err)))
			return WPP_FAILED;
	} else {
		if (cfg)
			json_object_put(cfg);
		if (!p->o.user && !p->o.token) {
			snprintf(p->err, sizeof(p->err), "give --user NAME or --token TOKEN");
			return WPP_USAGE;
		}
		body = json_object_new_object();
		if (p->o.token) {
			json_object_object_add(body, "enrollment_token",
					       json_object_new_string(p->o.token));
		} else {
			if (read_password(p, password, sizeof(password))) {
				json_object_put(body);
				return WPP_USAGE;
			}
			json_object_object_add(body, "username", json_object_new_string(p->o.user));
			json_object_object_add(body, "password", json_object_new_string(password));
			memset(password, 0, sizeof(password));
		}
		dev = json_object_new_object();
		if (p->o.device_name)
			json_object_object_add(dev, "name", json_object_new_string(p->o.device_name));
		if (p->o.device_model)
			json_object_object_add(dev, "model", json_object_new_string(p->o.device_model));
		json_object_object_add(body, "device", dev);
		step(p, "Enrolling with %s", p->o.server);
		ret = wp_http_json(p->http, "POST", "/api/v1/enroll", body, &resp,
				   p->err, sizeof(p->err));
		json_object_put(body);
		if (ret)
			return WPP_FAILED;
	}
	if ((resp.status != 200 && resp.status != 201) || !resp.json) {
		snprintf(p->err, sizeof(p->err), "%s", wp_http_error_text(&resp));
		ret = resp.status == 401 || resp.status == 403 ? WPP_DENIED : WPP_FAILED;
		wp_http_response_free(&resp);
		return ret;
	}
	*answer = json_object_get(resp.json);
	wp_http_response_free(&resp);
	if (!p->device_id[0]) {
		if (!jstr(*answer, "device_id") || !jstr(*answer, "device_token")) {
			snprintf(p->err, sizeof(p->err), "enrolment answer lacks device_id/device_token");
			return WPP_FAILED;
		}
		snprintf(p->device_id, sizeof(p->device_id), "%s", jstr(*answer, "device_id"));
		snprintf(p->device_token, sizeof(p->device_token), "%s",
			 jstr(*answer, "device_token"));
		wp_http_set_token(p->http, p->device_token);
	}
	if (wpdoc_uuid_parse(p->device_id, p->device_id_bin)) {
		snprintf(p->err, sizeof(p->err), "device_id '%s' is not a UUID", p->device_id);
		return WPP_FAILED;
	}
	return WPP_OK;
}

/* The manifest must be signed by the server certificate, which must be
 * the pinned one if a server was pinned before. */
static int verify_manifest(struct wpp *p, json_object *answer)
{
	uint8_t *pinned = NULL;
	size_t pinned_len = 0;
	int ret;

	if (wp_state_read(p->o.state_dir, "server.der", &pinned, &pinned_len))
		pinned = NULL;
	ret = wp_manifest_verify(answer, pinned, pinned_len, p->device_id, &p->manifest,
				 &p->cert, &p->cert_len, p->err, sizeof(p->err));
	free(pinned);
	return ret ? WPP_TAMPERED : WPP_OK;
}

static int write_json(const char *path, json_object *j, char *err, size_t err_len)
{
	const char *text = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY);
	int ret = wp_write_file_atomic(path, text, strlen(text), 0600);

	if (ret)
		snprintf(err, err_len, "%s: %s", path, strerror(-ret));
	return ret;
}

static int save_config(struct wpp *p)
{
	json_object *cfg = json_object_new_object();
	char path[PATH_MAX];
	int ret;

	json_object_object_add(cfg, "server", json_object_new_string(p->o.server));
	json_object_object_add(cfg, "device_id", json_object_new_string(p->device_id));
	json_object_object_add(cfg, "device_token", json_object_new_string(p->device_token));
	json_object_object_add(cfg, "image_dir", json_object_new_string(p->o.image_dir));
	if (p->o.ca_file)
		json_object_object_add(cfg, "ca_file", json_object_new_string(p->o.ca_file));
	snprintf(path, sizeof(path), "%s/config.json", p->o.state_dir);
	if (p->o.vmm_socket) {
		json_object_object_add(cfg, "vmm_socket", json_object_new_string(p->o.vmm_socket));
	} else {
		/* A rerun without --vmm-socket keeps the one given before. */
		json_object *old = json_object_from_file(path), *v;

		if (old && json_object_object_get_ex(old, "vmm_socket", &v) &&
		    json_object_is_type(v, json_type_string))
			json_object_object_add(cfg, "vmm_socket", json_object_get(v));
		json_object_put(old);
	}
	ret = write_json(path, cfg, p->err, sizeof(p->err));
	json_object_put(cfg);
	return ret;
}

/*
 * The image blob (a tar of the image directory, or a bare disk image) is
 * unpacked into image.new/ and swapped in as image/ (wp_image_update_at),
 * and image.unpacked records the SHA-256 of the blob it came from: a rerun
 * with the same image leaves image/ alone, and another image keeps the
 * disk and password files of the one there, since the disk is the phone
 * (and may be in use by wpvmm).  Everything happens in IMAGE_DIR held
 * open (dir_fd), and tar reads the blob descriptor that was verified.
 */
static int unpack_image(struct wpp *p, int dir_fd, int blob_fd, const char *sha)
{
	struct wp_image_info info;

	if (wp_image_update_at(dir_fd, p->o.image_dir, blob_fd, "image.blob", sha, 0, &info,
			       p->err, sizeof(p->err)))
		return -1;
	if (info.unchanged)
		step(p, "The image is already unpacked in %s/image", p->o.image_dir);
	else if (info.disk_kept)
		step(p, "The image is unpacked in %s/image, keeping the phone's disk",
		     p->o.image_dir);
	return 0;
}

static int install_apps(struct wpp *p, int dir_fd, json_object *apps)
{
	char dir[PATH_MAX];
	int apps_fd, ret = WPP_OK;

	snprintf(dir, sizeof(dir), "%s/apps", p->o.image_dir);
	apps_fd = wp_image_subdir_open(dir_fd, p->o.image_dir, "apps", true, p->err,
				       sizeof(p->err));
	if (apps_fd < 0)
		return WPP_FAILED;
	for (size_t i = 0; !ret && i < json_object_array_length(apps); i++) {
		json_object *app = json_object_array_get_idx(apps, i);
		const char *id = jstr(app, "id");

		if (!id || !id[0] || strchr(id, '/') || id[0] == '.' ||
		    strlen(id) > NAME_MAX - 5) {
			snprintf(p->err, sizeof(p->err), "manifest: app without a plain id");
			ret = WPP_TAMPERED;
			break;
		}
		step(p, "Installing app %s", jstr(app, "name") ? jstr(app, "name") : id);
		ret = wpp_fetch_blob(p->http, app, apps_fd, dir, id, p->o.quiet || p->o.json,
				     NULL, p->err, sizeof(p->err));
	}
	close(apps_fd);
	return ret;
}

static int install(struct wpp *p)
{
	json_object *image, *apps, *policy;
	char path[PATH_MAX];
	int ret, dir_fd, blob_fd = -1;

	if (!json_object_object_get_ex(p->manifest, "image", &image)) {
		snprintf(p->err, sizeof(p->err), "manifest: no image");
		return WPP_TAMPERED;
	}
	dir_fd = wp_image_dir_open(p->o.image_dir, true, p->err, sizeof(p->err));
	if (dir_fd < 0) {
		char tmp[sizeof(p->err)];

		snprintf(tmp, sizeof(tmp), "%s", p->err);
		snprintf(p->err, sizeof(p->err), "--image-dir %s", tmp);
		return WPP_FAILED;
	}
	step(p, "Downloading the work-phone image (%s)", jstr(image, "name"));
	ret = wpp_fetch_blob(p->http, image, dir_fd, p->o.image_dir, "image.blob",
			     p->o.quiet || p->o.json, &blob_fd, p->err, sizeof(p->err));
	if (!ret) {
		if (unpack_image(p, dir_fd, blob_fd, jstr(image, "sha256")))
			ret = WPP_FAILED;
		close(blob_fd);
	}
	if (!ret && json_object_object_get_ex(p->manifest, "apps", &apps) &&
	    json_object_array_length(apps))
		ret = install_apps(p, dir_fd, apps);
	close(dir_fd);
	if (ret)
		return ret;

	/* Lease settings for wpd, password settings for the hypervisor. */
	if (json_object_object_get_ex(p->manifest, "policy", &policy)) {
		snprintf(path, sizeof(path), "%s/policy.json", p->o.state_dir);
		if (write_json(path, policy, p->err, sizeof(p->err)))
			return WPP_FAILED;
		if (wp_password_policy_write(p->o.image_dir, policy, p->err, sizeof(p->err)))
			return WPP_FAILED;
	}
	return WPP_OK;
}

/* Pin the server and apply the first lease, unless already done. */
static int pin_and_lease(struct wpp *p)
{
	struct workphone_status st;
	struct wp_checkin_answer a;
	uint8_t nonce[32];
	int ret;

	ret = wp_enabler_status(p->enabler, &st);
	if (!ret && st.state != WORKPHONE_STATE_UNPROVISIONED &&
	    st.state != WORKPHONE_STATE_WIPED) {
		step(p, "The enabler is already provisioned (%s)", wp_state_name(st.state));
		return WPP_OK;
	}
	step(p, "Pinning the server in the enabler with the first lease%s", NULL);
	ret = ret ? ret : wp_enabler_nonce(p->enabler, nonce);
	if (ret) {
		snprintf(p->err, sizeof(p->err), "%s", wp_enabler_explain(ret));
		return WPP_NO_ENABLER;
	}
	if (wp_checkin_request(p->http, nonce, NULL, NULL, &a, p->err, sizeof(p->err)))
		return WPP_FAILED;
	if (a.wiped) {
		wp_checkin_answer_free(&a);
		snprintf(p->err, sizeof(p->err),
			 "the server has this device as wiped: enrol it again");
		return WPP_FAILED;
	}
	struct wp_enabler_doc ed = {
		.doc = (const struct workphone_doc *)a.doc,
		.sig = a.sig, .sig_len = a.sig_len,
		.cert = p->cert, .cert_len = p->cert_len,
		.device_id = p->device_id_bin,
	};

	ret = wp_enabler_provision(p->enabler, &ed);
	if (!ret)
		ret = wp_state_save_lease(p->o.state_dir, p->device_id_bin, a.doc, a.sig,
					  a.sig_len, p->cert, p->cert_len);
	wp_checkin_answer_free(&a);
	if (ret) {
		snprintf(p->err, sizeof(p->err), "%s", wp_enabler_explain(ret));
		return ret == -EKEYREJECTED || ret == -EBADMSG || ret == -EXDEV ?
		       WPP_TAMPERED : WPP_FAILED;
	}
	return WPP_OK;
}

static int report_installed(struct wpp *p)
{
	struct wp_http_response resp;
	json_object *body = json_object_new_object(), *image;
	int ret;

	json_object_object_get_ex(p->manifest, "image", &image);
	json_object_object_add(body, "image_sha256",
			       json_object_new_string(jstr(image, "sha256")));
	step(p, "Reporting the installation%s", NULL);
	ret = wp_http_json(p->http, "POST", "/api/v1/device/installed", body, &resp,
			   p->err, sizeof(p->err));
	json_object_put(body);
	if (ret)
		return WPP_FAILED;
	if (resp.status != 200) {
		snprintf(p->err, sizeof(p->err), "%s", wp_http_error_text(&resp));
		ret = WPP_FAILED;
	}
	wp_http_response_free(&resp);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "user", required_argument, NULL, 'u' },
		{ "password-file", required_argument, NULL, 'p' },
		{ "token", required_argument, NULL, 't' },
		{ "device-name", required_argument, NULL, 'n' },
		{ "device-model", required_argument, NULL, 'm' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "image-dir", required_argument, NULL, 'i' },
		{ "ca-file", required_argument, NULL, 'c' },
		{ "vmm-socket", required_argument, NULL, 'V' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct wpp p = { .enabler = -1 };
	struct workphone_status st;
	char image_dir[PATH_MAX];
	json_object *answer = NULL;
	int c, ret;

	p.o.state_dir = WP_STATE_DIR_DEFAULT;
	while ((c = getopt_long(argc, argv, "u:p:t:n:m:s:i:c:V:jqh", longopts, NULL)) != -1) {
		switch (c) {
		case 'u': p.o.user = optarg; break;
		case 'p': p.o.password_file = optarg; break;
		case 't': p.o.token = optarg; break;
		case 'n': p.o.device_name = optarg; break;
		case 'm': p.o.device_model = optarg; break;
		case 's': p.o.state_dir = optarg; break;
		case 'i': p.o.image_dir = optarg; break;
		case 'c': p.o.ca_file = optarg; break;
		case 'V': p.o.vmm_socket = optarg; break;
		case 'j': p.o.json = true; break;
		case 'q': p.o.quiet = true; break;
		case 'h': usage(stdout); return WPP_OK;
		default: usage(stderr); return WPP_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "wp-provision: %s\n\n", optind < argc ?
			"exactly one SERVER-URL expected" : "SERVER-URL is missing");
		usage(stderr);
		return WPP_USAGE;
	}
	p.o.server = argv[optind];
	if (p.o.vmm_socket && strlen(p.o.vmm_socket) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		fprintf(stderr, "wp-provision: --vmm-socket: %s is longer than a socket path may be (%zu bytes)\n",
			p.o.vmm_socket, sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
		return WPP_USAGE;
	}
	if (p.o.user && p.o.token) {
		fprintf(stderr, "wp-provision: --user and --token exclude each other\n");
		return WPP_USAGE;
	}
	if (p.o.state_dir[0] != '/' || (p.o.image_dir && p.o.image_dir[0] != '/') ||
	    (p.o.vmm_socket && p.o.vmm_socket[0] != '/')) {
		fprintf(stderr, "wp-provision: --state-dir, --image-dir and --vmm-socket must be absolute\n");
		return WPP_USAGE;
	}
	if (!p.o.image_dir) {
		snprintf(image_dir, sizeof(image_dir), "%s/image", p.o.state_dir);
		p.o.image_dir = image_dir;
	}
	p.http = wp_http_new(p.o.server, p.o.ca_file, p.err, sizeof(p.err));
	if (!p.http)
		return fail(&p, WPP_USAGE, "server");

	step(&p, "Authenticating to the enabler%s", NULL);
	p.enabler = wp_enabler_open();
	ret = p.enabler < 0 ? p.enabler : wp_enabler_bind(p.enabler);
	if (ret) {
		snprintf(p.err, sizeof(p.err), "%s", wp_enabler_explain(ret));
		return fail(&p, WPP_NO_ENABLER, "enabler");
	}
	if (mkdir(p.o.state_dir, 0700) && errno != EEXIST) {
		snprintf(p.err, sizeof(p.err), "%s", strerror(errno));
		return fail(&p, WPP_FAILED, p.o.state_dir);
	}
	ret = enroll_or_reuse(&p, &answer);
	if (ret)
		return fail(&p, ret, "enrolment");
	ret = verify_manifest(&p, answer);
	json_object_put(answer);
	if (ret)
		return fail(&p, ret, "verification");
	/* From here a rerun resumes with the same device. */
	if (save_config(&p))
		return fail(&p, WPP_FAILED, "state");
	ret = install(&p);
	if (ret)
		return fail(&p, ret, "installation");
	ret = pin_and_lease(&p);
	if (ret)
		return fail(&p, ret, "enabler");
	ret = report_installed(&p);
	if (ret)
		return fail(&p, ret, "report");

	wp_enabler_status(p.enabler, &st);
	if (p.o.json) {
		json_object *out = json_object_new_object();

		json_object_object_add(out, "device_id", json_object_new_string(p.device_id));
		json_object_object_add(out, "state", json_object_new_string(wp_state_name(st.state)));
		json_object_object_add(out, "image_dir", json_object_new_string(p.o.image_dir));
		printf("%s\n", json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN));
		json_object_put(out);
	} else if (!p.o.quiet) {
		printf("Provisioned: device %s, work phone %s, image in %s\n", p.device_id,
		       wp_state_name(st.state), p.o.image_dir);
		printf("Start the management daemon: wpd --state-dir %s\n", p.o.state_dir);
	}
	json_object_put(p.manifest);
	free(p.cert);
	wp_http_free(p.http);
	close(p.enabler);
	return WPP_OK;
}
