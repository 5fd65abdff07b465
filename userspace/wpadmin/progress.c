// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpadmin: the progress bar of uploads, downloads and hashing - bytes
 * done and in all, rate and time left - on stderr.  Shown on a terminal
 * (redrawn in place) or when asked with --progress (a line a second);
 * never with --quiet or --no-progress.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wpadmin.h"

#define BAR 24

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *clock_text(double s, char *buf, size_t len)
{
	long t = (long)(s + 0.5);

	if (t >= 3600)
		snprintf(buf, len, "%ldh%02ldm", t / 3600, t / 60 % 60);
	else
		snprintf(buf, len, "%ld:%02ld", t / 60, t % 60);
	return buf;
}

void wpa_progress_begin(struct wpa_ctx *ctx, struct wpa_progress *p, const char *label,
			long long total)
{
	memset(p, 0, sizeof(*p));
	p->tty = isatty(2);
	p->on = !ctx->quiet && (ctx->progress == 1 || (ctx->progress < 0 && p->tty));
	p->label = label;
	p->total = total;
	p->start = now();
	p->last = p->start;
}

static void draw(struct wpa_progress *p, long long done, bool final)
{
	static const char hashes[] = "########################";
	char d[32], t[32], r[32], c[32];
	double elapsed = now() - p->start, rate = elapsed > 0 ? (double)done / elapsed : 0;
	double left = rate > 0 && p->total > done ? (double)(p->total - done) / rate : 0;
	int fill = p->total > 0 ? (int)((double)BAR * (double)done / (double)p->total) : BAR;
	int pct = p->total > 0 ? (int)(100.0 * (double)done / (double)p->total) : 100;

	if (fill > BAR)
		fill = BAR;
	fprintf(stderr, "%s%-9s [%.*s%*s] %3d%%  %s / %s  %s/s  %s %s%s%s",
		p->tty ? "\r" : "", p->label, fill, hashes, BAR - fill, "", pct,
		wpa_fmt_size((double)done, d, sizeof(d)),
		wpa_fmt_size((double)p->total, t, sizeof(t)), wpa_fmt_size(rate, r, sizeof(r)),
		final ? "in" : "ETA", !final && !done ? "--:--" :
		clock_text(final ? elapsed : left, c, sizeof(c)),
		p->tty ? "\033[K" : "", !p->tty || final ? "\n" : "");
	fflush(stderr);
}

void wpa_progress_update(struct wpa_progress *p, long long done)
{
	double t = now();

	if (!p->on || t - p->last < (p->tty ? 0.1 : 1.0))
		return;
	p->last = t;
	draw(p, done, false);
}

void wpa_progress_end(struct wpa_progress *p, long long done)
{
	if (p->on)
		draw(p, done, true);
}
