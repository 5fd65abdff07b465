// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpvmm: the work phone's password, enforced by the hypervisor.
 *
 * While the password lock is engaged the VM is paused with the reason
 * "password lock" through the ordinary pause machinery (vm.c): every vCPU
 * is parked outside KVM_RUN, and "resume", "pause" and "console" are
 * refused until a correct "unlock" (or "passwd").  At startup the lock is
 * engaged before the vCPU threads exist, so a locked work phone never runs
 * a single guest instruction.
 *
 * Wrong tries are counted in the state file before the hash is even
 * computed, so stopping wpvmm in the middle of a check does not save a
 * try.  Passwords are hashed with scrypt (EVP_KDF, OpenSSL 3), compared in
 * constant time, never logged or echoed, and wiped from every buffer this
 * program owns once used.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "control.h"
#include "evloop.h"
#include "fileio.h"
#include "password.h"
#include "util.h"
#include "vm.h"

#define POLICY_MAX_BYTES	(64 * 1024)
#define STATE_MAX_BYTES		(64 * 1024)
#define STATE_FORMAT		"workphone-password-state"
#define STATE_VERSION		1
#define SALT_BYTES		16
#define KEY_BYTES		32
/*
 * scrypt N = 2^15, r = 8, p = 3: 32 MiB and about 0.5 s on a laptop core,
 * one of the OWASP-equivalent settings.  The parameters are stored with
 * each hash, so they can be raised later without breaking old state.
 */
#define SCRYPT_N		(1ULL << 15)
#define SCRYPT_R		8
#define SCRYPT_P		3
#define SCRYPT_MAXMEM		(256ULL << 20)
#define MAX_FAILED_TRIES	1000000
#define PAUSE_TIMEOUT_NS	(5 * NSEC_PER_SEC)
#define YEARS10_S		(3650ULL * 86400)

struct pw_hash {
	uint64_t n;
	uint32_t r, p;
	uint8_t salt[SALT_BYTES];
	uint8_t key[KEY_BYTES];
};

struct pw_state {
	bool set;		/* a password exists: hash and set_at are valid */
	struct pw_hash hash;
	int64_t set_at;		/* wall clock, seconds since the epoch */
	unsigned int failed_tries;
	bool locked_out;
};

struct password {
	struct vm *vm;
	struct pw_policy policy;	/* a copy: "policy-reload" replaces it */
	char *path;
	struct pw_state st;
	bool locked;
	char cause[32];		/* why the lock engaged */
	uint64_t locked_ns;
	/* The VM was already paused for another reason: keep it on unlock. */
	bool kept_pause;
	char kept_reason[64];
	struct ev_timer *idle;
	/* CLOCK_BOOTTIME, so that time asleep counts; 0: not armed. */
	uint64_t idle_deadline_ns;
};

static const char *const strength_names[] = {
	[PW_STRENGTH_PIN] = "pin",
	[PW_STRENGTH_ALPHANUMERIC] = "alphanumeric",
	[PW_STRENGTH_COMPLEX] = "complex",
};

/* --- the policy file ------------------------------------------------------ */

#define POLICY_ERR_LEN		512

/* The file the VM's policy came from (--password-policy), for reloads. */
static char policy_path[PATH_MAX];

