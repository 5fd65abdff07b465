// SPDX-License-Identifier: GPL-2.0-only
/*
 * gate_bench: what the enabler's KVM gate costs.  Runs inside a test
 * kernel (scripts/bench-gate), as root.
 *
 *  1. Port-I/O exits per second of the same real-mode guest, driven
 *     through raw /dev/kvm fds and through the enabler's fds, in
 *     alternating rounds; the ratio is the gate's overhead.
 *  2. Lock latency: from the moment the daemon crashes to the moment a
 *     vCPU spinning in guest code is back in userspace with EPERM.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <pthread.h>
#include <time.h>

#include "lib/wp_daemon.h"
#include "lib/wp_kvm.h"
#include "lib/wp_lease.h"
#include "lib/wp_test.h"

/* 1: out %al, $0x10; jmp 1b */
static const unsigned char guest_out_loop[] = { 0xe6, 0x10, 0xeb, 0xfc };

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int raw_guest(struct wp_guest *g)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (kvm < 0)
		return -errno;
	g->sys = kvm;
	g->vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (g->vm < 0)
		return -errno;
	return wp_guest_setup(g, NULL, guest_out_loop, sizeof(guest_out_loop));
}

static double exits_per_second(struct wp_guest *g, long exits)
{
	double t0 = now();

	for (long i = 0; i < exits; i++)
		if (wp_guest_run(g) || g->run->exit_reason != KVM_EXIT_IO)
			return -1;
	return exits / (now() - t0);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static volatile double kicked_at;

static void *spin_vcpu(void *arg)
{
	struct wp_guest *g = arg;

	while (wp_guest_run(g) != -EPERM)
		;
	kicked_at = now();
	return NULL;
}

int main(int argc, char **argv)
{
	long exits = argc > 1 ? atol(argv[1]) : 20000;
	int rounds = argc > 2 ? atoi(argv[2]) : 5, sys;
	double raw[16], gate[16], lat[16], crash_at;
	struct wp_guest r = { 0 }, g = { 0 }, s = { 0 };
	struct wp_daemon_child d;
	pthread_t t;

	if (rounds > 16)
		rounds = 16;
	if (wp_ensure_active() || wp_reset_daemon_lost()) {
		fprintf(stderr, "gate_bench: cannot make the work phone active\n");
		return 1;
	}
	sys = wp_open_bound();
	if (sys < 0 || raw_guest(&r) || wp_guest_create_vm(&g, sys) ||
	    wp_guest_setup(&g, NULL, guest_out_loop, sizeof(guest_out_loop))) {
		fprintf(stderr, "gate_bench: cannot set up the guests\n");
		return 1;
	}
	for (int i = 0; i < rounds; i++) {
		raw[i] = exits_per_second(&r, exits);
		gate[i] = exits_per_second(&g, exits);
		if (raw[i] < 0 || gate[i] < 0) {
			fprintf(stderr, "gate_bench: unexpected exit\n");
			return 1;
		}
	}
	qsort(raw, rounds, sizeof(double), cmp_double);
	qsort(gate, rounds, sizeof(double), cmp_double);
	printf("io-exits/s raw /dev/kvm (median of %d x %ld): %.0f\n", rounds, exits,
	       raw[rounds / 2]);
	printf("io-exits/s through the enabler (median):      %.0f\n", gate[rounds / 2]);
	printf("gate overhead ratio (raw / enabler):          %.3f\n",
	       raw[rounds / 2] / gate[rounds / 2]);

	/* Lock latency: a fresh VM per round, created before any thread. */
	for (int i = 0; i < rounds; i++) {
		memset(&s, 0, sizeof(s));
		if (wp_reset_daemon_lost() || wp_guest_create_vm(&s, sys) ||
		    wp_guest_setup(&s, NULL, wp_guest_count, sizeof(wp_guest_count)) ||
		    wp_daemon_start(&d, 0, -1))
			return 1;
		kicked_at = 0;
		pthread_create(&t, NULL, spin_vcpu, &s);
		usleep(200000);
		crash_at = now();
		wp_daemon_cmd(&d, WP_DAEMON_CRASH);
		pthread_join(t, NULL);
		wp_daemon_stop(&d);
		lat[i] = (kicked_at - crash_at) * 1e3;
		close(s.vcpu);
		close(s.vm);
	}
	qsort(lat, rounds, sizeof(double), cmp_double);
	printf("lock latency, daemon crash -> vCPU out (median of %d): %.3f ms (max %.3f)\n",
	       rounds, lat[rounds / 2], lat[rounds - 1]);
	wp_reset_daemon_lost();
	return 0;
}
