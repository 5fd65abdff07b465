// SPDX-License-Identifier: GPL-2.0-only
/*
 * The lease: provisioning, signed renewals, deadlines on the boot-time
 * clock, admin commands, wipe, re-pinning and the reboot rule.  Every test
 * starts from a freshly loaded enabler (unprovisioned).  Periods are in
 * seconds so the suite stays quick.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <pthread.h>
#include <time.h>

#include "kselftest_harness.h"
#include "events.h"
#include "lib/wp_kvm.h"
#include "lib/wp_lease.h"
#include "lib/wp_test.h"

static double boot_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct workphone_status status_of(int fd)
{
	struct workphone_status st;

	wp_status(fd, &st);
	return st;
}

/* Wait until pred(status) or timeout; returns seconds waited or -1. */
static double wait_for_state(int fd, uint32_t state, double timeout)
{
	double start = boot_s();

	while (boot_s() - start < timeout) {
		if (status_of(fd).state == state)
			return boot_s() - start;
		usleep(20000);
	}
	return -1;
}

/* Periods in seconds for quick tests; the interval must fit in them. */
static void short_periods(struct wpdoc *f, uint32_t disable,
			  uint32_t wipe)
{
	f->lease_interval_s = 1;
	f->auto_disable_s = disable;
	f->auto_wipe_s = wipe;
}

FIXTURE(lease) {
	int fd;
	struct wpdoc f;
	struct nl_sock *events;
};

FIXTURE_SETUP(lease)
{
	ASSERT_EQ(0, wp_reload_module());
	self->fd = wp_open_bound();
	ASSERT_LE(0, self->fd);
	wp_doc_defaults(&self->f);
	self->events = wp_events_open();
	ASSERT_NE(NULL, self->events);
}

FIXTURE_TEARDOWN(lease)
{
	wp_events_close(self->events);
	close(self->fd);
}

/* Expect a DOC_REFUSED audit event with this errno. */
#define EXPECT_REFUSAL_EVENT(expected_errno) do {						\
	struct wp_event_msg ev;							\
	EXPECT_EQ(1, wp_events_wait(self->events, WORKPHONE_EVENT_DOC_REFUSED,	\
				    2000, &ev));				\
	EXPECT_EQ(expected_errno, ev.err);							\
} while (0)

TEST_F(lease, fresh_enabler_is_unprovisioned_and_runs_no_guest)
{
	struct workphone_status st = status_of(self->fd);
	struct wp_guest g = { 0 };

	EXPECT_EQ(WORKPHONE_STATE_UNPROVISIONED, st.state);
	EXPECT_EQ(WORKPHONE_LOCK_UNPROVISIONED, st.lock_reasons);
	EXPECT_EQ(0, st.disable_in_ns);
	ASSERT_EQ(0, wp_guest_create_vm(&g, self->fd));
	ASSERT_EQ(0, wp_guest_setup(&g, NULL, wp_guest_out42, sizeof(wp_guest_out42)));
	EXPECT_EQ(-EPERM, wp_guest_run(&g));
	/* Submitting before provisioning has no key to check against. */
	EXPECT_EQ(-ENOKEY, wp_submit(self->fd, &self->f, "server"));
	close(g.vcpu);
	close(g.vm);
}

TEST_F(lease, provisioning_starts_the_lease)
{
	struct wp_event_msg ev;
	struct workphone_status st;
	struct wp_guest g = { 0 };

	short_periods(&self->f, 100, 200);
	self->f.policy_version = 7;
	ASSERT_EQ(0, wp_provision(self->fd, &self->f, "server"));
	ASSERT_EQ(1, wp_events_wait(self->events, WORKPHONE_EVENT_PROVISIONED,
				    2000, &ev));
	st = status_of(self->fd);
	EXPECT_EQ(WORKPHONE_STATE_ACTIVE, st.state);
	EXPECT_EQ(0, st.lock_reasons);
	EXPECT_EQ(7, st.policy_version);
	EXPECT_EQ(1, st.lease_interval_s);
	EXPECT_LT(95ULL * 1000000000, st.disable_in_ns);
	EXPECT_GE(100ULL * 1000000000, st.disable_in_ns);
	EXPECT_LT(195ULL * 1000000000, st.wipe_in_ns);
	EXPECT_NE(0, st.last_renewal_ns);
	EXPECT_EQ(0, memcmp(st.device_id, wp_test_device_id, 16));
	/* Guest code runs now. */
	ASSERT_EQ(0, wp_guest_create_vm(&g, self->fd));
	ASSERT_EQ(0, wp_guest_setup(&g, NULL, wp_guest_out42, sizeof(wp_guest_out42)));
	EXPECT_EQ(0, wp_guest_run(&g));
	EXPECT_EQ(KVM_EXIT_IO, g.run->exit_reason);
	close(g.vcpu);
	close(g.vm);
	/* Pinning happens once. */
	wp_doc_defaults(&self->f);
	EXPECT_EQ(-EBUSY, wp_provision(self->fd, &self->f, "server"));
}

