// SPDX-License-Identifier: GPL-2.0-only
/*
 * Workphone enabler: the lease.
 *
 * The work phone may run while the server keeps renewing its lease.  The
 * server signs each renewal (struct workphone_doc, PKCS#7) with the key
 * whose certificate was pinned at provisioning; the enabler checks that it
 * is for this device and for the nonce it issued for this check-in, then
 * moves two deadlines on the boot-time clock: auto-disable (lock) and
 * auto-wipe.  An hrtimer on CLOCK_BOOTTIME enforces them whatever
 * userspace does: wall-clock changes do not move them, suspended time
 * counts, and a dead, stopped or lying daemon cannot extend them.
 *
 * The same signed documents carry the administrator's lock, unlock and
 * wipe commands and certificate rotation (REPIN).
 *
 * State lives in wp_phone and is protected by wp_phone.lock.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/algapi.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/hrtimer.h>
#include <linux/key.h>
#include <linux/ktime.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/verification.h>
#include <linux/workqueue.h>
#include <keys/asymmetric-type.h>

#include "workphone.h"

#define WP_SIG_LEN_MAX		65536
#define WP_CERT_LEN_MAX		16384
#define WP_VALID_FOR_MAX_S	3600
#define WP_PERIOD_MAX_S		(10U * 366 * 24 * 3600)
#define WP_CMDS_PER_NONCE	16

/**
 * struct wp_lease - lease state (under wp_phone.lock)
 * @provisioned: a server certificate and device id are pinned
 * @wiped:	the work phone was wiped (sticky until a new provisioning)
 * @device_id:	the pinned device id
 * @server_keys: keyring holding only the pinned server certificate
 * @nonce:	the outstanding check-in nonce
 * @nonce_valid: @nonce was issued and not superseded
 * @nonce_issued: when @nonce was issued (CLOCK_BOOTTIME)
 * @nonce_lease_used: a lease was accepted for @nonce
 * @used_cmds:	command ids accepted for @nonce
 * @nr_used_cmds: entries of @used_cmds
 * @policy_version: of the last accepted lease
 * @lease_interval_s: of the last accepted lease
 * @auto_disable_s: of the last accepted lease
 * @auto_wipe_s: of the last accepted lease
 * @disable_at:	auto-disable deadline (CLOCK_BOOTTIME)
 * @wipe_at:	auto-wipe deadline (CLOCK_BOOTTIME)
 * @last_renewal: when the last lease was accepted, 0 if none since boot
 * @timer:	fires at the next deadline
 * @work:	evaluates deadlines in process context
 */
struct wp_lease {
	bool provisioned;
	bool wiped;
	u8 device_id[16];
	struct key *server_keys;
	u8 nonce[32];
	bool nonce_valid;
	ktime_t nonce_issued;
	bool nonce_lease_used;
	u8 used_cmds[WP_CMDS_PER_NONCE][16];
	unsigned int nr_used_cmds;
	u32 policy_version;
	u32 lease_interval_s;
	u32 auto_disable_s;
	u32 auto_wipe_s;
	ktime_t disable_at;
	ktime_t wipe_at;
	ktime_t last_renewal;
	struct hrtimer timer;
	struct work_struct work;
};

static struct wp_lease wp_lease;

/* The document fields in host order, after the signature verified. */
struct wp_doc {
	u16 kind;
	u8 device_id[16];
	u8 nonce[32];
	u64 server_time_ns;
	u32 valid_for_s;
	u32 lease_interval_s;
	u32 auto_disable_s;
	u32 auto_wipe_s;
	u32 policy_version;
	u8 command_id[16];
};

static int wp_doc_parse(const struct workphone_doc *raw, struct wp_doc *doc)
{
	if (le32_to_cpu((__force __le32)raw->magic) != WORKPHONE_DOC_MAGIC ||
	    le16_to_cpu((__force __le16)raw->version) != WORKPHONE_DOC_VERSION ||
	    le32_to_cpu((__force __le32)raw->size) != sizeof(*raw) ||
	    raw->flags || raw->reserved0 ||
	    !wp_mem_is_zero(raw->reserved, sizeof(raw->reserved)))
		return -EBADMSG;
	doc->kind = le16_to_cpu((__force __le16)raw->kind);
	if (doc->kind < WORKPHONE_DOC_LEASE || doc->kind > WORKPHONE_DOC_REPIN)
		return -EBADMSG;
	memcpy(doc->device_id, raw->device_id, sizeof(doc->device_id));
	memcpy(doc->nonce, raw->nonce, sizeof(doc->nonce));
	memcpy(doc->command_id, raw->command_id, sizeof(doc->command_id));
	doc->server_time_ns = le64_to_cpu((__force __le64)raw->server_time_ns);
	doc->valid_for_s = le32_to_cpu((__force __le32)raw->valid_for_s);
	doc->lease_interval_s = le32_to_cpu((__force __le32)raw->lease_interval_s);
	doc->auto_disable_s = le32_to_cpu((__force __le32)raw->auto_disable_s);
	doc->auto_wipe_s = le32_to_cpu((__force __le32)raw->auto_wipe_s);
	doc->policy_version = le32_to_cpu((__force __le32)raw->policy_version);
	return 0;
}