static int policy_error(char *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Format a policy error into err (POLICY_ERR_LEN bytes); returns -EINVAL. */
static int policy_error(char *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, POLICY_ERR_LEN, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* An integer key: absent leaves *out alone; wrong type or range is an error. */
static int policy_int(json_object *o, const char *path, const char *key,
		      int64_t min, int64_t max, bool *present, int64_t *out, char *err)
{
	json_object *v;

	*present = json_object_object_get_ex(o, key, &v);
	if (!*present)
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return policy_error(err, "%s: \"%s\" must be an integer", path, key);
	*out = json_object_get_int64(v);
	if (*out < min || *out > max)
		return policy_error(err, "%s: \"%s\" must be from %lld to %lld",
				    path, key, (long long)min, (long long)max);
	return 0;
}

static int policy_parse(json_object *o, const char *path, struct pw_policy *p, char *err)
{
	static const char *const known[] = {
		"password_required", "password_strength", "password_min_length",
		"password_expiration_days", "password_expiration_seconds",
		"auto_lock_minutes", "auto_lock_seconds", "max_retries",
	};
	bool days, secs, mins, lsecs, present;
	int64_t n, d = 0, s = 0;
	json_object *v;
	int ret;

	if (!json_object_is_type(o, json_type_object))
		return policy_error(err, "%s: not a JSON object", path);
	json_object_object_foreach(o, key, val) {
		bool found = false;

		(void)val;
		for (size_t i = 0; i < ARRAY_SIZE(known) && !found; i++)
			found = !strcmp(key, known[i]);
		if (!found)
			vmm_warn("password-policy: %s: ignoring unknown key \"%s\"", path, key);
	}
	/* The server's defaults (Documentation/api.rst, policy sets). */
	*p = (struct pw_policy){
		.required = true, .strength = PW_STRENGTH_PIN, .min_length = 6,
		.auto_lock_s = 5 * 60, .max_retries = 10,
	};
	if (json_object_object_get_ex(o, "password_required", &v)) {
		if (!json_object_is_type(v, json_type_boolean))
			return policy_error(err, "%s: \"password_required\" must be true or false",
					    path);
		p->required = json_object_get_boolean(v);
	}
	if (json_object_object_get_ex(o, "password_strength", &v)) {
		const char *name = json_object_is_type(v, json_type_string) ?
				   json_object_get_string(v) : "";
		bool found = false;

		for (size_t i = 0; i < ARRAY_SIZE(strength_names) && !found; i++) {
			if (!strcmp(name, strength_names[i])) {
				p->strength = (enum pw_strength)i;
				found = true;
			}
		}
		if (!found)
			return policy_error(err, "%s: \"password_strength\" must be \"pin\", \"alphanumeric\" or \"complex\"",
					    path);
	}
	n = p->min_length;
	ret = policy_int(o, path, "password_min_length", 4, 64, &present, &n, err);
	if (ret)
		return ret;
	p->min_length = (unsigned int)n;
	ret = policy_int(o, path, "password_expiration_days", 0, 3650, &days, &d, err);
	if (!ret)
		ret = policy_int(o, path, "password_expiration_seconds", 0, (int64_t)YEARS10_S,
				 &secs, &s, err);
	if (ret)
		return ret;
	if (days && secs)
		return policy_error(err, "%s: \"password_expiration_seconds\": give it or \"password_expiration_days\", not both",
				    path);
	p->expiration_s = secs ? (uint64_t)s : (uint64_t)d * 86400;
	d = 5;
	ret = policy_int(o, path, "auto_lock_minutes", 0, 1440, &mins, &d, err);
	if (!ret)
		ret = policy_int(o, path, "auto_lock_seconds", 0, 86400, &lsecs, &s, err);
	if (ret)
		return ret;
	if (mins && lsecs)
		return policy_error(err, "%s: \"auto_lock_seconds\": give it or \"auto_lock_minutes\", not both",
				    path);
	p->auto_lock_s = lsecs ? (uint64_t)s : (uint64_t)d * 60;
	n = p->max_retries;
	ret = policy_int(o, path, "max_retries", 0, 100, &present, &n, err);
	if (ret)
		return ret;
	p->max_retries = (unsigned int)n;
	return 0;
}

/* Read and check a policy file; 0, or -EINVAL with the message in err. */
static int policy_read(const char *path, struct pw_policy *p, char *err)
{
	json_object *o;
	uint8_t *data;
	size_t len;
	int ret;

	ret = wp_read_file(path, POLICY_MAX_BYTES, &data, &len);
	if (ret == -EFBIG)
		return policy_error(err, "%s: larger than %d bytes", path, POLICY_MAX_BYTES);
	if (ret)
		return policy_error(err, "%s: %s", path, strerror(-ret));
	o = json_tokener_parse((const char *)data);
	free(data);
	if (!o)
		return policy_error(err, "%s: not valid JSON", path);
	ret = policy_parse(o, path, p, err);
	json_object_put(o);
	return ret;
}

int password_policy_load(const char *path, struct pw_policy *p)
{
	char err[POLICY_ERR_LEN];

	if (policy_read(path, p, err))
		return vmm_input_error("password-policy", "%s", err);
	/* What "policy-reload" reads again (one VM, one policy per wpvmm). */
	snprintf(policy_path, sizeof(policy_path), "%s", path);
	return 0;
}

json_object *password_policy_to_json(const struct pw_policy *p)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "required", json_object_new_boolean(p->required));
	json_object_object_add(o, "strength", json_object_new_string(strength_names[p->strength]));
	json_object_object_add(o, "min_length", json_object_new_int((int)p->min_length));
	json_object_object_add(o, "expiration_s", json_object_new_int64((int64_t)p->expiration_s));
	json_object_object_add(o, "auto_lock_s", json_object_new_int64((int64_t)p->auto_lock_s));
	json_object_object_add(o, "max_retries", json_object_new_int((int)p->max_retries));
	return o;
}

/* --- the rules for a new password ----------------------------------------- */