TEST_F(lease, provisioning_refusals)
{
	struct workphone_doc_arg arg;
	struct wp_signed s;
	unsigned char *cert;
	size_t cert_len;

	/* No nonce yet. */
	cert = wp_cert_der("server", &cert_len);
	ASSERT_NE(NULL, cert);
	ASSERT_EQ(0, wp_doc_sign(&self->f, "server", NULL, &s));
	wp_doc_arg(&arg, &s, cert, cert_len, wp_test_device_id);
	EXPECT_EQ(-ESTALE, wp_ioctl(self->fd, WORKPHONE_IOC_PROVISION, &arg));
	EXPECT_REFUSAL_EVENT(ESTALE);
	wp_signed_free(&s);

	/* Signed by a key other than the certificate being pinned. */
	EXPECT_EQ(-EKEYREJECTED, wp_provision(self->fd, &self->f, "untrusted"));
	EXPECT_REFUSAL_EVENT(EKEYREJECTED);

	/* Periods out of range. */
	short_periods(&self->f, 100, 100);
	EXPECT_EQ(-ERANGE, wp_provision(self->fd, &self->f, "server"));
	EXPECT_REFUSAL_EVENT(ERANGE);
	self->f.auto_disable_s = 0;
	EXPECT_EQ(-ERANGE, wp_provision(self->fd, &self->f, "server"));
	EXPECT_REFUSAL_EVENT(ERANGE);
	self->f.auto_disable_s = 100;
	self->f.auto_wipe_s = 20U * 366 * 86400;
	EXPECT_EQ(-ERANGE, wp_provision(self->fd, &self->f, "server"));
	EXPECT_REFUSAL_EVENT(ERANGE);
	self->f.auto_wipe_s = 200;
	self->f.lease_interval_s = 101;
	EXPECT_EQ(-ERANGE, wp_provision(self->fd, &self->f, "server"));
	EXPECT_REFUSAL_EVENT(ERANGE);
	wp_doc_defaults(&self->f);

	/* A document for another device than the one being provisioned. */
	ASSERT_EQ(0, wp_get_nonce(self->fd, &self->f));
	self->f.device_id[0] ^= 1;
	ASSERT_EQ(0, wp_doc_sign(&self->f, "server", NULL, &s));
	wp_doc_arg(&arg, &s, cert, cert_len, wp_test_device_id);
	EXPECT_EQ(-EXDEV, wp_ioctl(self->fd, WORKPHONE_IOC_PROVISION, &arg));
	EXPECT_REFUSAL_EVENT(EXDEV);
	wp_signed_free(&s);
	wp_doc_defaults(&self->f);

	/* A command is not a first lease. */
	self->f.kind = WORKPHONE_DOC_LOCK;
	EXPECT_EQ(-EBADMSG, wp_provision(self->fd, &self->f, "server"));

	/* Malformed certificate, missing certificate, bad lengths/pointers. */
	wp_doc_defaults(&self->f);
	ASSERT_EQ(0, wp_get_nonce(self->fd, &self->f));
	ASSERT_EQ(0, wp_doc_sign(&self->f, "server", NULL, &s));
	wp_doc_arg(&arg, &s, (unsigned char *)"not a certificate", 17, wp_test_device_id);
	EXPECT_EQ(-EBADMSG, wp_ioctl(self->fd, WORKPHONE_IOC_PROVISION, &arg));
	wp_doc_arg(&arg, &s, NULL, 0, wp_test_device_id);
	EXPECT_EQ(-EINVAL, wp_ioctl(self->fd, WORKPHONE_IOC_PROVISION, &arg));
	wp_doc_arg(&arg, &s, cert, cert_len, wp_test_device_id);
	arg.sig_len = 0;
	EXPECT_EQ(-EINVAL, wp_ioctl(self->fd, WORKPHONE_IOC_PROVISION, &arg));
	arg.sig_len = 1 << 20;
	EXPECT_EQ(-EINVAL, wp_ioctl(self->fd, WORKPHONE_IOC_PROVISION, &arg));
	wp_doc_arg(&arg, &s, cert, cert_len, wp_test_device_id);
	arg.doc_ptr = 0x1000;
	EXPECT_EQ(-EFAULT, wp_ioctl(self->fd, WORKPHONE_IOC_PROVISION, &arg));
	wp_doc_arg(&arg, &s, cert, cert_len, wp_test_device_id);
	arg.reserved[0] = 1;
	EXPECT_EQ(-EINVAL, wp_ioctl(self->fd, WORKPHONE_IOC_PROVISION, &arg));
	EXPECT_EQ(-EFAULT, wp_ioctl(self->fd, WORKPHONE_IOC_PROVISION, NULL));

	/* Still unprovisioned after all that; the right one works. */
	EXPECT_EQ(WORKPHONE_STATE_UNPROVISIONED, status_of(self->fd).state);
	wp_doc_arg(&arg, &s, cert, cert_len, wp_test_device_id);
	EXPECT_EQ(0, wp_ioctl(self->fd, WORKPHONE_IOC_PROVISION, &arg));
	wp_signed_free(&s);
	free(cert);
}

