// SPDX-License-Identifier: GPL-2.0-only
/*
 * A listener for the enabler's generic-netlink events (libnl-genl-3),
 * shared by wpctl monitor, wpd and the tests.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <linux/workphone.h>

#include "events.h"

struct wp_events_ctx {
	uint32_t want;
	int found;
	struct wp_event_msg *out;
};

static int wp_events_parse(struct nl_msg *msg, void *arg)
{
	static struct nla_policy policy[WORKPHONE_ATTR_MAX + 1] = {
		[WORKPHONE_ATTR_EVENT] = { .type = NLA_U32 },
		[WORKPHONE_ATTR_PID] = { .type = NLA_U32 },
		[WORKPHONE_ATTR_ERRNO] = { .type = NLA_U32 },
		[WORKPHONE_ATTR_LOCK_REASONS] = { .type = NLA_U32 },
		[WORKPHONE_ATTR_VM_ID] = { .type = NLA_U32 },
		[WORKPHONE_ATTR_TIME_NS] = { .type = NLA_U64 },
		[WORKPHONE_ATTR_COMM] = { .type = NLA_STRING },
	};
	struct wp_events_ctx *ctx = arg;
	struct nlattr *tb[WORKPHONE_ATTR_MAX + 1];
	struct wp_event_msg ev = { 0 };

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, WORKPHONE_ATTR_MAX, policy) ||
	    !tb[WORKPHONE_ATTR_EVENT])
		return NL_SKIP;
	ev.event = nla_get_u32(tb[WORKPHONE_ATTR_EVENT]);
	if (tb[WORKPHONE_ATTR_PID])
		ev.pid = nla_get_u32(tb[WORKPHONE_ATTR_PID]);
	if (tb[WORKPHONE_ATTR_ERRNO])
		ev.err = nla_get_u32(tb[WORKPHONE_ATTR_ERRNO]);
	if (tb[WORKPHONE_ATTR_LOCK_REASONS])
		ev.lock_reasons = nla_get_u32(tb[WORKPHONE_ATTR_LOCK_REASONS]);
	if (tb[WORKPHONE_ATTR_VM_ID])
		ev.vm_id = nla_get_u32(tb[WORKPHONE_ATTR_VM_ID]);
	if (tb[WORKPHONE_ATTR_TIME_NS])
		ev.time_ns = nla_get_u64(tb[WORKPHONE_ATTR_TIME_NS]);
	if (tb[WORKPHONE_ATTR_COMM])
		nla_strlcpy(ev.comm, tb[WORKPHONE_ATTR_COMM], sizeof(ev.comm));
	if (!ctx->found && (!ctx->want || ctx->want == ev.event)) {
		*ctx->out = ev;
		ctx->found = 1;
	}
	return NL_OK;
}

struct nl_sock *wp_events_open(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	int grp, ret;

	if (!sk) {
		errno = ENOMEM;
		return NULL;
	}
	ret = genl_connect(sk);
	if (ret)
		goto fail;
	grp = genl_ctrl_resolve_grp(sk, WORKPHONE_GENL_NAME,
				    WORKPHONE_GENL_MCGRP);
	if (grp < 0) {
		ret = grp;
		goto fail;
	}
	nl_socket_disable_seq_check(sk);
	ret = nl_socket_add_membership(sk, grp);
	if (ret)
		goto fail;
	nl_socket_set_nonblocking(sk);
	return sk;
fail:
	errno = ret == -NLE_PERM ? EPERM :
		ret == -NLE_OBJ_NOTFOUND ? ENOENT : EIO;
	nl_socket_free(sk);
	return NULL;
}

void wp_events_close(struct nl_sock *sk)
{
	nl_socket_free(sk);
}

static long wp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int wp_events_wait(struct nl_sock *sk, uint32_t event, int timeout_ms,
		   struct wp_event_msg *out)
{
	struct wp_events_ctx ctx = { .want = event, .out = out };
	long deadline = wp_now_ms() + timeout_ms;

	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, wp_events_parse,
			    &ctx);
	while (!ctx.found) {
		struct pollfd pfd = { .fd = nl_socket_get_fd(sk), .events = POLLIN };
		long left = deadline - wp_now_ms();
		int ret;

		if (left <= 0)
			return 0;
		ret = poll(&pfd, 1, left);
		if (ret < 0)
			return -errno;
		if (!ret)
			return 0;
		ret = nl_recvmsgs_default(sk);
		if (ret < 0 && ret != -NLE_AGAIN)
			return -EIO;
	}
	return 1;
}