int password_check_rules(const struct pw_policy *p, const char *pw, size_t len,
			 char *msg, size_t msg_len)
{
	bool lower = false, upper = false, digit = false, symbol = false;
	size_t chars = 0;
	char missing[96] = "";

	if (len > PASSWORD_MAX_BYTES) {
		snprintf(msg, msg_len, "longer than %d bytes", PASSWORD_MAX_BYTES);
		return -EINVAL;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)pw[i];

		if (c < 0x20 || c == 0x7f) {
			snprintf(msg, msg_len, "control characters (newline, tab, ...) are not allowed");
			return -EINVAL;
		}
		if ((c & 0xc0) != 0x80)		/* count UTF-8 characters */
			chars++;
		if (c >= 'a' && c <= 'z')
			lower = true;
		else if (c >= 'A' && c <= 'Z')
			upper = true;
		else if (c >= '0' && c <= '9')
			digit = true;
		else
			symbol = true;
	}
	if (chars < p->min_length) {
		snprintf(msg, msg_len, "password_min_length: the policy requires at least %u characters",
			 p->min_length);
		return -EINVAL;
	}
	switch (p->strength) {
	case PW_STRENGTH_PIN:
		break;
	case PW_STRENGTH_ALPHANUMERIC:
		if (!(lower || upper) || !digit) {
			snprintf(msg, msg_len, "password_strength: the policy requires an alphanumeric password: at least one letter and one digit");
			return -EINVAL;
		}
		break;
	case PW_STRENGTH_COMPLEX:
		if (lower && upper && digit && symbol)
			break;
		snprintf(missing, sizeof(missing), "%s%s%s%s", !lower ? ", a lower-case letter" : "",
			 !upper ? ", an upper-case letter" : "", !digit ? ", a digit" : "",
			 !symbol ? ", a symbol" : "");
		snprintf(msg, msg_len, "password_strength: the policy requires a complex password with lower- and upper-case letters, digits and symbols (missing: %s)",
			 missing + 2);
		return -EINVAL;
	}
	return 0;
}

/* --- hashing -------------------------------------------------------------- */

static int scrypt_derive(const char *pw, size_t len, const struct pw_hash *h,
			 uint8_t key[KEY_BYTES])
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, OSSL_KDF_NAME_SCRYPT, NULL);
	EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	uint64_t n = h->n, maxmem = SCRYPT_MAXMEM;
	uint32_t r = h->r, p = h->p;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, (void *)pw, len),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)h->salt,
						  SALT_BYTES),
		OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
		OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
		OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
		OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem),
		OSSL_PARAM_construct_end(),
	};
	int ok = ctx && EVP_KDF_derive(ctx, key, KEY_BYTES, params) > 0;

	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return ok ? 0 : -EIO;
}

static bool scrypt_params_ok(uint64_t n, uint64_t r, uint64_t p)
{
	return n >= 1024 && n <= (1ULL << 20) && !(n & (n - 1)) && r >= 1 && r <= 32 &&
	       p >= 1 && p <= 16 && 128 * r * n <= SCRYPT_MAXMEM;
}

static int hash_new(const char *pw, size_t len, struct pw_hash *h)
{
	h->n = SCRYPT_N;
	h->r = SCRYPT_R;
	h->p = SCRYPT_P;
	if (RAND_bytes(h->salt, SALT_BYTES) != 1)
		return -EIO;
	return scrypt_derive(pw, len, h, h->key);
}

/* --- the state file ------------------------------------------------------- */

static int state_error(const char *path, const char *key, const char *why)
{
	return vmm_input_error("password-state", "%s: \"%s\" %s", path, key, why);
}

static int get_b64(json_object *h, const char *path, const char *key, uint8_t *out,
		   size_t want)
{
	json_object *v;
	uint8_t *buf = NULL;
	size_t len = 0;

	if (!json_object_object_get_ex(h, key, &v) || !json_object_is_type(v, json_type_string) ||
	    wp_base64_decode(json_object_get_string(v), &buf, &len) || len != want) {
		free(buf);
		return vmm_input_error("password-state", "%s: \"password.%s\" must be %zu bytes in base64",
				       path, key, want);
	}
	memcpy(out, buf, want);
	free(buf);
	return 0;
}

static int get_u64(json_object *o, const char *path, const char *key, uint64_t max,
		   uint64_t *out)
{
	json_object *v;
	int64_t n;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return state_error(path, key, "must be an integer");
	n = json_object_get_int64(v);
	if (n < 0 || (uint64_t)n > max)
		return state_error(path, key, "is out of range");
	*out = (uint64_t)n;
	return 0;
}