/* Lease periods: 1 s .. 10 years, interval <= disable < wipe. */
static int wp_doc_check_periods(const struct wp_doc *doc)
{
	if (!doc->lease_interval_s || !doc->auto_disable_s ||
	    doc->auto_wipe_s > WP_PERIOD_MAX_S ||
	    doc->lease_interval_s > doc->auto_disable_s ||
	    doc->auto_disable_s >= doc->auto_wipe_s)
		return -ERANGE;
	return 0;
}

/* A keyring holding just @cert, or an ERR_PTR (-EBADMSG if unparsable). */
static struct key *wp_server_keys_new(const void *cert, size_t len)
{
	struct key *keys;
	key_ref_t key;

	keys = keyring_alloc(".workphone-server", GLOBAL_ROOT_UID,
			     GLOBAL_ROOT_GID, current_cred(),
			     (KEY_POS_ALL & ~KEY_POS_SETATTR) |
			     KEY_USR_VIEW | KEY_USR_READ | KEY_USR_SEARCH,
			     KEY_ALLOC_NOT_IN_QUOTA, NULL, NULL);
	if (IS_ERR(keys))
		return keys;
	key = key_create_or_update(make_key_ref(keys, 1), "asymmetric", NULL,
				   cert, len,
				   (KEY_POS_ALL & ~KEY_POS_SETATTR) |
				   KEY_USR_VIEW | KEY_USR_READ,
				   KEY_ALLOC_NOT_IN_QUOTA |
				   KEY_ALLOC_BYPASS_RESTRICTION);
	if (IS_ERR(key)) {
		key_put(keys);
		return ERR_PTR(PTR_ERR(key) == -ENOMEM ? -ENOMEM : -EBADMSG);
	}
	key_ref_put(key);
	return keys;
}

/* --- deadlines -------------------------------------------------------------- */

static void wp_lease_arm_timer(void)
{
	ktime_t next;

	lockdep_assert_held(&wp_phone.lock);
	hrtimer_try_to_cancel(&wp_lease.timer);
	if (!wp_lease.provisioned || wp_lease.wiped)
		return;
	next = wp_lease.wipe_at;
	if (!(wp_phone.lock_reasons & WORKPHONE_LOCK_LEASE) &&
	    ktime_before(wp_lease.disable_at, next))
		next = wp_lease.disable_at;
	hrtimer_start(&wp_lease.timer, next, HRTIMER_MODE_ABS);
}

/* Forget the nonce and the periods; used by wipe and provisioning. */
static void wp_lease_forget(void)
{
	memzero_explicit(wp_lease.nonce, sizeof(wp_lease.nonce));
	wp_lease.nonce_valid = false;
	wp_lease.nonce_lease_used = false;
	wp_lease.nr_used_cmds = 0;
	wp_lease.policy_version = 0;
	wp_lease.lease_interval_s = 0;
	wp_lease.auto_disable_s = 0;
	wp_lease.auto_wipe_s = 0;
	wp_lease.last_renewal = 0;
}

static void wp_lease_wipe_locked(const char *why)
{
	lockdep_assert_held(&wp_phone.lock);
	if (wp_lease.wiped)
		return;
	wp_lease.wiped = true;
	wp_phone_update_lock_locked(WORKPHONE_LOCK_WIPED, 0);
	wp_vm_kill_all_locked();
	wp_lease_forget();
	hrtimer_try_to_cancel(&wp_lease.timer);
	pr_notice("work phone wiped (%s)\n", why);
	wp_event(WORKPHONE_EVENT_WIPED, 0, 0, 0, 0, NULL);
}

