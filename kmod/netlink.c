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
#include <linux/sched.h>
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
 * struct wp_event_info - one event's attributes; zero means "absent"
 * @event:	&enum workphone_event
 * @pid:	process concerned
 * @err:	positive errno of a refusal
 * @lock_reasons: lock reasons (always sent with LOCK_CHANGED)
 * @vm_id:	VM concerned
 * @doc_kind:	kind of signed document concerned
 * @comm:	command name of the process
 */
struct wp_event_info {
	u32 event;
	pid_t pid;
	u32 err;
	u32 lock_reasons;
	u32 vm_id;
	u32 doc_kind;
	const char *comm;
};

static void wp_event_send(const struct wp_event_info *ev)
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
	if (nla_put_u32(skb, WORKPHONE_ATTR_EVENT, ev->event) ||
	    nla_put_u64_64bit(skb, WORKPHONE_ATTR_TIME_NS, ktime_get_boottime_ns(),
			      WORKPHONE_ATTR_PAD) ||
	    (ev->pid && nla_put_u32(skb, WORKPHONE_ATTR_PID, ev->pid)) ||
	    (ev->err && nla_put_u32(skb, WORKPHONE_ATTR_ERRNO, ev->err)) ||
	    (ev->event == WORKPHONE_EVENT_LOCK_CHANGED &&
	     nla_put_u32(skb, WORKPHONE_ATTR_LOCK_REASONS, ev->lock_reasons)) ||
	    (ev->vm_id && nla_put_u32(skb, WORKPHONE_ATTR_VM_ID, ev->vm_id)) ||
	    (ev->doc_kind &&
	     nla_put_u32(skb, WORKPHONE_ATTR_DOC_KIND, ev->doc_kind)) ||
	    (ev->comm && nla_put_string(skb, WORKPHONE_ATTR_COMM, ev->comm)))
		goto fail;
	genlmsg_end(skb, hdr);
	genlmsg_multicast(&wp_genl_family, skb, 0, 0, GFP_KERNEL);
	return;
fail:
	nlmsg_free(skb);
}

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
	struct wp_event_info ev = {
		.event = event, .pid = pid, .err = err,
		.lock_reasons = lock_reasons, .vm_id = vm_id, .comm = comm,
	};

	wp_event_send(&ev);
}

/**
 * wp_event_doc() - multicast an event about a signed document
 * @event:	WORKPHONE_EVENT_DOC_ACCEPTED or WORKPHONE_EVENT_DOC_REFUSED
 * @err:	positive errno of a refusal, 0 if accepted
 * @doc_kind:	the document's kind, 0 if unknown
 *
 * The calling process is the one that submitted the document.
 */
void wp_event_doc(u32 event, u32 err, u32 doc_kind)
{
	struct wp_event_info ev = {
		.event = event, .pid = task_tgid_nr(current), .err = err,
		.doc_kind = doc_kind, .comm = current->comm,
	};

	wp_event_send(&ev);
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
