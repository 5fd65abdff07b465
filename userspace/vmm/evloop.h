/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wpvmm: the event loop of the main thread.  It owns everything that is
 * not a vCPU: virtqueue notifications (ioeventfds), console and control
 * sockets, timers, and the wake-up when the enabler lets guest code run
 * again.  Callbacks run in the main thread only.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WPVMM_EVLOOP_H
#define WPVMM_EVLOOP_H

#include <stdbool.h>
#include <stdint.h>

typedef void (*ev_fn)(void *opaque, uint32_t events);

struct evloop;

struct evloop *evloop_new(void);
void evloop_free(struct evloop *loop);
/* Watch fd for events (EPOLLIN, ...); 0 or -errno. */
int evloop_add(struct evloop *loop, int fd, uint32_t events, ev_fn fn,
	       void *opaque);
int evloop_mod(struct evloop *loop, int fd, uint32_t events);
void evloop_del(struct evloop *loop, int fd);
/* Wait up to timeout_ms (-1: forever) and run the callbacks once. */
int evloop_run_once(struct evloop *loop, int timeout_ms);

/* A one-shot or periodic timer on the loop (timerfd). */
struct ev_timer;
struct ev_timer *ev_timer_new(struct evloop *loop, ev_fn fn, void *opaque);
/* Fire after delay_ns, then every period_ns if not 0; 0 disarms. */
void ev_timer_arm(struct ev_timer *t, uint64_t delay_ns, uint64_t period_ns);
void ev_timer_free(struct ev_timer *t);

#endif /* WPVMM_EVLOOP_H */
