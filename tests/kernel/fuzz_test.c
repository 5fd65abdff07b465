// SPDX-License-Identifier: GPL-2.0-only
/*
 * Random ioctl numbers and random argument buffers against every kind of
 * file the enabler hands out, for a fixed count and a fixed seed (override
 * with WP_FUZZ_SEED / WP_FUZZ_ROUNDS).  Every call must return 0 or one of
 * the errno values the UAPI header documents; the harness fails the run if
 * the kernel log shows any warning.  KVM's own allowlisted ioctls are left
 * to syzkaller (tests/syzkaller/workphone.txt): this fuzzes the enabler.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include "kselftest_harness.h"
#include "lib/wp_kvm.h"
#include "lib/wp_lease.h"
#include "lib/wp_test.h"

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static bool documented_errno(int ret)
{
	switch (-ret) {
	case 0: case EFAULT: case EINVAL: case E2BIG: case ENOTTY:
	case EACCES: case EPERM: case EALREADY: case EBUSY: case ENOSPC:
	case EBADMSG: case EKEYREJECTED: case EXDEV: case ESTALE: case ETIME:
	case ERANGE: case ENOKEY: case EIDRM: case ENOMEM:
		return true;
	default:
		return false;
	}
}

/* A command number near the enabler's own, or a random non-KVM one. */
static unsigned long random_cmd(void)
{
	unsigned long cmd;

	switch (rnd() % 4) {
	case 0:		/* our type, plausible numbers, any direction/size */
		return _IOC(rnd() % 4, WORKPHONE_IOCTL_TYPE, rnd() % 0x20,
			    rnd() % 256);
	case 1:		/* our exact commands */
		return _IO(WORKPHONE_IOCTL_TYPE, rnd() % 2 ? rnd() % 0x12 :
			   0x20 + rnd() % 4);
	default:
		do {
			cmd = (unsigned int)rnd();
		} while (_IOC_TYPE(cmd) == KVMIO);
		return cmd;
	}
}

static void *random_arg(unsigned char *buf, size_t len)
{
	size_t i;

	switch (rnd() % 8) {
	case 0:
		return NULL;
	case 1:
		return (void *)-4096L;		/* kernel address */
	case 2:
		return (void *)0x1000;		/* unmapped */
	default:
		for (i = 0; i < len; i++)
			buf[i] = rnd() % 3 ? 0 : rnd();
		/* A size field that is often plausible. */
		*(uint32_t *)buf = rnd() % 2 ? 16 + rnd() % 200 : rnd();
		return buf;
	}
}

TEST(random_ioctls_get_documented_errors_and_a_clean_log)
{
	const char *seed = getenv("WP_FUZZ_SEED");
	const char *rounds_env = getenv("WP_FUZZ_ROUNDS");
	long rounds = rounds_env ? atol(rounds_env) : 20000;
	unsigned char *buf = wp_guarded_alloc(4096);
	struct wp_guest g = { 0 };
	int files[4], bad = 0;
	long i;

	rng_state = seed ? strtoull(seed, NULL, 0) : 0x5eed5eedULL;
	TH_LOG("seed %#llx, %ld rounds", (unsigned long long)rng_state, rounds);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, wp_ensure_active());
	ASSERT_EQ(0, wp_reset_daemon_lost());
	files[0] = wp_open();
	files[1] = wp_open_bound();
	ASSERT_LE(0, files[0]);
	ASSERT_LE(0, files[1]);
	ASSERT_EQ(0, wp_guest_create_vm(&g, files[1]));
	ASSERT_EQ(0, wp_guest_setup(&g, NULL, wp_guest_out42, sizeof(wp_guest_out42)));
	files[2] = g.vm;
	files[3] = g.vcpu;

	for (i = 0; i < rounds; i++) {
		int which = rnd() % 4, ret;
		unsigned long cmd = random_cmd();
		void *arg = random_arg(buf, 4096);

		ret = ioctl(files[which], cmd, arg) < 0 ? -errno : 0;
		if (ret > 0 || !documented_errno(ret)) {
			if (bad++ < 10)
				TH_LOG("file %d cmd %#lx: undocumented %d",
				       which, cmd, ret);
		}
	}
	EXPECT_EQ(0, bad);

	/* The fuzzer may have registered itself: undo that. */
	wp_daemon_unregister(files[1]);
	close(g.vcpu);
	close(g.vm);
	close(files[1]);
	close(files[0]);
	ASSERT_EQ(0, wp_reset_daemon_lost());
}

TEST_HARNESS_MAIN
