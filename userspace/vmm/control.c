// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpvmm: the JSON control socket.
 *
 * One AF_UNIX stream socket, mode 0600, and only peers with wpvmm's own
 * uid (or root) are served.  Requests and replies are one JSON object per
 * line.  Every reply has "ok"; failures add "error" (a sentence) and
 * "code" (a stable word).  A request's "id", if any, is echoed.  After a
 * successful "console" the connection carries raw console bytes instead.
 *
 * With a password policy (password.c) the password commands are handled
 * there; while the password lock is engaged "resume", "pause" and
 * "console" are refused, and "admin-unlock" and "policy-reload" (read the
 * policy file again) are served to root peers only.
 * Request bytes are wiped once handled: they may carry passwords.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "channel.h"
#include "config.h"
#include "console.h"
#include "control.h"
#include "evloop.h"
#include "password.h"
#include "util.h"
#include "vm.h"

#define REQUEST_MAX		(16 * 1024)
#define MAX_CLIENTS		16
#define PAUSE_TIMEOUT_NS	(5 * NSEC_PER_SEC)
#define PING_TIMEOUT_MS		2000
#define STOP_TIMEOUT_MS		10000
#define MAX_PINGS		8

struct ping_ctx;

struct client {
	struct control *ctl;
	int fd;
	uid_t uid;			/* SO_PEERCRED at accept */
	char buf[REQUEST_MAX];
	size_t len;
	json_object *waiting_stop_id;	/* answered when the VM has stopped */
	bool waiting_stop;
	struct ping_ctx *pings[MAX_PINGS];	/* outstanding */
};

struct control {
	struct vm *vm;
	char *path;
	int listen_fd;
	struct client *clients[MAX_CLIENTS];
	struct ev_timer *stop_timer;
	bool stop_in_progress;
	struct password *pw;		/* NULL: no password policy */
};

struct ping_ctx {
	struct client *client;
	json_object *id;
};

static void client_close(struct client *c);