static int state_parse(json_object *o, const char *path, struct pw_state *s)
{
	uint64_t version, tries, n, r, p, set_at;
	json_object *v, *h;
	int ret;

	memset(s, 0, sizeof(*s));
	if (!json_object_is_type(o, json_type_object))
		return vmm_input_error("password-state", "%s: not a JSON object", path);
	if (!json_object_object_get_ex(o, "format", &v) || !json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), STATE_FORMAT))
		return state_error(path, "format", "must be \"" STATE_FORMAT "\"");
	ret = get_u64(o, path, "version", UINT32_MAX, &version);
	if (ret)
		return ret;
	if (version != STATE_VERSION)
		return state_error(path, "version", "is not 1 (written by a newer wpvmm?)");
	ret = get_u64(o, path, "failed_tries", MAX_FAILED_TRIES, &tries);
	if (ret)
		return ret;
	s->failed_tries = (unsigned int)tries;
	if (!json_object_object_get_ex(o, "locked_out", &v) ||
	    !json_object_is_type(v, json_type_boolean))
		return state_error(path, "locked_out", "must be true or false");
	s->locked_out = json_object_get_boolean(v);
	if (!json_object_object_get_ex(o, "password", &h))
		return state_error(path, "password", "is missing (null when no password is set)");
	if (!h)
		return 0;
	if (!json_object_is_type(h, json_type_object))
		return state_error(path, "password", "must be an object or null");
	if (!json_object_object_get_ex(h, "kdf", &v) || !json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), "scrypt"))
		return state_error(path, "password.kdf", "must be \"scrypt\"");
	if (get_u64(h, path, "n", 1ULL << 20, &n) || get_u64(h, path, "r", 32, &r) ||
	    get_u64(h, path, "p", 16, &p) || get_u64(h, path, "set_at", INT64_MAX, &set_at))
		return -EINVAL;
	if (!scrypt_params_ok(n, r, p))
		return state_error(path, "password.n", "with r and p: not scrypt parameters wpvmm accepts (N a power of two from 1024, at most 256 MiB)");
	s->hash.n = n;
	s->hash.r = (uint32_t)r;
	s->hash.p = (uint32_t)p;
	s->set_at = (int64_t)set_at;
	if (get_b64(h, path, "salt", s->hash.salt, SALT_BYTES) ||
	    get_b64(h, path, "hash", s->hash.key, KEY_BYTES))
		return -EINVAL;
	s->set = true;
	return 0;
}

/* A missing file is a state without a password. */
static int state_load(const char *path, struct pw_state *s)
{
	json_object *o;
	uint8_t *data;
	size_t len;
	int ret;

	memset(s, 0, sizeof(*s));
	ret = wp_read_file(path, STATE_MAX_BYTES, &data, &len);
	if (ret == -ENOENT)
		return 0;
	if (ret)
		return vmm_input_error("password-state", "%s: %s", path, strerror(-ret));
	o = json_tokener_parse((const char *)data);
	free(data);
	if (!o)
		return vmm_input_error("password-state", "%s: not valid JSON", path);
	ret = state_parse(o, path, s);
	json_object_put(o);
	return ret;
}

int password_state_check(const char *path)
{
	char dir[PATH_MAX];
	struct pw_state s;
	int ret;

	snprintf(dir, sizeof(dir), "%s", path);
	if (access(dirname(dir), W_OK))
		return vmm_input_error("password-state", "%s: the directory is not writable (%s)",
				       path, strerror(errno));
	ret = state_load(path, &s);
	OPENSSL_cleanse(&s, sizeof(s));
	return ret;
}

/* Atomically: temporary file, fsync, rename; mode 0600. */
static int state_save(const struct password *pw)
{
	const struct pw_state *s = &pw->st;
	json_object *o = json_object_new_object(), *h = NULL;
	char *salt = NULL, *key = NULL;
	const char *text;
	int ret = -ENOMEM;

	json_object_object_add(o, "format", json_object_new_string(STATE_FORMAT));
	json_object_object_add(o, "version", json_object_new_int(STATE_VERSION));
	if (s->set) {
		salt = wp_base64_encode(s->hash.salt, SALT_BYTES);
		key = wp_base64_encode(s->hash.key, KEY_BYTES);
		if (!salt || !key)
			goto out;
		h = json_object_new_object();
		json_object_object_add(h, "kdf", json_object_new_string("scrypt"));
		json_object_object_add(h, "n", json_object_new_int64((int64_t)s->hash.n));
		json_object_object_add(h, "r", json_object_new_int64(s->hash.r));
		json_object_object_add(h, "p", json_object_new_int64(s->hash.p));
		json_object_object_add(h, "salt", json_object_new_string(salt));
		json_object_object_add(h, "hash", json_object_new_string(key));
		json_object_object_add(h, "set_at", json_object_new_int64(s->set_at));
	}
	json_object_object_add(o, "password", h);
	json_object_object_add(o, "failed_tries", json_object_new_int64(s->failed_tries));
	json_object_object_add(o, "locked_out", json_object_new_boolean(s->locked_out));
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	ret = wp_write_file_atomic(pw->path, text, strlen(text), 0600);
	if (ret)
		vmm_err("password-state: cannot write %s: %s", pw->path, strerror(-ret));
out:
	free(salt);
	free(key);
	json_object_put(o);
	return ret;
}

/* --- the lock ------------------------------------------------------------- */

static bool enabled(const struct password *pw)
{
	return pw->policy.required || pw->st.set;
}

static bool expired(const struct password *pw)
{
	int64_t now = (int64_t)time(NULL);

	return pw->st.set && pw->policy.expiration_s && now >= pw->st.set_at &&
	       (uint64_t)(now - pw->st.set_at) >= pw->policy.expiration_s;
}

