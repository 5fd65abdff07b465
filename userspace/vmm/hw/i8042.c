// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpvmm: the part of an i8042 keyboard controller a PC guest needs to
 * reboot.  Linux resets an x86 machine without ACPI by pulsing the reset
 * line through the controller (command 0xfe on port 0x64); that ends the
 * VM with a reboot.  The controller answers its self tests and keeps its
 * command byte, so the guest's i8042 driver probes it cleanly; there is no
 * keyboard or mouse behind it.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "device.h"
#include "util.h"
#include "vm.h"

#define I8042_DATA_PORT		0x60
#define I8042_CMD_PORT		0x64
#define I8042_KBD_IRQ		1

#define STR_OBF			0x01
#define STR_SYSFLAG		0x04
#define STR_CMDDAT		0x08

#define CMD_READ_CTR		0x20
#define CMD_WRITE_CTR		0x60
#define CMD_AUX_DISABLE		0xa7
#define CMD_AUX_ENABLE		0xa8
#define CMD_AUX_TEST		0xa9
#define CMD_SELF_TEST		0xaa
#define CMD_KBD_TEST		0xab
#define CMD_KBD_DISABLE		0xad
#define CMD_KBD_ENABLE		0xae
#define CMD_PULSE_RESET		0xfe

#define CTR_KBD_INT		0x01

struct i8042 {
	struct vm *vm;
	pthread_mutex_t lock;
	uint8_t ctr;
	uint8_t status;
	uint8_t out;		/* one byte of output, valid with STR_OBF */
	uint8_t pending_cmd;	/* command waiting for its data byte */
};

static void queue_byte(struct i8042 *c, uint8_t b)
{
	c->out = b;
	c->status |= STR_OBF;
	if (c->ctr & CTR_KBD_INT) {
		vm_irq_line(c->vm, I8042_KBD_IRQ, 1);
		vm_irq_line(c->vm, I8042_KBD_IRQ, 0);
	}
}

static void command(struct i8042 *c, uint8_t cmd)
{
	switch (cmd) {
	case CMD_READ_CTR:
		queue_byte(c, c->ctr);
		break;
	case CMD_WRITE_CTR:
		c->pending_cmd = cmd;
		break;
	case CMD_SELF_TEST:
		queue_byte(c, 0x55);
		break;
	case CMD_KBD_TEST:
		queue_byte(c, 0x00);
		break;
	case CMD_AUX_TEST:
		queue_byte(c, 0xff);	/* no auxiliary port */
		break;
	case CMD_PULSE_RESET:
		vm_request_stop(c->vm, VM_STOP_REBOOT, "the guest reset the machine (i8042)");
		break;
	default:
		/* Enable/disable and the rest: accepted, nothing to do. */
		break;
	}
}

static void i8042_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len,
		     bool is_write)
{
	struct i8042 *c = opaque;
	bool cmd_port = offset == I8042_CMD_PORT - I8042_DATA_PORT;

	if (len != 1 || (offset && !cmd_port))
		return;
	pthread_mutex_lock(&c->lock);
	if (cmd_port && is_write) {
		c->status |= STR_CMDDAT;
		command(c, data[0]);
	} else if (cmd_port) {
		data[0] = c->status;
	} else if (is_write) {
		c->status &= (uint8_t)~STR_CMDDAT;
		if (c->pending_cmd == CMD_WRITE_CTR)
			c->ctr = data[0];
		/* Bytes for the (absent) keyboard are dropped. */
		c->pending_cmd = 0;
	} else {
		data[0] = c->out;
		c->status &= (uint8_t)~STR_OBF;
	}
	pthread_mutex_unlock(&c->lock);
}

static void i8042_free(void *arg)
{
	struct i8042 *c = arg;

	pthread_mutex_destroy(&c->lock);
	free(c);
}

static int i8042_init(struct vm *vm)
{
	struct i8042 *c = calloc(1, sizeof(*c));
	int ret;

	if (!c)
		return -ENOMEM;
	c->vm = vm;
	c->status = STR_SYSFLAG;
	pthread_mutex_init(&c->lock, NULL);
	ret = vm_on_destroy(vm, i8042_free, c);
	if (ret)
		return ret;
	return io_bus_register(&vm->pio, I8042_DATA_PORT, I8042_CMD_PORT - I8042_DATA_PORT + 1,
			       i8042_io, c, "i8042");
}
VMM_DEVICE_INIT("i8042", VMM_INIT_DEVICE, i8042_init);
