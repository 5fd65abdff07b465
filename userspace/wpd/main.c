// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpd: the management daemon.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "enabler.h"
#include "events.h"
#include "http.h"
#include "wpd.h"

enum { WPD_OK, WPD_FAILED, WPD_USAGE, WPD_NO_ENABLER, WPD_REFUSED, WPD_WIPED };

void wpd_log(struct wpd *d, const char *fmt, ...)
{
	struct timespec ts;
	va_list ap;

	(void)d;
	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(stderr, "wpd[%d] %lld.%03ld: ", getpid(), (long long)ts.tv_sec,
		ts.tv_nsec / 1000000);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* base seconds, +/-10 %, so that devices do not check in in lockstep. */
static double jitter(double base)
{
	unsigned int r = 0;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = (unsigned int)getpid();
	return base * (0.9 + 0.2 * (r % 10000) / 10000.0);
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: wpd [--state-dir DIR] [--once | --for SECONDS] [--verbose]\n"
		"\n"
		"The work phone's management daemon: registers with the enabler as the\n"
		"protected daemon, restores the last lease after a reboot, checks in\n"
		"with the server every lease interval and applies queued commands.\n"
		"\n"
		"  --state-dir DIR  state written by wp-provision (default /var/lib/workphone)\n"
		"  --once           one check-in without registering, then exit\n"
		"  --for SECONDS    run that long, then unregister and exit (maintenance)\n"
		"  --help           this text\n"
		"\n"
		"Exit codes: 0 ok, 1 check-in failed (--once), 2 usage, 3 no enabler or\n"
		"not authenticated, 4 another daemon is registered, 5 the server has\n"
		"this device as wiped (enrol it again with wp-provision).\n");
}

/* Wait up to seconds, handling enabler events; wipe on WIPED. */
static void wpd_wait(struct wpd *d, struct nl_sock *events, double seconds)
{
	struct wp_event_msg ev;
	double end = now_s() + seconds;

	while (now_s() < end) {
		int ms = (int)((end - now_s()) * 1000) + 1;

		if (!events) {
			poll(NULL, 0, ms);
			continue;
		}
		if (wp_events_wait(events, 0, ms, &ev) != 1)
			continue;
		if (ev.event == WORKPHONE_EVENT_WIPED)
			wpd_wipe_local(d);
		else if (ev.event == WORKPHONE_EVENT_LOCK_CHANGED && d->verbose)
			wpd_log(d, "lock reasons now %#x", ev.lock_reasons);
	}
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "state-dir", required_argument, NULL, 's' },
		{ "once", no_argument, NULL, 'o' },
		{ "for", required_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *state_dir = "/var/lib/workphone";
	struct workphone_status st;
	struct wpd d = { .enabler = -1 };
	struct nl_sock *events = NULL;
	double run_for = 0, start, backoff = 0;
	char err[1024], *end;
	bool once = false;
	int c, ret;

	while ((c = getopt_long(argc, argv, "s:of:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			state_dir = optarg;
			break;
		case 'o':
			once = true;
			break;
		case 'f':
			run_for = strtod(optarg, &end);
			if (*end || run_for <= 0) {
				fprintf(stderr, "wpd: --for: '%s' is not a positive number of seconds\n",
					optarg);
				return WPD_USAGE;
			}
			break;
		case 'v':
			d.verbose = true;
			break;
		case 'h':
			usage(stdout);
			return WPD_OK;
		default:
			usage(stderr);
			return WPD_USAGE;
		}
	}
	if (optind < argc || (once && run_for)) {
		fprintf(stderr, "wpd: %s\n", optind < argc ? "unexpected argument" :
			"--once and --for exclude each other");
		return WPD_USAGE;
	}
	if (wpd_config_load(&d.cfg, state_dir, err, sizeof(err))) {
		fprintf(stderr, "wpd: %s\n", err);
		return WPD_FAILED;
	}
	d.http = wp_http_new(d.cfg.server, d.cfg.ca_file[0] ? d.cfg.ca_file : NULL,
			     err, sizeof(err));
	if (!d.http) {
		fprintf(stderr, "wpd: %s\n", err);
		return WPD_FAILED;
	}
	wp_http_set_token(d.http, d.cfg.device_token);
	wpd_results_load(&d);

	d.enabler = wp_enabler_open();
	ret = d.enabler < 0 ? d.enabler : wp_enabler_bind(d.enabler);
	if (ret) {
		fprintf(stderr, "wpd: cannot authenticate to the enabler: %s\n",
			wp_enabler_explain(ret));
		return WPD_NO_ENABLER;
	}
	if (!once) {
		ret = wp_enabler_daemon_register(d.enabler);
		if (ret) {
			fprintf(stderr, "wpd: cannot register as the daemon: %s\n",
				wp_enabler_explain(ret));
			return ret == -EBUSY ? WPD_REFUSED : WPD_NO_ENABLER;
		}
		events = wp_events_open();	/* root only; polling covers the rest */
	}
	wpd_restore_lease(&d);
	if (!wp_enabler_status(d.enabler, &st) && st.state == WORKPHONE_STATE_WIPED)
		wpd_wipe_local(&d);
	wpd_log(&d, "%s for device %s, server %s", once ? "checking in once" : "running",
		d.cfg.device_id_text, d.cfg.server);

	start = now_s();
	for (;;) {
		double wait;

		ret = wpd_checkin(&d, err, sizeof(err));
		if (ret == WPD_CHECKIN_WIPED) {
			wpd_log(&d, "the server has this device as wiped: no more check-ins; enrol it again with wp-provision");
			if (!wp_enabler_status(d.enabler, &st) &&
			    st.state != WORKPHONE_STATE_WIPED)
				wpd_wipe_local(&d);
			break;
		}
		if (ret) {
			wpd_log(&d, "check-in failed: %s", err);
			backoff = backoff ? backoff * 2 : 2;
		} else {
			wpd_log(&d, "checked in; next in about %u s", d.lease_interval_s);
			backoff = 0;
		}
		if (once)
			break;
		wait = d.lease_interval_s ? d.lease_interval_s : 60;
		if (backoff && backoff < wait)
			wait = backoff;
		wait = jitter(wait);
		if (run_for && now_s() + wait > start + run_for)
			wait = start + run_for - now_s();
		wpd_wait(&d, events, wait > 0 ? wait : 0);
		if (run_for && now_s() >= start + run_for)
			break;
	}
	if (!once && wp_enabler_daemon_unregister(d.enabler))
		wpd_log(&d, "unregister failed");
	if (events)
		wp_events_close(events);
	json_object_put(d.results);
	wp_http_free(d.http);
	close(d.enabler);
	if (ret == WPD_CHECKIN_WIPED)
		return WPD_WIPED;
	return once && ret ? WPD_FAILED : WPD_OK;
}