static void wp_lease_evaluate(struct work_struct *work)
{
	ktime_t now = ktime_get_boottime();

	mutex_lock(&wp_phone.lock);
	if (wp_lease.provisioned && !wp_lease.wiped) {
		if (!ktime_before(now, wp_lease.wipe_at)) {
			wp_lease_wipe_locked("auto-wipe deadline passed");
		} else if (!ktime_before(now, wp_lease.disable_at) &&
			   !(wp_phone.lock_reasons & WORKPHONE_LOCK_LEASE)) {
			pr_notice("lease expired: work phone locked\n");
			wp_phone_update_lock_locked(WORKPHONE_LOCK_LEASE, 0);
		}
		wp_lease_arm_timer();
	}
	mutex_unlock(&wp_phone.lock);
}

static enum hrtimer_restart wp_lease_timer_fn(struct hrtimer *timer)
{
	schedule_work(&wp_lease.work);
	return HRTIMER_NORESTART;
}

static void wp_lease_renew_locked(const struct wp_doc *doc, ktime_t now)
{
	wp_lease.policy_version = doc->policy_version;
	wp_lease.lease_interval_s = doc->lease_interval_s;
	wp_lease.auto_disable_s = doc->auto_disable_s;
	wp_lease.auto_wipe_s = doc->auto_wipe_s;
	wp_lease.disable_at = ktime_add(now, ktime_set(doc->auto_disable_s, 0));
	wp_lease.wipe_at = ktime_add(now, ktime_set(doc->auto_wipe_s, 0));
	wp_lease.last_renewal = now;
	wp_phone_update_lock_locked(0, WORKPHONE_LOCK_LEASE);
	wp_lease_arm_timer();
}

/*
 * After a reboot: the last persisted lease, without its (old) nonce.  Time
 * since the server signed it counts as elapsed; a wall clock before that is
 * tampering and locks at once.
 */
static void wp_lease_restore_locked(const struct wp_doc *doc, ktime_t now)
{
	s64 elapsed = ktime_get_real_ns() - (s64)doc->server_time_ns;
	ktime_t disable = ktime_set(doc->auto_disable_s, 0);
	ktime_t wipe = ktime_set(doc->auto_wipe_s, 0);

	wp_lease.policy_version = doc->policy_version;
	wp_lease.lease_interval_s = doc->lease_interval_s;
	wp_lease.auto_disable_s = doc->auto_disable_s;
	wp_lease.auto_wipe_s = doc->auto_wipe_s;
	wp_lease.last_renewal = 0;
	if (elapsed < 0) {
		pr_notice("clock is before the last lease: work phone locked\n");
		wp_lease.disable_at = now;
		wp_lease.wipe_at = ktime_add(now, ktime_sub(wipe, disable));
		wp_phone_update_lock_locked(WORKPHONE_LOCK_LEASE, 0);
	} else {
		wp_lease.disable_at = ktime_sub_ns(ktime_add(now, disable), elapsed);
		wp_lease.wipe_at = ktime_sub_ns(ktime_add(now, wipe), elapsed);
		if (!ktime_before(now, wp_lease.wipe_at)) {
			wp_lease_wipe_locked("restored past the auto-wipe deadline");
			return;
		}
		if (!ktime_before(now, wp_lease.disable_at))
			wp_phone_update_lock_locked(WORKPHONE_LOCK_LEASE, 0);
	}
	wp_lease_arm_timer();
}

/* --- ioctls ----------------------------------------------------------------- */

long wp_lease_get_nonce(struct wp_session *sess, void __user *uarg)
{
	struct workphone_nonce arg;
	int ret;

	ret = wp_copy_arg_from_user(&arg, sizeof(arg),
				    WORKPHONE_NONCE_SIZE_VER0, uarg);
	if (ret)
		return ret;
	if (arg.flags || !wp_mem_is_zero(arg.nonce, sizeof(arg.nonce)) ||
	    !wp_mem_is_zero(arg.reserved, sizeof(arg.reserved)))
		return -EINVAL;
	ret = wp_session_check_owner(sess);
	if (ret)
		return ret;

	mutex_lock(&wp_phone.lock);
	get_random_bytes(wp_lease.nonce, sizeof(wp_lease.nonce));
	wp_lease.nonce_valid = true;
	wp_lease.nonce_issued = ktime_get_boottime();
	wp_lease.nonce_lease_used = false;
	wp_lease.nr_used_cmds = 0;
	memcpy(arg.nonce, wp_lease.nonce, sizeof(arg.nonce));
	mutex_unlock(&wp_phone.lock);
	ret = wp_copy_arg_to_user(uarg, &arg, sizeof(arg));
	memzero_explicit(arg.nonce, sizeof(arg.nonce));
	return ret;
}