TEST_F(lease, lease_ioctls_need_a_bound_owner)
{
	struct workphone_nonce n = { .size = sizeof(n) };
	struct workphone_doc_arg arg = { .size = sizeof(arg) };
	int fd = wp_open(), status;
	pid_t pid;

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EACCES, wp_ioctl(fd, WORKPHONE_IOC_GET_NONCE, &n));
	close(fd);
	n.nonce[0] = 1;
	EXPECT_EQ(-EINVAL, wp_ioctl(self->fd, WORKPHONE_IOC_GET_NONCE, &n));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct workphone_nonce m = { .size = sizeof(m) };

		_exit(-wp_ioctl(self->fd, WORKPHONE_IOC_GET_NONCE, &m));
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(EPERM, WEXITSTATUS(status));
	EXPECT_EQ(-EINVAL, wp_ioctl(self->fd, WORKPHONE_IOC_SUBMIT_DOC, &arg));
}

TEST_F(lease, lock_at_auto_disable_then_wipe_at_auto_wipe)
{
	struct wp_event_msg ev;
	struct wp_guest g = { 0 };
	double t0, locked, wiped;

	short_periods(&self->f, 2, 4);
	ASSERT_EQ(0, wp_provision(self->fd, &self->f, "server"));
	t0 = boot_s();
	ASSERT_EQ(0, wp_guest_create_vm(&g, self->fd));
	ASSERT_EQ(0, wp_guest_setup(&g, NULL, wp_guest_out42, sizeof(wp_guest_out42)));

	locked = wait_for_state(self->fd, WORKPHONE_STATE_LOCKED, 10) + boot_s() - boot_s();
	ASSERT_LT(0, locked);
	locked = boot_s() - t0;
	TH_LOG("locked after %.3f s (deadline 2 s)", locked);
	EXPECT_LE(2.0, locked + 0.05);
	EXPECT_GE(3.0, locked);
	EXPECT_EQ(WORKPHONE_LOCK_LEASE, status_of(self->fd).lock_reasons);
	EXPECT_EQ(-EPERM, wp_guest_run(&g));

	ASSERT_LT(0, wait_for_state(self->fd, WORKPHONE_STATE_WIPED, 10));
	wiped = boot_s() - t0;
	TH_LOG("wiped after %.3f s (deadline 4 s)", wiped);
	EXPECT_LE(4.0, wiped + 0.05);
	EXPECT_GE(5.0, wiped);
	ASSERT_EQ(1, wp_events_wait(self->events, WORKPHONE_EVENT_WIPED, 2000, &ev));
	EXPECT_TRUE(status_of(self->fd).lock_reasons & WORKPHONE_LOCK_WIPED);
	/* The VM is gone: every KVM call on it fails. */
	EXPECT_EQ(-ENODEV, wp_guest_run(&g));
	EXPECT_EQ(-ENODEV, wp_ioctl(g.vm, KVM_CHECK_EXTENSION, (void *)KVM_CAP_USER_MEMORY));
	close(g.vcpu);
	close(g.vm);
	EXPECT_EQ(0, status_of(self->fd).nr_vms);
}