static void send_reply(struct client *c, json_object *reply, json_object *id)
{
	const char *text;

	if (id)
		json_object_object_add(reply, "id", json_object_get(id));
	text = json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN);
	if (send(c->fd, text, strlen(text), MSG_NOSIGNAL | MSG_DONTWAIT) < 0 ||
	    send(c->fd, "\n", 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		vmm_debug("control: reply lost: %s", strerror(errno));
	json_object_put(reply);
}

static json_object *ok_reply(void)
{
	json_object *r = json_object_new_object();

	json_object_object_add(r, "ok", json_object_new_boolean(1));
	return r;
}

static json_object *verror_reply(const char *code, const char *fmt, va_list ap)
{
	json_object *r = json_object_new_object();
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	json_object_object_add(r, "ok", json_object_new_boolean(0));
	json_object_object_add(r, "code", json_object_new_string(code));
	json_object_object_add(r, "error", json_object_new_string(msg));
	return r;
}

static json_object *error_reply(const char *code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static json_object *error_reply(const char *code, const char *fmt, ...)
{
	json_object *r;
	va_list ap;

	va_start(ap, fmt);
	r = verror_reply(code, fmt, ap);
	va_end(ap);
	return r;
}

json_object *control_ok_reply(void)
{
	return ok_reply();
}

json_object *control_error_reply(const char *code, const char *fmt, ...)
{
	json_object *r;
	va_list ap;

	va_start(ap, fmt);
	r = verror_reply(code, fmt, ap);
	va_end(ap);
	return r;
}

static json_object *password_locked_reply(const char *what)
{
	return error_reply("password-locked", "cannot %s: the work phone is locked by its password (unlock first)",
			   what);
}

static json_object *state_error(struct vm *vm, int err, const char *what)
{
	const char *state;

	pthread_mutex_lock(&vm->lock);
	state = vm_state_name_locked(vm);
	pthread_mutex_unlock(&vm->lock);
	switch (err) {
	case -EALREADY:
		return error_reply("wrong-state", "cannot %s: the VM is %s", what, state);
	case -ESHUTDOWN:
		return error_reply("stopping", "cannot %s: the VM is stopping", what);
	case -ETIMEDOUT:
		return error_reply("timeout", "%s: the vCPUs did not all stop within %llu ms",
				   what, (unsigned long long)(PAUSE_TIMEOUT_NS / NSEC_PER_MSEC));
	default:
		return error_reply("failed", "%s: %s", what, strerror(-err));
	}
}

static json_object *json_ns(uint64_t ns)
{
	return json_object_new_int64((int64_t)ns);
}

static json_object *status_reply(struct control *ctl)
{
	struct vm *vm = ctl->vm;
	const struct vmm_config *cfg = vm->cfg;
	json_object *r = ok_reply(), *vcpus = json_object_new_array(), *o;
	struct channel_state ch = { 0 };
	uint64_t now = vmm_now_ns();
	char reasons[64] = "";
	bool locked;

	json_object_object_add(r, "protocol", json_object_new_int(CONTROL_PROTOCOL_VERSION));
	json_object_object_add(r, "pid", json_object_new_int(getpid()));
	json_object_object_add(r, "now_ns", json_ns(now));

	pthread_mutex_lock(&vm->lock);
	json_object_object_add(r, "state", json_object_new_string(vm_state_name_locked(vm)));
	json_object_object_add(r, "uptime_ms",
			       json_ns(vm->started_ns ? (now - vm->started_ns) / NSEC_PER_MSEC : 0));
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		static const char *const names[] = {
			[VCPU_CREATED] = "created", [VCPU_RUNNING] = "running",
			[VCPU_PARKED] = "parked", [VCPU_EXITED] = "exited",
		};
		struct vcpu *v = &vm->vcpus[i];

		o = json_object_new_object();
		json_object_object_add(o, "id", json_object_new_int((int)v->id));
		json_object_object_add(o, "state", json_object_new_string(names[v->state]));
		json_object_object_add(o, "exits_io", json_ns(atomic_load(&v->exits_io)));
		json_object_object_add(o, "exits_mmio", json_ns(atomic_load(&v->exits_mmio)));
		json_object_array_add(vcpus, o);
	}
	if (vm->paused) {
		o = json_object_new_object();
		json_object_object_add(o, "reason", json_object_new_string(vm->pause_reason));
		json_object_object_add(o, "requested_ns", json_ns(vm->pause_requested_ns));
		json_object_object_add(o, "all_out_ns", json_ns(vm->paused_ns));
		json_object_object_add(r, "paused", o);
	}
	locked = vm->locked;
	if (locked) {
		o = json_object_new_object();
		json_object_object_add(o, "since_ns", json_ns(vm->locked_ns));
		json_object_object_add(o, "all_out_ns", json_ns(vm->locked_all_out_ns));
		json_object_object_add(r, "locked", o);
	}
	pthread_mutex_unlock(&vm->lock);
	/*
	 * The enabler is asked each time: a VM whose vCPUs are not in guest
	 * code (created, paused) has not run into the lock yet, but is
	 * locked all the same.
	 */
	kvm_gate_lock_reasons(&vm->gate, reasons, sizeof(reasons));
	if (!locked && reasons[0]) {
		locked = true;
		o = json_object_new_object();
		json_object_object_add(o, "since_ns", json_ns(0));
		json_object_object_add(o, "all_out_ns", json_ns(0));
		json_object_object_add(r, "locked", o);
	}
	if (locked) {
		json_object_object_get_ex(r, "locked", &o);
		json_object_object_add(o, "reasons", json_object_new_string(reasons));
		json_object_object_add(o, "why", json_object_new_string(
			"the enabler refuses to run guest code while the work phone is locked"));
	}
	json_object_object_add(r, "vcpus", vcpus);

	o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(cfg->name ? cfg->name : ""));
	json_object_object_add(o, "os_name", json_object_new_string(cfg->os_name ? cfg->os_name : ""));
	json_object_object_add(o, "os_version",
			       json_object_new_string(cfg->os_version ? cfg->os_version : ""));
	json_object_object_add(o, "memory_mib", json_ns(cfg->mem_mib));
	json_object_object_add(o, "vcpus", json_object_new_int((int)cfg->vcpus));
	if (cfg->settings)
		json_object_object_add(o, "settings", json_object_get(cfg->settings));
	if (cfg->apps)
		json_object_object_add(o, "apps", json_object_get(cfg->apps));
	json_object_object_add(r, "image", o);

	o = json_object_new_object();
	json_object_object_add(o, "kind", json_object_new_string(console_kind_name(vm->console)));
	if (console_path(vm->console))
		json_object_object_add(o, "path", json_object_new_string(console_path(vm->console)));
	json_object_object_add(r, "console", o);
	json_object_object_add(r, "kvm", json_object_new_string(vm->gate.raw ? "raw" : "enabler"));

	if (vm->channel)
		channel_get_state(vm->channel, &ch);
	o = json_object_new_object();
	json_object_object_add(o, "connected", json_object_new_boolean(ch.connected));
	json_object_object_add(o, "ready", json_object_new_boolean(ch.agent_ready));
	if (ch.agent_ready) {
		json_object_object_add(o, "version", json_object_new_string(ch.agent_version));
		json_object_object_add(o, "ready_ns", json_ns(ch.ready_ns));
	}
	json_object_object_add(o, "heartbeat", json_ns(ch.heartbeat));
	json_object_object_add(o, "heartbeat_ns", json_ns(ch.heartbeat_ns));
	if (ch.heartbeat_ns)
		json_object_object_add(o, "heartbeat_age_ms",
				       json_ns((now - ch.heartbeat_ns) / NSEC_PER_MSEC));
	json_object_object_add(r, "agent", o);
	password_status(ctl->pw, r);
	return r;
}