static void idle_fired(void *opaque, uint32_t events);

static uint64_t boottime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static void idle_disarm(struct password *pw)
{
	if (pw->idle)
		ev_timer_arm(pw->idle, 0, 0);
	pw->idle_deadline_ns = 0;
}

/* Restart the inactivity timer, if the policy has one and we are unlocked. */
static void idle_arm(struct password *pw)
{
	uint64_t delay = pw->policy.auto_lock_s * NSEC_PER_SEC;

	if (pw->locked || !enabled(pw) || !delay) {
		idle_disarm(pw);
		return;
	}
	if (!pw->idle)
		pw->idle = ev_timer_new(pw->vm->loop, idle_fired, pw);
	if (!pw->idle) {
		vmm_err("password: no timer for the inactivity lock");
		return;
	}
	/* The timer runs on CLOCK_MONOTONIC: password_check_idle() covers sleep. */
	ev_timer_arm(pw->idle, delay, 0);
	pw->idle_deadline_ns = boottime_ns() + delay;
}

/*
 * Pause the VM with the reason "password lock".  If it is already paused
 * for another reason, take the pause over and give it back on unlock.
 * Before the vCPU threads exist timeout_ns is 0: vm_pause() then only
 * marks the VM paused (and says -ETIMEDOUT), and the threads park at once.
 */
static void engage(struct password *pw, const char *cause, uint64_t timeout_ns)
{
	struct vm *vm = pw->vm;
	bool paused;
	int ret;

	if (pw->locked) {
		if (pw->st.locked_out)
			snprintf(pw->cause, sizeof(pw->cause), "%s", cause);
		return;
	}
	idle_disarm(pw);
	pthread_mutex_lock(&vm->lock);
	paused = vm->paused;
	if (paused) {
		snprintf(pw->kept_reason, sizeof(pw->kept_reason), "%s", vm->pause_reason);
		snprintf(vm->pause_reason, sizeof(vm->pause_reason), "%s", PASSWORD_PAUSE_REASON);
	}
	pthread_mutex_unlock(&vm->lock);
	pw->kept_pause = paused;
	if (!paused) {
		ret = vm_pause(vm, PASSWORD_PAUSE_REASON, timeout_ns, NULL);
		if (ret && ret != -ETIMEDOUT && ret != -ESHUTDOWN)
			vmm_err("password: cannot pause the VM: %s", strerror(-ret));
	}
	pw->locked = true;
	pw->locked_ns = vmm_now_ns();
	snprintf(pw->cause, sizeof(pw->cause), "%s", cause);
	vmm_info("password: the work phone is locked (%s)", cause);
}

static void release(struct password *pw)
{
	struct vm *vm = pw->vm;
	int ret;

	if (!pw->locked)
		return;
	if (pw->kept_pause) {
		pthread_mutex_lock(&vm->lock);
		snprintf(vm->pause_reason, sizeof(vm->pause_reason), "%s", pw->kept_reason);
		pthread_mutex_unlock(&vm->lock);
	} else {
		ret = vm_resume(vm);
		if (ret && ret != -ESHUTDOWN)
			vmm_err("password: cannot resume the VM: %s", strerror(-ret));
	}
	pw->locked = false;
	pw->kept_pause = false;
	pw->cause[0] = '\0';
	vmm_info("password: the work phone is unlocked");
	idle_arm(pw);
}

static void idle_fired(void *opaque, uint32_t events)
{
	struct password *pw = opaque;

	(void)events;
	pw->idle_deadline_ns = 0;
	if (!pw->locked && enabled(pw))
		engage(pw, "inactivity", PAUSE_TIMEOUT_NS);
}

struct password *password_new(struct vm *vm, const struct pw_policy *policy,
			      const char *state_path)
{
	struct password *pw = calloc(1, sizeof(*pw));

	if (!pw)
		return NULL;
	pw->vm = vm;
	pw->policy = *policy;
	pw->path = strdup(state_path);
	if (!pw->path || state_load(state_path, &pw->st)) {
		password_free(pw);
		return NULL;
	}
	if (pw->st.locked_out)
		engage(pw, "locked out", 0);
	else if (enabled(pw))
		engage(pw, pw->st.set ? "startup" : "no password set", 0);
	return pw;
}

void password_free(struct password *pw)
{
	if (!pw)
		return;
	ev_timer_free(pw->idle);
	free(pw->path);
	OPENSSL_cleanse(pw, sizeof(*pw));
	free(pw);
}

void password_check_idle(struct password *pw)
{
	if (pw && !pw->locked && pw->idle_deadline_ns && boottime_ns() >= pw->idle_deadline_ns)
		engage(pw, "inactivity", PAUSE_TIMEOUT_NS);
}

bool password_locked(const struct password *pw)
{
	return pw && pw->locked;
}

void password_activity(struct password *pw)
{
	if (pw && !pw->locked)
		idle_arm(pw);
}