TEST_F(lease, setting_the_wall_clock_back_moves_no_deadline)
{
	struct timespec now, back;
	double t0, locked;

	short_periods(&self->f, 2, 30);
	ASSERT_EQ(0, wp_provision(self->fd, &self->f, "server"));
	t0 = boot_s();
	ASSERT_EQ(0, clock_gettime(CLOCK_REALTIME, &now));
	back = now;
	back.tv_sec -= 86400;
	ASSERT_EQ(0, clock_settime(CLOCK_REALTIME, &back));
	ASSERT_LT(0, wait_for_state(self->fd, WORKPHONE_STATE_LOCKED, 10));
	locked = boot_s() - t0;
	ASSERT_EQ(0, clock_gettime(CLOCK_REALTIME, &back));
	back.tv_sec += 86400;
	clock_settime(CLOCK_REALTIME, &back);
	TH_LOG("locked after %.3f s with the clock a day back", locked);
	EXPECT_GE(3.0, locked);
	EXPECT_LT(27ULL * 1000000000, status_of(self->fd).wipe_in_ns);
}

TEST_F(lease, renewal_before_the_deadline_keeps_it_active)
{
	short_periods(&self->f, 3, 30);
	ASSERT_EQ(0, wp_provision(self->fd, &self->f, "server"));
	usleep(1500000);
	wp_doc_defaults(&self->f);
	short_periods(&self->f, 3, 30);
	ASSERT_EQ(0, wp_submit(self->fd, &self->f, "server"));
	usleep(2000000);	/* past the first deadline, not the second */
	EXPECT_EQ(WORKPHONE_STATE_ACTIVE, status_of(self->fd).state);
	EXPECT_LT(0, status_of(self->fd).disable_in_ns);
}

TEST_F(lease, renewal_after_the_lock_unlocks)
{
	short_periods(&self->f, 1, 30);
	ASSERT_EQ(0, wp_provision(self->fd, &self->f, "server"));
	ASSERT_LT(0, wait_for_state(self->fd, WORKPHONE_STATE_LOCKED, 10));
	wp_doc_defaults(&self->f);
	ASSERT_EQ(0, wp_submit(self->fd, &self->f, "server"));
	EXPECT_EQ(WORKPHONE_STATE_ACTIVE, status_of(self->fd).state);
	EXPECT_EQ(0, status_of(self->fd).lock_reasons);
}