static void ping_done(void *opaque, bool ok, uint64_t rtt_ns, uint64_t heartbeat)
{
	struct ping_ctx *p = opaque;
	struct client *c = p->client;
	struct vm *vm = c->ctl->vm;
	json_object *r;

	for (int i = 0; i < MAX_PINGS; i++)
		if (c->pings[i] == p)
			c->pings[i] = NULL;
	if (ok) {
		r = ok_reply();
		json_object_object_add(r, "rtt_us", json_ns(rtt_ns / 1000));
		json_object_object_add(r, "heartbeat", json_ns(heartbeat));
	} else {
		const char *state;

		pthread_mutex_lock(&vm->lock);
		state = vm_state_name_locked(vm);
		pthread_mutex_unlock(&vm->lock);
		r = error_reply("timeout", "the guest agent did not answer within %llu ms (the VM is %s)",
				(unsigned long long)(rtt_ns / NSEC_PER_MSEC), state);
	}
	send_reply(c, r, p->id);
	json_object_put(p->id);
	free(p);
}

static bool get_uint(json_object *req, const char *key, uint32_t def, uint32_t max,
		     uint32_t *out, json_object **err)
{
	json_object *v;
	int64_t n;

	*out = def;
	if (!json_object_object_get_ex(req, key, &v))
		return true;
	n = json_object_get_int64(v);
	if (!json_object_is_type(v, json_type_int) || n < 0 || n > max) {
		*err = error_reply("bad-request", "\"%s\" must be an integer from 0 to %u", key, max);
		return false;
	}
	*out = (uint32_t)n;
	return true;
}

static void stop_timeout(void *opaque, uint32_t events)
{
	struct control *ctl = opaque;

	(void)events;
	vm_request_stop(ctl->vm, VM_STOP_REQUESTED,
			"the guest did not power off in time: stopped");
}

void control_request_stop(struct control *ctl, bool force, uint32_t timeout_ms,
			  const char *who)
{
	struct vm *vm = ctl->vm;
	bool running;

	pthread_mutex_lock(&vm->lock);
	running = vm->started && !vm->paused && !vm->locked;
	pthread_mutex_unlock(&vm->lock);
	/* A guest that is not running cannot shut itself down. */
	if (force || !running || ctl->stop_in_progress || !vm->channel ||
	    channel_request_poweroff(vm->channel)) {
		vm_request_stop(vm, VM_STOP_REQUESTED, "stopped by %s", who);
		return;
	}
	ctl->stop_in_progress = true;
	if (!ctl->stop_timer)
		ctl->stop_timer = ev_timer_new(vm->loop, stop_timeout, ctl);
	if (ctl->stop_timer)
		ev_timer_arm(ctl->stop_timer, (uint64_t)timeout_ms * NSEC_PER_MSEC, 0);
	else
		vm_request_stop(vm, VM_STOP_REQUESTED, "stopped by %s", who);
}

