// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpctl status and wpctl version: what the enabler reports (and, through
 * the status_vm hook, the VM as wpvmm reports it).
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "enabler.h"
#include "wpctl.h"
#include "wpdoc.h"

const char *wpctl_duration(unsigned long long ns, char *buf, unsigned long len)
{
	unsigned long long s = ns / 1000000000ULL;
	unsigned long long d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60;

	if (d)
		snprintf(buf, len, "%llud %lluh %llum", d, h, m);
	else if (h)
		snprintf(buf, len, "%lluh %llum %llus", h, m, s % 60);
	else if (m)
		snprintf(buf, len, "%llum %llus", m, s % 60);
	else
		snprintf(buf, len, "%llu.%03llus", s, ns / 1000000 % 1000);
	return buf;
}

static int wpctl_open(void)
{
	int fd = wp_enabler_open();

	if (fd < 0)
		fprintf(stderr, "wpctl: %s\n", wp_enabler_explain(fd));
	return fd;
}

int wpctl_status(const struct wpctl_opts *o, int argc, char **argv)
{
	struct workphone_status st;
	char reasons[128], dev[37], t1[32], t2[32];
	int fd, ret;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "wpctl status: takes no arguments\n");
		return WPCTL_USAGE;
	}
	fd = wpctl_open();
	if (fd < 0)
		return WPCTL_NO_ENABLER;
	ret = wp_enabler_status(fd, &st);
	close(fd);
	if (ret) {
		fprintf(stderr, "wpctl status: %s\n", wp_enabler_explain(ret));
		return WPCTL_FAILED;
	}
	wp_lock_reasons_str(st.lock_reasons, reasons, sizeof(reasons));
	wpdoc_uuid_format(st.device_id, dev);

	if (o->json) {
		json_object *j = json_object_new_object();

		json_object_object_add(j, "state", json_object_new_string(wp_state_name(st.state)));
		json_object_object_add(j, "lock_reasons", json_object_new_string(reasons));
		json_object_object_add(j, "device_id", json_object_new_string(dev));
		json_object_object_add(j, "policy_version", json_object_new_int64(st.policy_version));
		json_object_object_add(j, "lease_interval_s", json_object_new_int64(st.lease_interval_s));
		json_object_object_add(j, "disable_in_ns", json_object_new_int64((int64_t)st.disable_in_ns));
		json_object_object_add(j, "wipe_in_ns", json_object_new_int64((int64_t)st.wipe_in_ns));
		json_object_object_add(j, "daemon_pid", json_object_new_int(st.daemon_pid));
		if (o->status_vm)
			o->status_vm(o, j);
		json_object_object_add(j, "vms", json_object_new_int64(st.nr_vms));
		printf("%s\n", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN));
		json_object_put(j);
		return WPCTL_OK;
	}
	printf("Work phone:    %s\n", wp_state_name(st.state));
	printf("Lock reasons:  %s\n", reasons);
	if (st.state != WORKPHONE_STATE_UNPROVISIONED &&
	    st.state != WORKPHONE_STATE_WIPED) {
		printf("Device id:     %s\n", dev);
		printf("Policy:        version %u, check-in every %u s\n",
		       st.policy_version, st.lease_interval_s);
		printf("Auto-disable:  %s\n", st.disable_in_ns ?
		       wpctl_duration(st.disable_in_ns, t1, sizeof(t1)) : "passed");
		printf("Auto-wipe:     %s\n", st.wipe_in_ns ?
		       wpctl_duration(st.wipe_in_ns, t2, sizeof(t2)) : "passed");
	} else if (st.state == WORKPHONE_STATE_WIPED) {
		printf("               the work phone was erased; provision again\n");
	} else {
		printf("               not provisioned yet: run wp-provision\n");
	}
	if (st.daemon_pid)
		printf("Daemon:        pid %d (protected)\n", st.daemon_pid);
	else
		printf("Daemon:        not running\n");
	printf("VMs:           %u\n", st.nr_vms);
	if (o->status_vm)
		o->status_vm(o, NULL);
	return WPCTL_OK;
}

int wpctl_version(const struct wpctl_opts *o, int argc, char **argv)
{
	struct workphone_version v;
	int fd, ret;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "wpctl version: takes no arguments\n");
		return WPCTL_USAGE;
	}
	fd = wpctl_open();
	if (fd < 0)
		return WPCTL_NO_ENABLER;
	ret = wp_enabler_version(fd, &v);
	close(fd);
	if (ret) {
		fprintf(stderr, "wpctl version: %s\n", wp_enabler_explain(ret));
		return WPCTL_FAILED;
	}
	if (o->json) {
		json_object *j = json_object_new_object();

		json_object_object_add(j, "abi_version", json_object_new_int64(v.abi_version));
		json_object_object_add(j, "features", json_object_new_int64((int64_t)v.features));
		json_object_object_add(j, "module_version", json_object_new_string(v.module_version));
		printf("%s\n", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN));
		json_object_put(j);
		return WPCTL_OK;
	}
	printf("enabler %s, ABI %u, features %#llx\n", v.module_version,
	       v.abi_version, (unsigned long long)v.features);
	return WPCTL_OK;
}
