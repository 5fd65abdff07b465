// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpvmm: epoll event loop and timerfd timers.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "evloop.h"
#include "util.h"

struct ev_watch {
	int fd;
	ev_fn fn;
	void *opaque;
	struct ev_watch *next;
};

struct evloop {
	int epfd;
	struct ev_watch *watches;
	/* Bumped when a watch is removed inside a callback batch. */
	unsigned int generation;
};

struct ev_timer {
	struct evloop *loop;
	int fd;
	ev_fn fn;
	void *opaque;
};

struct evloop *evloop_new(void)
{
	struct evloop *loop = calloc(1, sizeof(*loop));

	if (!loop)
		return NULL;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		free(loop);
		return NULL;
	}
	return loop;
}

void evloop_free(struct evloop *loop)
{
	struct ev_watch *w, *next;

	if (!loop)
		return;
	for (w = loop->watches; w; w = next) {
		next = w->next;
		free(w);
	}
	close(loop->epfd);
	free(loop);
}

int evloop_add(struct evloop *loop, int fd, uint32_t events, ev_fn fn,
	       void *opaque)
{
	struct ev_watch *w = calloc(1, sizeof(*w));
	struct epoll_event ev = { .events = events };

	if (!w)
		return -ENOMEM;
	w->fd = fd;
	w->fn = fn;
	w->opaque = opaque;
	ev.data.ptr = w;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		int err = errno;

		free(w);
		return -err;
	}
	w->next = loop->watches;
	loop->watches = w;
	return 0;
}

static struct ev_watch *find_watch(struct evloop *loop, int fd)
{
	for (struct ev_watch *w = loop->watches; w; w = w->next)
		if (w->fd == fd)
			return w;
	return NULL;
}

int evloop_mod(struct evloop *loop, int fd, uint32_t events)
{
	struct ev_watch *w = find_watch(loop, fd);
	struct epoll_event ev = { .events = events };

	if (!w)
		return -ENOENT;
	ev.data.ptr = w;
	return epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev) ? -errno : 0;
}

void evloop_del(struct evloop *loop, int fd)
{
	struct ev_watch **p;

	for (p = &loop->watches; *p; p = &(*p)->next) {
		struct ev_watch *w = *p;

		if (w->fd != fd)
			continue;
		epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
		*p = w->next;
		free(w);
		loop->generation++;
		return;
	}
}

int evloop_run_once(struct evloop *loop, int timeout_ms)
{
	struct epoll_event events[32];
	unsigned int generation;
	int n;

	n = epoll_wait(loop->epfd, events, ARRAY_SIZE(events), timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	generation = loop->generation;
	for (int i = 0; i < n; i++) {
		struct ev_watch *w = events[i].data.ptr;

		/*
		 * A callback may have removed watches that are still in this
		 * batch: stop here, epoll reports the rest again.
		 */
		if (loop->generation != generation)
			break;
		w->fn(w->opaque, events[i].events);
	}
	return 0;
}

static void timer_ready(void *opaque, uint32_t events)
{
	struct ev_timer *t = opaque;
	uint64_t expirations;

	(void)events;
	if (read(t->fd, &expirations, sizeof(expirations)) != sizeof(expirations))
		return;
	t->fn(t->opaque, 0);
}

struct ev_timer *ev_timer_new(struct evloop *loop, ev_fn fn, void *opaque)
{
	struct ev_timer *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->loop = loop;
	t->fn = fn;
	t->opaque = opaque;
	t->fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (t->fd < 0 || evloop_add(loop, t->fd, EPOLLIN, timer_ready, t)) {
		if (t->fd >= 0)
			close(t->fd);
		free(t);
		return NULL;
	}
	return t;
}

void ev_timer_arm(struct ev_timer *t, uint64_t delay_ns, uint64_t period_ns)
{
	struct itimerspec its = {
		.it_value = { .tv_sec = delay_ns / NSEC_PER_SEC,
			      .tv_nsec = delay_ns % NSEC_PER_SEC },
		.it_interval = { .tv_sec = period_ns / NSEC_PER_SEC,
				 .tv_nsec = period_ns % NSEC_PER_SEC },
	};

	timerfd_settime(t->fd, 0, &its, NULL);
}

void ev_timer_free(struct ev_timer *t)
{
	if (!t)
		return;
	evloop_del(t->loop, t->fd);
	close(t->fd);
	free(t);
}
