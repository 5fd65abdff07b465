/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wpvmm: the host end of the control channel to the guest agent.
 *
 * A byte stream (a virtio-console port, /dev/hvc0 in the guest) carries
 * text lines; Documentation/image-format.rst specifies them:
 *
 *   guest -> host   hello VERSION        the agent is up (the phone is ready)
 *                   hb N                 heartbeat counter, about every 100 ms
 *                   pong TOKEN N         answer to ping, with the counter
 *                   poweroff             disks are synced: power me off
 *   host -> guest   ping TOKEN
 *                   poweroff             shut down cleanly
 *
 * Everything here runs in the main thread.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WPVMM_CHANNEL_H
#define WPVMM_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vm;
struct channel;

/* The transport under the channel (virtio-console). */
struct channel_port {
	/* Queue bytes for the guest; 0 or -ENOSPC if the guest is not reading. */
	int (*send)(struct channel_port *port, const void *buf, size_t len);
};

struct channel_state {
	bool connected;			/* a port exists */
	bool agent_ready;		/* "hello" seen */
	char agent_version[32];
	uint64_t ready_ns;
	uint64_t heartbeat;
	uint64_t heartbeat_ns;		/* when it last changed, 0: never */
	uint64_t lines_received;
};

/* ok: answered; rtt_ns and heartbeat valid only then. */
typedef void (*channel_ping_fn)(void *opaque, bool ok, uint64_t rtt_ns,
				uint64_t heartbeat);

struct channel *channel_new(struct vm *vm);
void channel_free(struct channel *ch);
/* virtio-console: the port came into existence / bytes from the guest. */
void channel_attach_port(struct channel *ch, struct channel_port *port);
void channel_receive(struct channel *ch, const uint8_t *buf, size_t len);

void channel_get_state(const struct channel *ch, struct channel_state *st);
/* Round trip to the agent; fn is called exactly once.  0 or -errno. */
int channel_ping(struct channel *ch, uint64_t timeout_ns, channel_ping_fn fn,
		 void *opaque);
/* Forget pings whose caller went away (opaque). */
void channel_cancel(struct channel *ch, void *opaque);
/* Ask the agent to power the guest off; -ENOTCONN without an agent. */
int channel_request_poweroff(struct channel *ch);

#endif /* WPVMM_CHANNEL_H */