/**
 * struct wp_doc_input - a document and its attachments, copied in
 * @arg:	the ioctl argument
 * @raw:	the 128 document bytes followed by the certificate, if any
 * @sig:	the signature
 */
struct wp_doc_input {
	struct workphone_doc_arg arg;
	u8 *raw;
	u8 *sig;
};

static void wp_doc_input_free(struct wp_doc_input *in)
{
	kvfree(in->raw);
	kvfree(in->sig);
}

static int wp_doc_input_copy(struct wp_doc_input *in, void __user *uarg,
			     bool want_device_id)
{
	struct workphone_doc_arg *arg = &in->arg;
	size_t doc_len;
	int ret;

	memset(in, 0, sizeof(*in));
	ret = wp_copy_arg_from_user(arg, sizeof(*arg),
				    WORKPHONE_DOC_ARG_SIZE_VER0, uarg);
	if (ret)
		return ret;
	if (arg->flags || !wp_mem_is_zero(arg->reserved, sizeof(arg->reserved)) ||
	    !arg->doc_ptr || !arg->sig_ptr ||
	    !arg->sig_len || arg->sig_len > WP_SIG_LEN_MAX ||
	    arg->cert_len > WP_CERT_LEN_MAX || !arg->cert_len != !arg->cert_ptr ||
	    (!want_device_id &&
	     !wp_mem_is_zero(arg->device_id, sizeof(arg->device_id))))
		return -EINVAL;

	/* The document, then the certificate: what a REPIN signature covers. */
	doc_len = sizeof(struct workphone_doc);
	in->raw = kvmalloc(doc_len + arg->cert_len, GFP_KERNEL);
	in->sig = kvmalloc(arg->sig_len, GFP_KERNEL);
	if (!in->raw || !in->sig) {
		ret = -ENOMEM;
		goto err;
	}
	if (copy_from_user(in->raw, u64_to_user_ptr(arg->doc_ptr),
			   sizeof(struct workphone_doc)) ||
	    copy_from_user(in->raw + sizeof(struct workphone_doc),
			   u64_to_user_ptr(arg->cert_ptr), arg->cert_len) ||
	    copy_from_user(in->sig, u64_to_user_ptr(arg->sig_ptr),
			   arg->sig_len)) {
		ret = -EFAULT;
		goto err;
	}
	return 0;
err:
	wp_doc_input_free(in);
	return ret;
}

static const void *wp_doc_cert(const struct wp_doc_input *in)
{
	return in->raw + sizeof(struct workphone_doc);
}

static void wp_doc_refused(int err, u32 kind)
{
	pr_notice_ratelimited("signed document refused: %d\n", err);
	wp_event_doc(WORKPHONE_EVENT_DOC_REFUSED, -err, kind);
}

/* Nonce rules shared by PROVISION and SUBMIT. */
static int wp_doc_check_nonce(const struct wp_doc *doc, ktime_t now)
{
	s64 age_ns;

	lockdep_assert_held(&wp_phone.lock);
	if (!wp_lease.nonce_valid ||
	    crypto_memneq(doc->nonce, wp_lease.nonce, sizeof(doc->nonce)))
		return -ESTALE;
	if (!doc->valid_for_s || doc->valid_for_s > WP_VALID_FOR_MAX_S)
		return -ERANGE;
	age_ns = ktime_to_ns(ktime_sub(now, wp_lease.nonce_issued));
	if (age_ns > (s64)doc->valid_for_s * NSEC_PER_SEC)
		return -ETIME;
	return 0;
}

static int wp_doc_check_command_once(const struct wp_doc *doc)
{
	unsigned int i;

	for (i = 0; i < wp_lease.nr_used_cmds; i++)
		if (!memcmp(wp_lease.used_cmds[i], doc->command_id, 16))
			return -ESTALE;
	if (wp_lease.nr_used_cmds == WP_CMDS_PER_NONCE)
		return -ESTALE;
	return 0;
}

static void wp_doc_mark_command(const struct wp_doc *doc)
{
	memcpy(wp_lease.used_cmds[wp_lease.nr_used_cmds++], doc->command_id, 16);
}