TEST_F(lease, renewal_refusals_each_with_an_audit_event)
{
	struct workphone_doc_arg arg;
	struct wp_signed s;

	ASSERT_EQ(0, wp_provision(self->fd, &self->f, "server"));

	/* Replay: the same lease twice for one nonce. */
	wp_doc_defaults(&self->f);
	ASSERT_EQ(0, wp_get_nonce(self->fd, &self->f));
	ASSERT_EQ(0, wp_doc_sign(&self->f, "server", NULL, &s));
	wp_doc_arg(&arg, &s, NULL, 0, NULL);
	EXPECT_EQ(0, wp_ioctl(self->fd, WORKPHONE_IOC_SUBMIT_DOC, &arg));
	EXPECT_EQ(-ESTALE, wp_ioctl(self->fd, WORKPHONE_IOC_SUBMIT_DOC, &arg));
	EXPECT_REFUSAL_EVENT(ESTALE);
	/* An older nonce, once a new one was issued. */
	ASSERT_EQ(0, wp_get_nonce(self->fd, &self->f));
	EXPECT_EQ(-ESTALE, wp_ioctl(self->fd, WORKPHONE_IOC_SUBMIT_DOC, &arg));
	EXPECT_REFUSAL_EVENT(ESTALE);
	/* Truncated / garbled document: wrong size, wrong magic. */
	s.doc.size = 64;
	EXPECT_EQ(-EKEYREJECTED, wp_ioctl(self->fd, WORKPHONE_IOC_SUBMIT_DOC, &arg));
	EXPECT_REFUSAL_EVENT(EKEYREJECTED);
	wp_signed_free(&s);

	/* Wrong nonce. */
	wp_doc_defaults(&self->f);
	ASSERT_EQ(0, wp_get_nonce(self->fd, &self->f));
	self->f.nonce[5] ^= 0x40;
	ASSERT_EQ(0, wp_doc_sign(&self->f, "server", NULL, &s));
	wp_doc_arg(&arg, &s, NULL, 0, NULL);
	EXPECT_EQ(-ESTALE, wp_ioctl(self->fd, WORKPHONE_IOC_SUBMIT_DOC, &arg));
	EXPECT_REFUSAL_EVENT(ESTALE);
	wp_signed_free(&s);

	/* Another device. */
	wp_doc_defaults(&self->f);
	self->f.device_id[15] ^= 1;
	EXPECT_EQ(-EXDEV, wp_submit(self->fd, &self->f, "server"));
	EXPECT_REFUSAL_EVENT(EXDEV);

	/* Another key. */
	wp_doc_defaults(&self->f);
	EXPECT_EQ(-EKEYREJECTED, wp_submit(self->fd, &self->f, "untrusted"));
	EXPECT_REFUSAL_EVENT(EKEYREJECTED);

	/* Garbled signature bytes. */
	wp_doc_defaults(&self->f);
	ASSERT_EQ(0, wp_get_nonce(self->fd, &self->f));
	ASSERT_EQ(0, wp_doc_sign(&self->f, "server", NULL, &s));
	s.sig[0] ^= 0xff;
	wp_doc_arg(&arg, &s, NULL, 0, NULL);
	EXPECT_EQ(-EBADMSG, wp_ioctl(self->fd, WORKPHONE_IOC_SUBMIT_DOC, &arg));
	EXPECT_REFUSAL_EVENT(EBADMSG);
	/* Truncated signature. */
	s.sig[0] ^= 0xff;
	arg.sig_len = s.sig_len / 2;
	EXPECT_EQ(-EBADMSG, wp_ioctl(self->fd, WORKPHONE_IOC_SUBMIT_DOC, &arg));
	EXPECT_REFUSAL_EVENT(EBADMSG);
	wp_signed_free(&s);

	/* Signed but malformed: unknown kind, bad magic. */
	wp_doc_defaults(&self->f);
	self->f.kind = 99;
	EXPECT_EQ(-EBADMSG, wp_submit(self->fd, &self->f, "server"));
	EXPECT_REFUSAL_EVENT(EBADMSG);

	/* Expired: arrived after valid_for_s. */
	wp_doc_defaults(&self->f);
	self->f.valid_for_s = 1;
	ASSERT_EQ(0, wp_get_nonce(self->fd, &self->f));
	ASSERT_EQ(0, wp_doc_sign(&self->f, "server", NULL, &s));
	usleep(1300000);
	wp_doc_arg(&arg, &s, NULL, 0, NULL);
	EXPECT_EQ(-ETIME, wp_ioctl(self->fd, WORKPHONE_IOC_SUBMIT_DOC, &arg));
	EXPECT_REFUSAL_EVENT(ETIME);
	wp_signed_free(&s);

	/* Policy going backwards. */
	wp_doc_defaults(&self->f);
	self->f.policy_version = 5;
	ASSERT_EQ(0, wp_submit(self->fd, &self->f, "server"));
	self->f.policy_version = 4;
	EXPECT_EQ(-ESTALE, wp_submit(self->fd, &self->f, "server"));
	EXPECT_REFUSAL_EVENT(ESTALE);
	EXPECT_EQ(5, status_of(self->fd).policy_version);

	/* Periods out of range in a renewal. */
	wp_doc_defaults(&self->f);
	self->f.policy_version = 5;
	self->f.auto_wipe_s = self->f.auto_disable_s;
	EXPECT_EQ(-ERANGE, wp_submit(self->fd, &self->f, "server"));
	EXPECT_REFUSAL_EVENT(ERANGE);
	EXPECT_EQ(WORKPHONE_STATE_ACTIVE, status_of(self->fd).state);
}

