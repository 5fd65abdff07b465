// SPDX-License-Identifier: GPL-2.0-only
/*
 * wp-provision: the download progress bar.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "provision.h"

static double started, last_print;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *human(double bytes, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;

	while (bytes >= 1024 && u < 4) {
		bytes /= 1024;
		u++;
	}
	snprintf(buf, len, "%.1f %s", bytes, unit[u]);
	return buf;
}

void wpp_progress(void *ctx, long long done, long long total)
{
	char a[32], b[32], r[32];
	double t = now(), rate, eta;
	int width = 30, fill;

	(void)ctx;
	if (!started)
		started = t;
	if (t - last_print < 0.2 && done != total)
		return;
	last_print = t;
	rate = t > started ? done / (t - started) : 0;
	eta = rate > 0 && total > 0 ? (total - done) / rate : 0;
	fill = total > 0 ? (int)(width * (double)done / (double)total) : 0;
	fprintf(stderr, "\r  [%.*s%*s] %s / %s  %s/s  ETA %.0fs ", fill,
		"##############################", width - fill, "",
		human((double)done, a, sizeof(a)),
		total > 0 ? human((double)total, b, sizeof(b)) : "?",
		human(rate, r, sizeof(r)), eta);
	if (!isatty(2))
		fputc('\n', stderr);
}

void wpp_progress_done(void)
{
	started = 0;
	last_print = 0;
	if (isatty(2))
		fputc('\n', stderr);
}
