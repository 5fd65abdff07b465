/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wpvmm: the work phone's password, enforced by the hypervisor.
 *
 * The policy (--password-policy, written by wp-provision from the policy
 * set) says whether a password is required and how strong it must be, when
 * it expires, after how much inactivity the work phone locks again and how
 * many wrong tries lock it out.  The state (--password-state) holds the
 * salted scrypt hash, when it was set, the failed tries and the lock-out
 * flag.  While the work phone is locked by its password its vCPUs are
 * paused (reason "password lock"): no guest code runs until the right
 * password comes through the control socket.  Formats and commands:
 * Documentation/device-tools.rst ("Password").
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WPVMM_PASSWORD_H
#define WPVMM_PASSWORD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <json-c/json.h>

struct vm;
struct password;

/* The pause reason while the password lock is engaged. */
#define PASSWORD_PAUSE_REASON	"password lock"
/* Longest password accepted, in bytes. */
#define PASSWORD_MAX_BYTES	128

enum pw_strength {
	PW_STRENGTH_PIN,		/* any characters: digits are enough */
	PW_STRENGTH_ALPHANUMERIC,	/* at least one letter and one digit */
	PW_STRENGTH_COMPLEX,		/* lower, upper, digit and symbol */
};

struct pw_policy {
	bool required;
	enum pw_strength strength;
	unsigned int min_length;	/* characters */
	uint64_t expiration_s;		/* 0: never expires */
	uint64_t auto_lock_s;		/* 0: no inactivity lock */
	unsigned int max_retries;	/* 0: unlimited */
};

/*
 * Read and check a policy file; errors name the file and the field.
 * 0 or -EINVAL (reported with vmm_input_error()).
 */
int password_policy_load(const char *path, struct pw_policy *p);
json_object *password_policy_to_json(const struct pw_policy *p);
/*
 * Check that a state file, if it exists, is well formed (for startup and
 * --check); errors name the file and the field.  0 or -EINVAL.
 */
int password_state_check(const char *path);
/*
 * Does pw (len bytes) satisfy the policy?  0, or -EINVAL with a message
 * that names the rule broken.  Never copies the password into msg.
 */
int password_check_rules(const struct pw_policy *p, const char *pw, size_t len,
			 char *msg, size_t msg_len);

/*
 * The runtime lock of a VM whose configuration has a password policy.
 * Call before the vCPU threads start: if a password is required (or set)
 * the VM starts locked and no guest code ever runs before "unlock".
 * NULL on failure (logged).
 */
struct password *password_new(struct vm *vm, const struct pw_policy *policy,
			      const char *state_path);
void password_free(struct password *pw);

/*
 * Lock now if the inactivity deadline passed while the timer could not
 * fire (the device was asleep).  Call before handling each request.
 */
void password_check_idle(struct password *pw);
/* Is the password lock engaged?  false for NULL. */
bool password_locked(const struct password *pw);
/* The user did something (wpctl, console input): restart the idle timer. */
void password_activity(struct password *pw);
/* Add the "password" object to a status reply (nothing for NULL). */
void password_status(const struct password *pw, json_object *status);
/*
 * Handle the password commands (unlock, passwd, lock, activity,
 * admin-unlock) from a peer with uid peer_uid.  Returns the reply, or
 * NULL if cmd is not one of them.  The password strings in req are wiped.
 */
json_object *password_command(struct password *pw, const char *cmd,
			      json_object *req, uid_t peer_uid);
/* Wipe the password strings of any request ("password", "old", "new"). */
void password_wipe_request(json_object *req);

#endif /* WPVMM_PASSWORD_H */