/* --- status --------------------------------------------------------------- */

static const char *advice(const struct password *pw)
{
	if (pw->st.locked_out)
		return "locked out after too many wrong passwords: only the administrator can lift it (admin-unlock)";
	if (enabled(pw) && !pw->st.set)
		return "a password must be set (passwd)";
	if (pw->locked && expired(pw))
		return "the password has expired: change it to unlock (passwd)";
	if (pw->locked)
		return "locked: enter the password (unlock)";
	if (expired(pw))
		return "unlocked; the password has expired: change it (passwd)";
	if (!enabled(pw))
		return "no password required or set";
	return "unlocked";
}

void password_status(const struct password *pw, json_object *status)
{
	const struct pw_policy *p;
	json_object *o;
	uint64_t now;

	if (!pw)
		return;
	p = &pw->policy;
	now = vmm_now_ns();
	o = json_object_new_object();
	json_object_object_add(o, "required", json_object_new_boolean(p->required));
	json_object_object_add(o, "set", json_object_new_boolean(pw->st.set));
	json_object_object_add(o, "locked", json_object_new_boolean(pw->locked));
	if (pw->locked) {
		json_object_object_add(o, "reason", json_object_new_string(PASSWORD_PAUSE_REASON));
		json_object_object_add(o, "cause", json_object_new_string(pw->cause));
		json_object_object_add(o, "locked_ms",
				       json_object_new_int64((int64_t)((now - pw->locked_ns) / NSEC_PER_MSEC)));
	}
	json_object_object_add(o, "must_set", json_object_new_boolean(enabled(pw) && !pw->st.set));
	json_object_object_add(o, "expired", json_object_new_boolean(expired(pw)));
	json_object_object_add(o, "must_change", json_object_new_boolean(expired(pw)));
	json_object_object_add(o, "locked_out", json_object_new_boolean(pw->st.locked_out));
	json_object_object_add(o, "failed_tries", json_object_new_int64(pw->st.failed_tries));
	json_object_object_add(o, "max_retries", json_object_new_int((int)p->max_retries));
	if (p->max_retries)
		json_object_object_add(o, "tries_left", json_object_new_int64(
			pw->st.failed_tries >= p->max_retries ? 0 :
			p->max_retries - pw->st.failed_tries));
	if (pw->st.set) {
		json_object_object_add(o, "set_at", json_object_new_int64(pw->st.set_at));
		if (p->expiration_s)
			json_object_object_add(o, "expires_at", json_object_new_int64(
				pw->st.set_at + (int64_t)p->expiration_s));
	}
	if (pw->idle_deadline_ns) {
		uint64_t boot = boottime_ns();

		json_object_object_add(o, "locks_in_ms", json_object_new_int64(
			pw->idle_deadline_ns > boot ?
			(int64_t)((pw->idle_deadline_ns - boot) / NSEC_PER_MSEC) : 0));
	}
	json_object_object_add(o, "message", json_object_new_string(advice(pw)));
	json_object_object_add(o, "policy", password_policy_to_json(p));
	json_object_object_add(status, "password", o);
}

/* --- commands ------------------------------------------------------------- */

static void wipe_secrets(json_object *req)
{
	static const char *const keys[] = { "password", "old", "new" };
	json_object *v;

	/* json-c keeps string values in memory it owns: overwrite them there. */
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (json_object_object_get_ex(req, keys[i], &v) &&
		    json_object_is_type(v, json_type_string))
			OPENSSL_cleanse((void *)json_object_get_string(v),
					(size_t)json_object_get_string_len(v));
}

static bool get_secret(json_object *req, const char *key, const char **s, size_t *len,
		       json_object **err)
{
	json_object *v;

	if (!json_object_object_get_ex(req, key, &v) || !json_object_is_type(v, json_type_string)) {
		*err = control_error_reply("bad-request", "\"%s\" (a string) is missing", key);
		return false;
	}
	*s = json_object_get_string(v);
	*len = (size_t)json_object_get_string_len(v);
	if (!*len)
		*err = control_error_reply("bad-request", "\"%s\" is empty", key);
	else if (memchr(*s, '\0', *len))
		*err = control_error_reply("bad-request", "\"%s\" contains a NUL character", key);
	else if (*len > PASSWORD_MAX_BYTES)
		*err = control_error_reply("bad-request", "\"%s\" is longer than %d bytes", key,
					   PASSWORD_MAX_BYTES);
	else
		return true;
	return false;
}

static json_object *locked_out_reply(const struct password *pw)
{
	return control_error_reply("locked-out", "the work phone is locked out after %u wrong passwords: only the administrator can lift it (admin-unlock)",
				   pw->st.failed_tries);
}

/*
 * Check a candidate against the stored hash, counting the try first.
 * true on a match; otherwise *reply says why (wrong, now locked out, or
 * the try could not be recorded: then nothing is checked).
 */