TEST_F(lease, admin_lock_unlock_and_command_replay)
{
	struct workphone_doc_arg arg;
	struct wp_signed s;

	ASSERT_EQ(0, wp_provision(self->fd, &self->f, "server"));
	wp_doc_defaults(&self->f);
	self->f.kind = WORKPHONE_DOC_LOCK;
	self->f.command_id[0] = 1;
	ASSERT_EQ(0, wp_get_nonce(self->fd, &self->f));
	ASSERT_EQ(0, wp_doc_sign(&self->f, "server", NULL, &s));
	wp_doc_arg(&arg, &s, NULL, 0, NULL);
	ASSERT_EQ(0, wp_ioctl(self->fd, WORKPHONE_IOC_SUBMIT_DOC, &arg));
	EXPECT_EQ(WORKPHONE_LOCK_ADMIN, status_of(self->fd).lock_reasons);
	/* The same command again is a replay. */
	EXPECT_EQ(-ESTALE, wp_ioctl(self->fd, WORKPHONE_IOC_SUBMIT_DOC, &arg));
	wp_signed_free(&s);
	/* A lease does not lift an admin lock... */
	wp_doc_defaults(&self->f);
	ASSERT_EQ(0, wp_submit(self->fd, &self->f, "server"));
	EXPECT_EQ(WORKPHONE_STATE_LOCKED, status_of(self->fd).state);
	/* ...an unlock does. */
	wp_doc_defaults(&self->f);
	self->f.kind = WORKPHONE_DOC_UNLOCK;
	self->f.command_id[0] = 2;
	ASSERT_EQ(0, wp_submit(self->fd, &self->f, "server"));
	EXPECT_EQ(WORKPHONE_STATE_ACTIVE, status_of(self->fd).state);
}

TEST_F(lease, admin_wipe_is_final_until_reprovisioning)
{
	struct wp_event_msg ev;

	ASSERT_EQ(0, wp_provision(self->fd, &self->f, "server"));
	wp_doc_defaults(&self->f);
	self->f.kind = WORKPHONE_DOC_WIPE;
	self->f.command_id[0] = 9;
	ASSERT_EQ(0, wp_submit(self->fd, &self->f, "server"));
	ASSERT_EQ(1, wp_events_wait(self->events, WORKPHONE_EVENT_WIPED, 2000, &ev));
	EXPECT_EQ(WORKPHONE_STATE_WIPED, status_of(self->fd).state);
	EXPECT_EQ(0, status_of(self->fd).disable_in_ns);

	/* Nothing resurrects it: no lease, no unlock. */
	wp_doc_defaults(&self->f);
	EXPECT_EQ(-EIDRM, wp_submit(self->fd, &self->f, "server"));
	EXPECT_REFUSAL_EVENT(EIDRM);
	self->f.kind = WORKPHONE_DOC_UNLOCK;
	self->f.command_id[0] = 10;
	EXPECT_EQ(-EIDRM, wp_submit(self->fd, &self->f, "server"));
	EXPECT_EQ(WORKPHONE_STATE_WIPED, status_of(self->fd).state);

	/* A new provisioning starts afresh. */
	wp_doc_defaults(&self->f);
	ASSERT_EQ(0, wp_provision(self->fd, &self->f, "server"));
	EXPECT_EQ(WORKPHONE_STATE_ACTIVE, status_of(self->fd).state);
}

TEST_F(lease, repin_needs_the_current_key_and_covers_the_new_certificate)
{
	struct workphone_doc_arg arg;
	struct wp_signed s, forged;

	ASSERT_EQ(0, wp_provision(self->fd, &self->f, "server"));
	wp_doc_defaults(&self->f);
	self->f.kind = WORKPHONE_DOC_REPIN;
	self->f.command_id[0] = 3;
	ASSERT_EQ(0, wp_get_nonce(self->fd, &self->f));

	/* Signed over the document only: the certificate is not covered. */
	ASSERT_EQ(0, wp_doc_sign(&self->f, "server", NULL, &forged));
	ASSERT_EQ(0, wp_doc_sign(&self->f, "server", "server2", &s));
	wp_doc_arg(&arg, &forged, s.cert, s.cert_len, NULL);
	EXPECT_EQ(-EKEYREJECTED, wp_ioctl(self->fd, WORKPHONE_IOC_SUBMIT_DOC, &arg));
	/* A REPIN without a certificate, a lease with one. */
	wp_doc_arg(&arg, &forged, NULL, 0, NULL);
	EXPECT_EQ(-EINVAL, wp_ioctl(self->fd, WORKPHONE_IOC_SUBMIT_DOC, &arg));
	/* Signed by the new key instead of the pinned one. */
	wp_signed_free(&forged);
	ASSERT_EQ(0, wp_doc_sign(&self->f, "server2", "server2", &forged));
	wp_doc_arg(&arg, &forged, forged.cert, forged.cert_len, NULL);
	EXPECT_EQ(-EKEYREJECTED, wp_ioctl(self->fd, WORKPHONE_IOC_SUBMIT_DOC, &arg));
	wp_signed_free(&forged);

	wp_doc_arg(&arg, &s, s.cert, s.cert_len, NULL);
	ASSERT_EQ(0, wp_ioctl(self->fd, WORKPHONE_IOC_SUBMIT_DOC, &arg));
	wp_signed_free(&s);

	/* From now on the new key signs, the old one is refused. */
	wp_doc_defaults(&self->f);
	EXPECT_EQ(-EKEYREJECTED, wp_submit(self->fd, &self->f, "server"));
	EXPECT_EQ(0, wp_submit(self->fd, &self->f, "server2"));
}

