/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wpd: the management daemon (FIG. 6 of the patents).  It binds to the
 * enabler, registers as the protected daemon, restores the last lease
 * after a reboot, checks in with the server every lease interval, hands
 * signed leases and commands to the enabler, executes the commands the
 * enabler does not (apps, image, policy) and reports their results.
 *
 * State directory (default /var/lib/workphone, root only):
 *   config.json      written by wp-provision: server, device token, ...
 *   lease/           the last accepted lease (lease-protocol.rst)
 *   results.json     command results not yet reported
 *   policy.json      the policy set of the manifest or of the last
 *                    policy_change
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WPD_H
#define WPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

struct wp_http;

struct wpd_config {
	char state_dir[256];
	char server[512];
	char device_token[256];
	char device_id_text[40];
	uint8_t device_id[16];
	char ca_file[512];	/* empty: system trust store */
	char image_dir[512];	/* the work phone's files: wiped on WIPE */
	char vmm_socket[108];	/* wpvmm's control socket (sun_path) */
};

struct wpd {
	struct wpd_config cfg;
	int enabler;		/* bound /dev/workphone */
	struct wp_http *http;
	json_object *results;	/* array of pending results */
	uint32_t lease_interval_s;
	bool verbose;
};

/* config.c */
int wpd_config_load(struct wpd_config *cfg, const char *state_dir,
		    char *err, size_t err_len);

/* persist.c */
int wpd_persist_lease(struct wpd *d, const void *doc, const void *sig,
		      size_t sig_len, const void *cert, size_t cert_len);
int wpd_restore_lease(struct wpd *d);
int wpd_load_server_cert(struct wpd *d, uint8_t **cert, size_t *len);
void wpd_results_load(struct wpd *d);
int wpd_results_save(struct wpd *d);
/* error for a failed command; note (or NULL) says more about a done one. */
void wpd_result_add(struct wpd *d, const char *command_id, bool ok,
		    const char *error, const char *note);

/*
 * checkin.c: one check-in; 0, WPD_CHECKIN_WIPED when the server has this
 * device as wiped (it never leases it again), or -1 with a message in err.
 */
#define WPD_CHECKIN_WIPED 1
int wpd_checkin(struct wpd *d, char *err, size_t err_len);

/* commands.c */
void wpd_run_command(struct wpd *d, json_object *cmd, const uint8_t nonce[32]);
int wpd_wipe_local(struct wpd *d);

/*
 * vmm.c: the work phone's wpvmm, through its control socket.  A wpvmm
 * that is not running (no socket, nobody listening) is logged and is not
 * an error: there is nothing to tell it.  0, or -1 with err set.
 */
/* Lift a password lock-out ("admin-unlock"), after a signed unlock. */
int wpd_vmm_admin_unlock(struct wpd *d, char *err, size_t err_len);
/* Stop the VM and wait until wpvmm has exited (before a wipe). */
int wpd_vmm_stop(struct wpd *d, char *err, size_t err_len);
/* Make wpvmm read IMAGE_DIR/password-policy.json again. */
int wpd_vmm_policy_reload(struct wpd *d, char *err, size_t err_len);

void wpd_log(struct wpd *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* WPD_H */