static bool try_password(struct password *pw, const char *cand, size_t len,
			 json_object **reply)
{
	const struct pw_policy *p = &pw->policy;
	uint8_t key[KEY_BYTES];
	bool match;
	int ret;

	pw->st.failed_tries++;
	ret = state_save(pw);
	if (ret) {
		pw->st.failed_tries--;
		*reply = control_error_reply("failed", "cannot record the attempt in %s (%s): not checked",
					     pw->path, strerror(-ret));
		return false;
	}
	ret = scrypt_derive(cand, len, &pw->st.hash, key);
	match = !ret && !CRYPTO_memcmp(key, pw->st.hash.key, KEY_BYTES);
	OPENSSL_cleanse(key, sizeof(key));
	if (ret) {
		pw->st.failed_tries--;
		state_save(pw);
		*reply = control_error_reply("failed", "cannot hash the password (scrypt)");
		return false;
	}
	if (match) {
		pw->st.failed_tries = 0;
		state_save(pw);
		return true;
	}
	if (p->max_retries && pw->st.failed_tries >= p->max_retries) {
		pw->st.locked_out = true;
		state_save(pw);
		vmm_warn("password: %u wrong passwords: locked out until the administrator unlocks",
			 pw->st.failed_tries);
		engage(pw, "locked out", PAUSE_TIMEOUT_NS);
		*reply = locked_out_reply(pw);
		return false;
	}
	vmm_warn("password: wrong password (%u in a row)", pw->st.failed_tries);
	if (p->max_retries)
		*reply = control_error_reply("wrong-password", "wrong password (%u of %u tries left)",
					     p->max_retries - pw->st.failed_tries, p->max_retries);
	else
		*reply = control_error_reply("wrong-password", "wrong password");
	return false;
}

static json_object *cmd_unlock(struct password *pw, json_object *req)
{
	json_object *r = NULL;
	const char *s;
	size_t len;

	if (pw->st.locked_out)
		return locked_out_reply(pw);
	if (!pw->locked)
		return control_error_reply("not-locked", "the work phone is not locked");
	if (!pw->st.set)
		return control_error_reply("no-password-set", "no password is set yet: set one with passwd");
	if (!get_secret(req, "password", &s, &len, &r))
		return r;
	if (!try_password(pw, s, len, &r))
		return r;
	if (expired(pw)) {
		char when[64];
		time_t t = (time_t)(pw->st.set_at + (int64_t)pw->policy.expiration_s);
		struct tm tm;

		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&t, &tm));
		vmm_info("password: right but expired password: it must be changed");
		return control_error_reply("password-expired", "the password expired on %s: change it with passwd to unlock",
					   when);
	}
	release(pw);
	r = control_ok_reply();
	json_object_object_add(r, "locked", json_object_new_boolean(0));
	return r;
}

static json_object *cmd_passwd(struct password *pw, json_object *req)
{
	const char *old = NULL, *new;
	size_t old_len = 0, new_len;
	struct pw_state saved;
	json_object *r = NULL;
	bool had = pw->st.set;
	char msg[256];
	int ret;

	if (pw->st.locked_out)
		return locked_out_reply(pw);
	if (!get_secret(req, "new", &new, &new_len, &r))
		return r;
	if (had && !get_secret(req, "old", &old, &old_len, &r))
		return r;
	if (password_check_rules(&pw->policy, new, new_len, msg, sizeof(msg)))
		return control_error_reply("weak-password", "new password refused: %s", msg);
	/* Both come from the caller: comparing them reveals nothing, costs no try. */
	if (had && old_len == new_len && !CRYPTO_memcmp(old, new, new_len))
		return control_error_reply("same-password", "new password refused: it must differ from the current one");
	if (had && !try_password(pw, old, old_len, &r))
		return r;
	saved = pw->st;
	ret = hash_new(new, new_len, &pw->st.hash);
	if (!ret) {
		pw->st.set = true;
		pw->st.set_at = (int64_t)time(NULL);
		pw->st.failed_tries = 0;
		ret = state_save(pw);
	}
	if (ret) {
		pw->st = saved;
		OPENSSL_cleanse(&saved, sizeof(saved));
		return control_error_reply("failed", "cannot store the new password: %s", strerror(-ret));
	}
	OPENSSL_cleanse(&saved, sizeof(saved));
	vmm_info("password: %s", had ? "changed" : "set");
	if (pw->locked)
		release(pw);
	else
		idle_arm(pw);
	r = control_ok_reply();
	json_object_object_add(r, "changed", json_object_new_boolean(had));
	json_object_object_add(r, "locked", json_object_new_boolean(0));
	return r;
}