/* The reboot rule: WORKPHONE_IOC_RESTORE from the persisted last lease. */
static int restore(int fd, struct wpdoc *f)
{
	struct workphone_doc_arg arg;
	struct wp_signed s;
	unsigned char *cert;
	size_t cert_len;
	int ret;

	cert = wp_cert_der("server", &cert_len);
	if (!cert || wp_doc_sign(f, "server", NULL, &s))
		return -EIO;
	wp_doc_arg(&arg, &s, cert, cert_len, f->device_id);
	ret = wp_ioctl(fd, WORKPHONE_IOC_RESTORE, &arg);
	wp_signed_free(&s);
	free(cert);
	return ret;
}

TEST_F(lease, restore_counts_the_time_since_the_server_signed)
{
	struct workphone_status st;

	/* Signed 10 s ago by the wall clock, with an old nonce. */
	self->f.server_time_ns = wp_realtime_ns() - 10ULL * 1000000000;
	self->f.nonce[0] = 0xaa;
	short_periods(&self->f, 30, 60);
	ASSERT_EQ(0, restore(self->fd, &self->f));
	st = status_of(self->fd);
	EXPECT_EQ(WORKPHONE_STATE_ACTIVE, st.state);
	EXPECT_GE(20ULL * 1000000000, st.disable_in_ns);
	EXPECT_LT(15ULL * 1000000000, st.disable_in_ns);
	EXPECT_GE(50ULL * 1000000000, st.wipe_in_ns);
	EXPECT_EQ(0, st.last_renewal_ns);
	/* Once per boot. */
	EXPECT_EQ(-EBUSY, restore(self->fd, &self->f));
}

TEST_F(lease, restore_past_auto_disable_is_locked)
{
	self->f.server_time_ns = wp_realtime_ns() - 40ULL * 1000000000;
	short_periods(&self->f, 30, 60);
	ASSERT_EQ(0, restore(self->fd, &self->f));
	EXPECT_EQ(WORKPHONE_STATE_LOCKED, status_of(self->fd).state);
	EXPECT_EQ(WORKPHONE_LOCK_LEASE, status_of(self->fd).lock_reasons);
}

TEST_F(lease, restore_past_auto_wipe_is_wiped)
{
	self->f.server_time_ns = wp_realtime_ns() - 61ULL * 1000000000;
	short_periods(&self->f, 30, 60);
	ASSERT_EQ(0, restore(self->fd, &self->f));
	EXPECT_EQ(WORKPHONE_STATE_WIPED, status_of(self->fd).state);
}

TEST_F(lease, restore_with_the_clock_before_the_lease_is_tampering)
{
	self->f.server_time_ns = wp_realtime_ns() + 3600ULL * 1000000000;
	ASSERT_EQ(0, restore(self->fd, &self->f));
	EXPECT_EQ(WORKPHONE_STATE_LOCKED, status_of(self->fd).state);
	EXPECT_EQ(WORKPHONE_LOCK_LEASE, status_of(self->fd).lock_reasons);
	/* A fresh check-in still recovers. */
	wp_doc_defaults(&self->f);
	EXPECT_EQ(0, wp_submit(self->fd, &self->f, "server"));
	EXPECT_EQ(WORKPHONE_STATE_ACTIVE, status_of(self->fd).state);
}

