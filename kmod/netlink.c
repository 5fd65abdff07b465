// SPDX-License-Identifier: GPL-2.0-only
/*
 * Workphone enabler: events on the "workphone" generic-netlink family.
 *
 * The family has no request commands; it only multicasts
 * WORKPHONE_CMD_EVENT messages on the "events" group.  Joining the group
 * needs CAP_SYS_ADMIN (GENL_MCAST_CAP_SYS_ADMIN), because bind failures
 * are audit records.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ktime.h>
#include <linux/timekeeping.h>
#include <net/genetlink.h>

#include "workphone.h"

static const struct genl_multicast_group wp_genl_mcgrps[] = {
	{
		.name = WORKPHONE_GENL_MCGRP,
#ifdef GENL_MCAST_CAP_SYS_ADMIN
		.flags = GENL_MCAST_CAP_SYS_ADMIN,
#endif
	},
};

static struct genl_family wp_genl_family = {
	.name		= WORKPHONE_GENL_NAME,
	.version	= WORKPHONE_GENL_VERSION,
	.maxattr	= WORKPHONE_ATTR_MAX,
	.module		= THIS_MODULE,
	.mcgrps		= wp_genl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(wp_genl_mcgrps),
	.resv_start_op	= __WORKPHONE_CMD_MAX,
};

static bool wp_genl_registered;

/**
 * wp_event() - multicast one event
 * @event:	&enum workphone_event
 * @pid:	process concerned, 0 if none
 * @err:	positive errno of a refusal, 0 if none
 * @lock_reasons: lock reasons (sent with WORKPHONE_EVENT_LOCK_CHANGED)
 * @vm_id:	VM concerned, 0 if none
 * @comm:	command name of the process, NULL if none
 *
 * Events are best effort: without listeners, or out of memory, they are
 * dropped.  May sleep.
 */
void wp_event(u32 event, pid_t pid, u32 err, u32 lock_reasons, u32 vm_id,
	      const char *comm)
{
	struct sk_buff *skb;
	void *hdr;

	if (!wp_genl_registered ||
	    !genl_has_listeners(&wp_genl_family, &init_net, 0))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &wp_genl_family, 0, WORKPHONE_CMD_EVENT);
	if (!hdr)
		goto fail;
	if (nla_put_u32(skb, WORKPHONE_ATTR_EVENT, event) ||
	    nla_put_u64_64bit(skb, WORKPHONE_ATTR_TIME_NS, ktime_get_boottime_ns(),
			      WORKPHONE_ATTR_PAD) ||
	    (pid && nla_put_u32(skb, WORKPHONE_ATTR_PID, pid)) ||
	    (err && nla_put_u32(skb, WORKPHONE_ATTR_ERRNO, err)) ||
	    (event == WORKPHONE_EVENT_LOCK_CHANGED &&
	     nla_put_u32(skb, WORKPHONE_ATTR_LOCK_REASONS, lock_reasons)) ||
	    (vm_id && nla_put_u32(skb, WORKPHONE_ATTR_VM_ID, vm_id)) ||
	    (comm && nla_put_string(skb, WORKPHONE_ATTR_COMM, comm)))
		goto fail;
	genlmsg_end(skb, hdr);
	genlmsg_multicast(&wp_genl_family, skb, 0, 0, GFP_KERNEL);
	return;
fail:
	nlmsg_free(skb);
}

int wp_netlink_init(void)
{
	int ret = genl_register_family(&wp_genl_family);

	if (ret) {
		pr_err("cannot register generic netlink family: %d\n", ret);
		return ret;
	}
	wp_genl_registered = true;
	return 0;
}

void wp_netlink_exit(void)
{
	if (wp_genl_registered)
		genl_unregister_family(&wp_genl_family);
	wp_genl_registered = false;
}