static void wp_lease_pin_locked(struct key *keys, const u8 *device_id)
{
	key_put(wp_lease.server_keys);
	wp_lease.server_keys = keys;
	memcpy(wp_lease.device_id, device_id, sizeof(wp_lease.device_id));
	wp_lease.provisioned = true;
	wp_lease.wiped = false;
	wp_phone_update_lock_locked(0, WORKPHONE_LOCK_UNPROVISIONED |
				       WORKPHONE_LOCK_WIPED |
				       WORKPHONE_LOCK_ADMIN |
				       WORKPHONE_LOCK_LEASE);
}

/* PROVISION (restore == false) and RESTORE (restore == true). */
static long wp_lease_pin(struct wp_session *sess, void __user *uarg,
			 bool restore)
{
	struct wp_doc_input in;
	struct wp_doc doc;
	struct key *keys = NULL;
	ktime_t now;
	int ret;

	ret = wp_doc_input_copy(&in, uarg, true);
	if (ret)
		return ret;
	if (!in.arg.cert_len) {
		ret = -EINVAL;
		goto out;
	}
	ret = wp_session_check_owner(sess);
	if (ret)
		goto out;

	mutex_lock(&wp_phone.lock);
	if (restore ? wp_lease.provisioned || wp_lease.wiped :
		      wp_lease.provisioned && !wp_lease.wiped) {
		ret = -EBUSY;
		goto unlock;
	}
	keys = wp_server_keys_new(wp_doc_cert(&in), in.arg.cert_len);
	if (IS_ERR(keys)) {
		ret = PTR_ERR(keys);
		keys = NULL;
		goto refused;
	}
	ret = wp_verify_detached(keys, in.raw, sizeof(struct workphone_doc),
				 in.sig, in.arg.sig_len);
	if (!ret)
		ret = wp_doc_parse((void *)in.raw, &doc);
	if (ret)
		goto refused;
	if (doc.kind != WORKPHONE_DOC_LEASE) {
		ret = restore ? -EINVAL : -EBADMSG;
		goto refused;
	}
	if (memcmp(doc.device_id, in.arg.device_id, sizeof(doc.device_id))) {
		ret = -EXDEV;
		goto refused;
	}
	ret = wp_doc_check_periods(&doc);
	if (ret)
		goto refused;
	now = ktime_get_boottime();
	if (!restore) {
		ret = wp_doc_check_nonce(&doc, now);
		if (ret)
			goto refused;
	}

	wp_lease_forget();
	wp_lease_pin_locked(keys, doc.device_id);
	keys = NULL;
	if (!restore) {
		wp_lease.nonce_lease_used = true;
		wp_lease.nonce_valid = true;
		wp_lease_renew_locked(&doc, now);
	} else {
		wp_lease_restore_locked(&doc, now);
	}
	pr_info("work phone %s\n", restore ? "restored" : "provisioned");
	wp_event(WORKPHONE_EVENT_PROVISIONED, task_tgid_nr(current), 0, 0, 0,
		 NULL);
	goto unlock;

refused:
	wp_doc_refused(ret, ret == -EBADMSG || ret == -EKEYREJECTED ? 0 : doc.kind);
unlock:
	mutex_unlock(&wp_phone.lock);
	key_put(keys);
out:
	wp_doc_input_free(&in);
	return ret;
}

long wp_lease_provision(struct wp_session *sess, void __user *uarg)
{
	return wp_lease_pin(sess, uarg, false);
}

long wp_lease_restore(struct wp_session *sess, void __user *uarg)
{
	return wp_lease_pin(sess, uarg, true);
}

/* Apply a verified document of @doc->kind; nonce already checked. */
static int wp_lease_apply_locked(const struct wp_doc *doc,
				 const struct wp_doc_input *in, ktime_t now)
{
	struct key *keys;
	int ret;

	if (doc->kind == WORKPHONE_DOC_LEASE) {
		ret = wp_doc_check_periods(doc);
		if (ret)
			return ret;
		if (wp_lease.nonce_lease_used ||
		    doc->policy_version < wp_lease.policy_version)
			return -ESTALE;
		wp_lease.nonce_lease_used = true;
		wp_lease_renew_locked(doc, now);
		return 0;
	}

	ret = wp_doc_check_command_once(doc);
	if (ret)
		return ret;
	switch (doc->kind) {
	case WORKPHONE_DOC_LOCK:
		wp_phone_update_lock_locked(WORKPHONE_LOCK_ADMIN, 0);
		break;
	case WORKPHONE_DOC_UNLOCK:
		wp_phone_update_lock_locked(0, WORKPHONE_LOCK_ADMIN);
		break;
	case WORKPHONE_DOC_WIPE:
		wp_lease_wipe_locked("administrator's command");
		break;
	case WORKPHONE_DOC_REPIN:
		keys = wp_server_keys_new(wp_doc_cert(in), in->arg.cert_len);
		if (IS_ERR(keys))
			return PTR_ERR(keys);
		key_put(wp_lease.server_keys);
		wp_lease.server_keys = keys;
		pr_info("server certificate re-pinned\n");
		break;
	}
	if (!wp_lease.wiped)
		wp_doc_mark_command(doc);
	return 0;
}