TEST_F(lease, restore_refusals)
{
	self->f.kind = WORKPHONE_DOC_UNLOCK;
	EXPECT_EQ(-EINVAL, restore(self->fd, &self->f));
	wp_doc_defaults(&self->f);
	self->f.auto_disable_s = self->f.auto_wipe_s;
	EXPECT_EQ(-ERANGE, restore(self->fd, &self->f));
	wp_doc_defaults(&self->f);
	ASSERT_EQ(0, wp_provision(self->fd, &self->f, "server"));
	EXPECT_EQ(-EBUSY, restore(self->fd, &self->f));
}

TEST_F(lease, lease_lock_kicks_a_spinning_vcpu)
{
	unsigned char *mem;
	int report[2], status;
	char verdict;
	pid_t vmm;

	short_periods(&self->f, 2, 60);
	ASSERT_EQ(0, wp_provision(self->fd, &self->f, "server"));
	mem = mmap(NULL, WP_GUEST_MEM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	ASSERT_EQ(0, pipe(report));
	vmm = fork();
	ASSERT_LE(0, vmm);
	if (!vmm) {
		struct wp_guest g = { 0 };
		int sys = wp_open_bound(), r;

		if (sys < 0 || wp_guest_create_vm(&g, sys) ||
		    wp_guest_setup(&g, mem, wp_guest_count, sizeof(wp_guest_count)))
			_exit(1);
		do {
			r = wp_guest_run(&g);
		} while (r != -EPERM);
		verdict = wp_guest_run(&g) == -EPERM ? 'L' : 'X';
		_exit(write(report[1], &verdict, 1) == 1 ? 0 : 2);
	}
	ASSERT_EQ(1, read(report[0], &verdict, 1));
	EXPECT_EQ('L', verdict);
	EXPECT_NE(0, wp_guest_counter(mem));
	EXPECT_EQ(WORKPHONE_LOCK_LEASE, status_of(self->fd).lock_reasons);
	ASSERT_EQ(vmm, waitpid(vmm, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

struct race {
	int fd;
	volatile int stop;
	int renewals;
	int bad;
};

static void *renew_loop(void *arg)
{
	struct race *r = arg;
	struct wpdoc f;
	int ret;

	while (!r->stop) {
		wp_doc_defaults(&f);
		short_periods(&f, 1, 600);
		/* Renew right around the 1 s deadline, on either side of it. */
		usleep(900000 + rand() % 200000);
		ret = wp_submit(r->fd, &f, "server");
		if (!ret)
			r->renewals++;
		else if (ret != -ESTALE)
			r->bad++;
	}
	return NULL;
}

TEST_F(lease, concurrent_renewals_and_expiry_stay_consistent)
{
	struct race r = { .fd = self->fd };
	struct workphone_status st;
	pthread_t t;
	double start;
	int seen_locked = 0;

	short_periods(&self->f, 1, 600);
	self->f.lease_interval_s = 1;
	ASSERT_EQ(0, wp_provision(self->fd, &self->f, "server"));
	ASSERT_EQ(0, pthread_create(&t, NULL, renew_loop, &r));
	start = boot_s();
	while (boot_s() - start < 6) {
		st = status_of(self->fd);
		/* Only two consistent states exist here. */
		if (st.state == WORKPHONE_STATE_LOCKED) {
			seen_locked++;
			EXPECT_EQ(WORKPHONE_LOCK_LEASE, st.lock_reasons);
		} else {
			EXPECT_EQ(WORKPHONE_STATE_ACTIVE, st.state);
			EXPECT_EQ(0, st.lock_reasons);
			EXPECT_GE(1000000000ULL, st.disable_in_ns);
		}
		usleep(1000);
	}
	r.stop = 1;
	pthread_join(t, NULL);
	TH_LOG("%d renewals, locked %d times", r.renewals, seen_locked);
	EXPECT_EQ(0, r.bad);
	EXPECT_LT(0, r.renewals);
	wp_doc_defaults(&self->f);
	ASSERT_EQ(0, wp_submit(self->fd, &self->f, "server"));
	EXPECT_EQ(WORKPHONE_STATE_ACTIVE, status_of(self->fd).state);
}

TEST_HARNESS_MAIN