/* Handle one request; returns false if the connection changed hands. */
static bool handle_request(struct client *c, const char *line)
{
	struct control *ctl = c->ctl;
	struct vm *vm = ctl->vm;
	json_object *req, *v, *id = NULL, *r = NULL;
	const char *cmd;
	uint32_t n;
	int ret;

	req = json_tokener_parse(line);
	if (!req || !json_object_is_type(req, json_type_object)) {
		send_reply(c, error_reply("bad-request", "not a JSON object"), NULL);
		json_object_put(req);
		return true;
	}
	if (json_object_object_get_ex(req, "id", &v))
		id = json_object_get(v);
	if (!json_object_object_get_ex(req, "cmd", &v) || !json_object_is_type(v, json_type_string)) {
		r = error_reply("bad-request", "\"cmd\" (a string) is missing");
		goto reply;
	}
	cmd = json_object_get_string(v);

	password_check_idle(ctl->pw);
	r = password_command(ctl->pw, cmd, req, c->uid);
	if (r)
		goto reply;
	if (password_locked(ctl->pw) &&
	    (!strcmp(cmd, "pause") || !strcmp(cmd, "resume") || !strcmp(cmd, "console"))) {
		r = password_locked_reply(cmd);
		goto reply;
	}
	if (!strcmp(cmd, "status")) {
		r = status_reply(ctl);
	} else if (!strcmp(cmd, "start")) {
		ret = vm_start(vm);
		r = ret ? state_error(vm, ret, "start") : ok_reply();
		if (!ret) {
			password_activity(ctl->pw);
			if (password_locked(ctl->pw))
				json_object_object_add(r, "password_locked", json_object_new_boolean(1));
		}
	} else if (!strcmp(cmd, "pause")) {
		const char *reason = "paused through the control socket";
		uint64_t latency = 0;

		if (json_object_object_get_ex(req, "reason", &v) &&
		    json_object_is_type(v, json_type_string))
			reason = json_object_get_string(v);
		ret = vm_pause(vm, reason, PAUSE_TIMEOUT_NS, &latency);
		if (ret) {
			r = state_error(vm, ret, "pause");
		} else {
			r = ok_reply();
			json_object_object_add(r, "latency_us", json_ns(latency / 1000));
		}
	} else if (!strcmp(cmd, "resume")) {
		ret = vm_resume(vm);
		r = ret ? state_error(vm, ret, "resume") : ok_reply();
		if (!ret)
			password_activity(ctl->pw);
	} else if (!strcmp(cmd, "stop")) {
		bool force = json_object_object_get_ex(req, "force", &v) &&
			     json_object_get_boolean(v);

		if (!get_uint(req, "timeout_ms", STOP_TIMEOUT_MS, 600000, &n, &r))
			goto reply;
		c->waiting_stop = true;
		c->waiting_stop_id = id;
		id = NULL;
		control_request_stop(ctl, force, n, "the control socket");
		json_object_put(req);
		return true;
	} else if (!strcmp(cmd, "ping")) {
		struct ping_ctx *p;
		int slot = -1;

		if (!get_uint(req, "timeout_ms", PING_TIMEOUT_MS, 60000, &n, &r))
			goto reply;
		for (int i = 0; i < MAX_PINGS && slot < 0; i++)
			if (!c->pings[i])
				slot = i;
		p = slot < 0 ? NULL : calloc(1, sizeof(*p));
		if (!p) {
			r = error_reply("busy", "too many pings in flight on this connection");
			goto reply;
		}
		p->client = c;
		p->id = id;
		ret = vm->channel ? channel_ping(vm->channel, (uint64_t)n * NSEC_PER_MSEC,
						 ping_done, p) : -ENOTCONN;
		if (ret) {
			free(p);
			r = ret == -ENOTCONN ?
				error_reply("no-channel", "the VM has no control channel") :
				error_reply("failed", "ping: %s", strerror(-ret));
			goto reply;
		}
		c->pings[slot] = p;
		json_object_put(req);
		return true;
	} else if (!strcmp(cmd, "console")) {
		int fd = c->fd;

		password_activity(ctl->pw);
		r = ok_reply();
		json_object_object_add(r, "console", json_object_new_string("attached"));
		send_reply(c, r, id);
		json_object_put(id);
		json_object_put(req);
		/* The connection now belongs to the console. */
		evloop_del(vm->loop, fd);
		c->fd = -1;
		if (console_attach(vm->console, fd))
			close(fd);
		client_close(c);
		return false;
	} else {
		r = error_reply("unknown-command", "unknown command \"%s\" (status, start, pause, resume, stop, ping, console, unlock, passwd, lock, activity, admin-unlock, policy-reload)",
				cmd);
	}
reply:
	send_reply(c, r, id);
	json_object_put(id);
	password_wipe_request(req);
	json_object_put(req);
	return true;
}

static void client_close(struct client *c)
{
	struct control *ctl = c->ctl;

	/* Pings nobody will read the answer of. */
	for (int i = 0; i < MAX_PINGS; i++) {
		struct ping_ctx *p = c->pings[i];

		if (!p)
			continue;
		channel_cancel(ctl->vm->channel, p);
		json_object_put(p->id);
		free(p);
	}
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (ctl->clients[i] == c)
			ctl->clients[i] = NULL;
	if (c->fd >= 0) {
		evloop_del(ctl->vm->loop, c->fd);
		close(c->fd);
	}
	json_object_put(c->waiting_stop_id);
	OPENSSL_cleanse(c->buf, sizeof(c->buf));
	free(c);
}