long wp_lease_submit(struct wp_session *sess, void __user *uarg)
{
	struct wp_doc_input in;
	struct wp_doc doc = { 0 };
	bool is_repin;
	ktime_t now;
	int ret;

	ret = wp_doc_input_copy(&in, uarg, false);
	if (ret)
		return ret;
	ret = wp_session_check_owner(sess);
	if (ret)
		goto out;

	mutex_lock(&wp_phone.lock);
	if (wp_lease.wiped) {
		ret = -EIDRM;
		goto refused;
	}
	if (!wp_lease.provisioned) {
		ret = -ENOKEY;
		goto refused;
	}
	/* A REPIN's signature covers the document and the new certificate. */
	ret = wp_verify_detached(wp_lease.server_keys, in.raw,
				 sizeof(struct workphone_doc) + in.arg.cert_len,
				 in.sig, in.arg.sig_len);
	if (!ret)
		ret = wp_doc_parse((void *)in.raw, &doc);
	if (ret)
		goto refused;
	is_repin = doc.kind == WORKPHONE_DOC_REPIN;
	if (is_repin != !!in.arg.cert_len) {
		ret = -EINVAL;
		goto refused;
	}
	if (memcmp(doc.device_id, wp_lease.device_id, sizeof(doc.device_id))) {
		ret = -EXDEV;
		goto refused;
	}
	now = ktime_get_boottime();
	ret = wp_doc_check_nonce(&doc, now);
	if (!ret)
		ret = wp_lease_apply_locked(&doc, &in, now);
	if (ret)
		goto refused;
	wp_event_doc(WORKPHONE_EVENT_DOC_ACCEPTED, 0, doc.kind);
	goto unlock;

refused:
	wp_doc_refused(ret, doc.kind);
unlock:
	mutex_unlock(&wp_phone.lock);
out:
	wp_doc_input_free(&in);
	return ret;
}

/* Fill the lease part of a status report (wp_phone.lock held). */
void wp_lease_fill_status(struct workphone_status *st)
{
	ktime_t now = ktime_get_boottime();

	lockdep_assert_held(&wp_phone.lock);
	if (wp_lease.wiped)
		st->state = WORKPHONE_STATE_WIPED;
	else if (!wp_lease.provisioned)
		st->state = WORKPHONE_STATE_UNPROVISIONED;
	else if (wp_phone.lock_reasons)
		st->state = WORKPHONE_STATE_LOCKED;
	else
		st->state = WORKPHONE_STATE_ACTIVE;
	if (!wp_lease.provisioned || wp_lease.wiped)
		return;
	st->policy_version = wp_lease.policy_version;
	st->lease_interval_s = wp_lease.lease_interval_s;
	if (ktime_before(now, wp_lease.disable_at))
		st->disable_in_ns = ktime_to_ns(ktime_sub(wp_lease.disable_at, now));
	if (ktime_before(now, wp_lease.wipe_at))
		st->wipe_in_ns = ktime_to_ns(ktime_sub(wp_lease.wipe_at, now));
	st->last_renewal_ns = ktime_to_ns(wp_lease.last_renewal);
	memcpy(st->device_id, wp_lease.device_id, sizeof(st->device_id));
}

void wp_lease_init(void)
{
	hrtimer_init(&wp_lease.timer, CLOCK_BOOTTIME, HRTIMER_MODE_ABS);
	wp_lease.timer.function = wp_lease_timer_fn;
	INIT_WORK(&wp_lease.work, wp_lease_evaluate);
	/* Every boot starts unprovisioned: no guest code until a lease. */
	wp_phone_set_lock(WORKPHONE_LOCK_UNPROVISIONED, true);
}

void wp_lease_exit(void)
{
	hrtimer_cancel(&wp_lease.timer);
	cancel_work_sync(&wp_lease.work);
	memzero_explicit(wp_lease.nonce, sizeof(wp_lease.nonce));
	key_put(wp_lease.server_keys);
	wp_lease.server_keys = NULL;
}
