// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpvmm: the host end of the control channel to the guest agent.  Lines
 * from the guest are untrusted: bounded, parsed strictly, unknown ones
 * ignored.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel.h"
#include "evloop.h"
#include "util.h"
#include "vm.h"

#define LINE_MAX_LEN	256
#define MAX_PINGS	16

struct pending_ping {
	bool used;
	uint64_t token;
	uint64_t sent_ns;
	channel_ping_fn fn;
	void *opaque;
	struct ev_timer *timer;
	struct channel *ch;
};

struct channel {
	struct vm *vm;
	struct channel_port *port;
	struct channel_state st;
	char line[LINE_MAX_LEN];
	size_t line_len;
	bool line_overflow;
	uint64_t next_token;
	struct pending_ping pings[MAX_PINGS];
};

struct channel *channel_new(struct vm *vm)
{
	struct channel *ch = calloc(1, sizeof(*ch));

	if (!ch)
		return NULL;
	ch->vm = vm;
	ch->next_token = 1;
	return ch;
}

static void finish_ping(struct pending_ping *p, bool ok, uint64_t heartbeat)
{
	channel_ping_fn fn = p->fn;
	void *opaque = p->opaque;
	uint64_t rtt = vmm_now_ns() - p->sent_ns;

	ev_timer_free(p->timer);
	memset(p, 0, sizeof(*p));
	fn(opaque, ok, rtt, heartbeat);
}

void channel_free(struct channel *ch)
{
	if (!ch)
		return;
	for (int i = 0; i < MAX_PINGS; i++)
		if (ch->pings[i].used)
			finish_ping(&ch->pings[i], false, 0);
	free(ch);
}

void channel_attach_port(struct channel *ch, struct channel_port *port)
{
	ch->port = port;
	ch->st.connected = true;
}

static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return !errno && !*end;
}

static void set_heartbeat(struct channel *ch, uint64_t n)
{
	if (n != ch->st.heartbeat || !ch->st.heartbeat_ns)
		ch->st.heartbeat_ns = vmm_now_ns();
	ch->st.heartbeat = n;
}

static void handle_line(struct channel *ch, char *line)
{
	char *words[4] = { 0 }, *save = NULL;
	int n = 0;
	uint64_t a, b;

	for (char *w = strtok_r(line, " ", &save); w && n < 4; w = strtok_r(NULL, " ", &save))
		words[n++] = w;
	if (!n)
		return;
	ch->st.lines_received++;
	if (!strcmp(words[0], "hello") && n == 2) {
		snprintf(ch->st.agent_version, sizeof(ch->st.agent_version), "%s", words[1]);
		ch->st.agent_ready = true;
		ch->st.ready_ns = vmm_now_ns();
		vmm_info("guest agent %s is ready", ch->st.agent_version);
	} else if (!strcmp(words[0], "hb") && n == 2 && parse_u64(words[1], &a)) {
		set_heartbeat(ch, a);
	} else if (!strcmp(words[0], "pong") && n == 3 && parse_u64(words[1], &a) &&
		   parse_u64(words[2], &b)) {
		set_heartbeat(ch, b);
		for (int i = 0; i < MAX_PINGS; i++)
			if (ch->pings[i].used && ch->pings[i].token == a)
				finish_ping(&ch->pings[i], true, b);
	} else if (!strcmp(words[0], "poweroff") && n == 1) {
		vm_request_stop(ch->vm, VM_STOP_POWEROFF, "the guest powered off");
	} else {
		vmm_debug("control channel: ignored line \"%.40s\"", words[0]);
	}
}

void channel_receive(struct channel *ch, const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = (char)buf[i];

		if (c == '\r')
			continue;
		if (c == '\n') {
			if (!ch->line_overflow) {
				ch->line[ch->line_len] = '\0';
				handle_line(ch, ch->line);
			}
			ch->line_len = 0;
			ch->line_overflow = false;
			continue;
		}
		if (ch->line_len == LINE_MAX_LEN - 1 || !c) {
			ch->line_overflow = true;
			continue;
		}
		ch->line[ch->line_len++] = c;
	}
}

void channel_get_state(const struct channel *ch, struct channel_state *st)
{
	*st = ch->st;
}

static void ping_timeout(void *opaque, uint32_t events)
{
	struct pending_ping *p = opaque;

	(void)events;
	finish_ping(p, false, 0);
}

int channel_ping(struct channel *ch, uint64_t timeout_ns, channel_ping_fn fn,
		 void *opaque)
{
	struct pending_ping *p = NULL;
	char msg[64];
	int len, ret;

	if (!ch->port)
		return -ENOTCONN;
	for (int i = 0; i < MAX_PINGS && !p; i++)
		if (!ch->pings[i].used)
			p = &ch->pings[i];
	if (!p)
		return -EBUSY;
	p->timer = ev_timer_new(ch->vm->loop, ping_timeout, p);
	if (!p->timer)
		return -ENOMEM;
	p->used = true;
	p->token = ch->next_token++;
	p->fn = fn;
	p->opaque = opaque;
	p->ch = ch;
	p->sent_ns = vmm_now_ns();
	len = snprintf(msg, sizeof(msg), "ping %" PRIu64 "\n", p->token);
	ret = ch->port->send(ch->port, msg, (size_t)len);
	if (ret) {
		ev_timer_free(p->timer);
		memset(p, 0, sizeof(*p));
		return ret;
	}
	ev_timer_arm(p->timer, timeout_ns, 0);
	return 0;
}

void channel_cancel(struct channel *ch, void *opaque)
{
	for (int i = 0; i < MAX_PINGS; i++) {
		if (!ch->pings[i].used || ch->pings[i].opaque != opaque)
			continue;
		ev_timer_free(ch->pings[i].timer);
		memset(&ch->pings[i], 0, sizeof(ch->pings[i]));
	}
}

int channel_request_poweroff(struct channel *ch)
{
	static const char msg[] = "poweroff\n";

	if (!ch->port || !ch->st.agent_ready)
		return -ENOTCONN;
	return ch->port->send(ch->port, msg, sizeof(msg) - 1);
}