static void client_ready(void *opaque, uint32_t events)
{
	struct client *c = opaque;
	ssize_t n;
	char *nl;

	n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len, MSG_DONTWAIT);
	if (n <= 0) {
		if (n < 0 && (errno == EAGAIN || errno == EINTR) && !(events & (EPOLLHUP | EPOLLERR)))
			return;
		/* A client waiting for "stop" may half-close: keep it. */
		if (c->waiting_stop && n == 0) {
			evloop_del(c->ctl->vm->loop, c->fd);
			return;
		}
		client_close(c);
		return;
	}
	c->len += (size_t)n;
	c->buf[c->len] = '\0';
	while ((nl = strchr(c->buf, '\n'))) {
		size_t used = (size_t)(nl - c->buf) + 1;

		*nl = '\0';
		if (!handle_request(c, c->buf))
			return;
		memmove(c->buf, c->buf + used, c->len - used + 1);
		c->len -= used;
		/* The handled request may have carried a password. */
		OPENSSL_cleanse(c->buf + c->len + 1, used);
	}
	if (c->len == sizeof(c->buf) - 1) {
		send_reply(c, error_reply("bad-request", "request longer than %d bytes", REQUEST_MAX),
			   NULL);
		client_close(c);
	}
}

static void listen_ready(void *opaque, uint32_t events)
{
	struct control *ctl = opaque;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct client *c;
	int fd, slot = -1;

	(void)events;
	fd = accept4(ctl->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) ||
	    (cred.uid != 0 && cred.uid != getuid())) {
		vmm_warn("control: refused a connection from uid %d", (int)cred.uid);
		close(fd);
		return;
	}
	for (int i = 0; i < MAX_CLIENTS && slot < 0; i++)
		if (!ctl->clients[i])
			slot = i;
	c = slot < 0 ? NULL : calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->ctl = ctl;
	c->fd = fd;
	c->uid = cred.uid;
	if (evloop_add(ctl->vm->loop, fd, EPOLLIN, client_ready, c)) {
		close(fd);
		free(c);
		return;
	}
	ctl->clients[slot] = c;
}

struct control *control_new(struct vm *vm, const char *path)
{
	struct control *ctl = calloc(1, sizeof(*ctl));
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	mode_t old;
	int fd;

	if (!ctl)
		return NULL;
	ctl->vm = vm;
	ctl->listen_fd = -1;
	if (vm->cfg->password_policy) {
		/* Before any vCPU thread: a locked phone never runs guest code. */
		ctl->pw = password_new(vm, vm->cfg->password_policy, vm->cfg->password_state);
		if (!ctl->pw) {
			free(ctl);
			return NULL;
		}
	}
	if (!path)
		return ctl;
	if (strlen(path) >= sizeof(addr.sun_path)) {
		vmm_input_error("control", "socket path %s is too long", path);
		control_free(ctl, NULL, NULL);
		return NULL;
	}
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		control_free(ctl, NULL, NULL);
		return NULL;
	}
	unlink(path);
	old = umask(0077);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) || listen(fd, 8)) {
		vmm_input_error("control", "cannot listen on %s: %s", path, strerror(errno));
		umask(old);
		close(fd);
		control_free(ctl, NULL, NULL);
		return NULL;
	}
	umask(old);
	ctl->listen_fd = fd;
	ctl->path = strdup(path);
	if (evloop_add(vm->loop, fd, EPOLLIN, listen_ready, ctl)) {
		control_free(ctl, NULL, NULL);
		return NULL;
	}
	return ctl;
}

void control_free(struct control *ctl, const char *reason, const char *detail)
{
	if (!ctl)
		return;
	for (int i = 0; i < MAX_CLIENTS; i++) {
		struct client *c = ctl->clients[i];

		if (!c)
			continue;
		if (c->waiting_stop && reason) {
			json_object *r = ok_reply();

			json_object_object_add(r, "state", json_object_new_string("stopped"));
			json_object_object_add(r, "reason", json_object_new_string(reason));
			json_object_object_add(r, "detail", json_object_new_string(detail ? detail : ""));
			send_reply(c, r, c->waiting_stop_id);
		}
		client_close(c);
	}
	ev_timer_free(ctl->stop_timer);
	password_free(ctl->pw);
	if (ctl->listen_fd >= 0) {
		evloop_del(ctl->vm->loop, ctl->listen_fd);
		close(ctl->listen_fd);
		unlink(ctl->path);
	}
	free(ctl->path);
	free(ctl);
}