static json_object *cmd_admin_unlock(struct password *pw, json_object *req)
{
	struct pw_state saved = pw->st;
	bool reset = false;
	json_object *v, *r;
	int ret;

	if (json_object_object_get_ex(req, "reset", &v)) {
		if (!json_object_is_type(v, json_type_boolean))
			return control_error_reply("bad-request", "\"reset\" must be true or false");
		reset = json_object_get_boolean(v);
	}
	pw->st.locked_out = false;
	pw->st.failed_tries = 0;
	if (reset) {
		memset(&pw->st.hash, 0, sizeof(pw->st.hash));
		pw->st.set = false;
		pw->st.set_at = 0;
	}
	ret = state_save(pw);
	if (ret) {
		pw->st = saved;
		OPENSSL_cleanse(&saved, sizeof(saved));
		return control_error_reply("failed", "cannot write %s: %s", pw->path, strerror(-ret));
	}
	OPENSSL_cleanse(&saved, sizeof(saved));
	vmm_info("password: administrator unlock%s", reset ? ", password reset" : "");
	if (!enabled(pw))
		release(pw);
	else if (!pw->st.set)
		engage(pw, "no password set", PAUSE_TIMEOUT_NS);
	if (pw->locked)
		snprintf(pw->cause, sizeof(pw->cause), "%s",
			 pw->st.set ? "administrator unlock" : "no password set");
	r = control_ok_reply();
	json_object_object_add(r, "locked", json_object_new_boolean(pw->locked));
	json_object_object_add(r, "password_set", json_object_new_boolean(pw->st.set));
	return r;
}

/*
 * Read the policy file again (wpd rewrote it after a policy_change) and
 * apply it at once: a newly required password locks a phone that has
 * none, a no longer required one unlocks it, the inactivity timer takes
 * the new delay.  A lock-out stays (only admin-unlock lifts it); so does
 * a lock by a password that is set.  A bad file keeps the old policy.
 */
static json_object *cmd_policy_reload(struct password *pw)
{
	struct pw_policy np;
	char err[POLICY_ERR_LEN];
	json_object *r;

	if (!policy_path[0])
		return control_error_reply("failed", "no policy file to reload");
	if (policy_read(policy_path, &np, err)) {
		vmm_warn("password: policy-reload refused, the policy stays as it was: %s", err);
		return control_error_reply("bad-policy", "password-policy: %s (the policy stays as it was)",
					   err);
	}
	pw->policy = np;
	vmm_info("password: policy reloaded from %s", policy_path);
	/* A lock-out is the administrator's to lift. */
	if (!pw->st.locked_out && enabled(pw) && !pw->st.set)
		engage(pw, "no password set", PAUSE_TIMEOUT_NS);
	else if (!pw->st.locked_out && !enabled(pw))
		release(pw);
	else if (!pw->locked)
		idle_arm(pw);
	r = control_ok_reply();
	json_object_object_add(r, "locked", json_object_new_boolean(pw->locked));
	json_object_object_add(r, "policy", password_policy_to_json(&pw->policy));
	return r;
}

json_object *password_command(struct password *pw, const char *cmd, json_object *req,
			      uid_t peer_uid)
{
	json_object *r;

	bool admin = !strcmp(cmd, "admin-unlock") || !strcmp(cmd, "policy-reload");

	if (strcmp(cmd, "unlock") && strcmp(cmd, "passwd") && strcmp(cmd, "lock") &&
	    strcmp(cmd, "activity") && !admin)
		return NULL;
	if (admin && peer_uid != 0) {
		vmm_warn("password: %s refused from uid %u", cmd, (unsigned int)peer_uid);
		r = control_error_reply("forbidden", "%s is accepted only from root (wpd, after a signed server command); this peer is uid %u",
					cmd, (unsigned int)peer_uid);
	} else if (!pw && !strcmp(cmd, "activity")) {
		r = control_ok_reply();
	} else if (!pw) {
		r = control_error_reply("no-password", "this VM has no password policy (wpvmm --password-policy)");
	} else if (!strcmp(cmd, "unlock")) {
		r = cmd_unlock(pw, req);
	} else if (!strcmp(cmd, "passwd")) {
		r = cmd_passwd(pw, req);
	} else if (!strcmp(cmd, "admin-unlock")) {
		r = cmd_admin_unlock(pw, req);
	} else if (!strcmp(cmd, "policy-reload")) {
		r = cmd_policy_reload(pw);
	} else if (!strcmp(cmd, "lock")) {
		if (!enabled(pw)) {
			r = control_error_reply("no-password", "no password is set, so nothing could unlock the work phone: set one with passwd first");
		} else {
			engage(pw, "lock command", PAUSE_TIMEOUT_NS);
			r = control_ok_reply();
			json_object_object_add(r, "locked", json_object_new_boolean(1));
		}
	} else {	/* activity */
		password_activity(pw);
		r = control_ok_reply();
		json_object_object_add(r, "locked", json_object_new_boolean(pw->locked));
	}
	wipe_secrets(req);
	return r;
}

void password_wipe_request(json_object *req)
{
	if (req && json_object_is_type(req, json_type_object))
		wipe_secrets(req);
}
