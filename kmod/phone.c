// SPDX-License-Identifier: GPL-2.0-only
/*
 * Workphone enabler: the lock state of the work phone.
 *
 * Guest code of the work phone runs only while no lock reason is set.
 * Setting a reason kicks every vCPU out of the guest (vm.c) before this
 * returns; clearing the last one wakes VMMs waiting in poll() on a VM fd.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <linux/sched.h>

#include "workphone.h"

struct wp_phone wp_phone;

void wp_phone_init(void)
{
	mutex_init(&wp_phone.lock);
	INIT_LIST_HEAD(&wp_phone.vms);
	init_waitqueue_head(&wp_phone.state_wq);
}

u32 wp_phone_lock_reasons(void)
{
	return READ_ONCE(wp_phone.lock_reasons);
}

/**
 * wp_phone_update_lock_locked() - set and clear lock reasons
 * @set:	&enum workphone_lock_reason bits to set
 * @clear:	bits to clear
 *
 * Context: wp_phone.lock held.
 */
void wp_phone_update_lock_locked(u32 set, u32 clear)
{
	u32 old = wp_phone.lock_reasons, new = (old | set) & ~clear;

	lockdep_assert_held(&wp_phone.lock);
	if (new == old)
		return;
	WRITE_ONCE(wp_phone.lock_reasons, new);
	/* Order the store before reading which vCPUs are running. */
	smp_mb();
	if (new)
		wp_vm_kick_all();
	wake_up_all(&wp_phone.state_wq);
	wp_event(WORKPHONE_EVENT_LOCK_CHANGED, 0, 0, new, 0, NULL);
}

/**
 * wp_phone_set_lock() - set or clear lock reasons
 * @reasons:	&enum workphone_lock_reason bits
 * @set:	true to set them, false to clear them
 */
void wp_phone_set_lock(u32 reasons, bool set)
{
	mutex_lock(&wp_phone.lock);
	wp_phone_update_lock_locked(set ? reasons : 0, set ? 0 : reasons);
	mutex_unlock(&wp_phone.lock);
}
