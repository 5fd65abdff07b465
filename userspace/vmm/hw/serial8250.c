// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpvmm: an 8250/16550A UART at COM1 (port 0x3f8, IRQ 4), the guest's
 * console (console=ttyS0).  Transmission is instantaneous, so the
 * transmitter is always empty; received bytes wait in a FIFO larger than
 * the real one (input beyond it is dropped).
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "device.h"
#include "util.h"
#include "vm.h"

#define COM1_PORT	0x3f8
#define COM1_IRQ	4
#define RX_FIFO_SIZE	4096

#define UART_RX		0	/* DLAB 0, read */
#define UART_TX		0	/* DLAB 0, write */
#define UART_DLL	0	/* DLAB 1 */
#define UART_IER	1	/* DLAB 0 */
#define UART_DLM	1	/* DLAB 1 */
#define UART_IIR	2	/* read */
#define UART_FCR	2	/* write */
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7

#define IER_RDI		0x01
#define IER_THRI	0x02
#define IER_MSI		0x08
#define IIR_NO_INT	0x01
#define IIR_MSI		0x00
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_FIFO	0xc0
#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02
#define LCR_DLAB	0x80
#define MCR_LOOP	0x10
#define LSR_DR		0x01
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_DCD		0x80
#define MSR_DELTA	0x0f

struct serial8250 {
	struct vm *vm;
	pthread_mutex_t lock;
	uint8_t ier, fcr, lcr, mcr, msr, scr, dll, dlm;
	bool thri_pending;
	int irq_level;
	uint8_t rx[RX_FIFO_SIZE];
	size_t rx_head, rx_count;
	uint64_t rx_dropped;
};

static uint8_t compute_iir(const struct serial8250 *s)
{
	uint8_t fifo = (s->fcr & FCR_ENABLE) ? IIR_FIFO : 0;

	if ((s->ier & IER_RDI) && s->rx_count)
		return fifo | IIR_RDI;
	if ((s->ier & IER_THRI) && s->thri_pending)
		return fifo | IIR_THRI;
	if ((s->ier & IER_MSI) && (s->msr & MSR_DELTA))
		return fifo | IIR_MSI;
	return fifo | IIR_NO_INT;
}

static void update_irq(struct serial8250 *s)
{
	int level = !(compute_iir(s) & IIR_NO_INT);

	if (level != s->irq_level) {
		s->irq_level = level;
		vm_irq_line(s->vm, COM1_IRQ, level);
	}
}

static void rx_push(struct serial8250 *s, const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s->rx_count == RX_FIFO_SIZE) {
			s->rx_dropped += len - i;
			break;
		}
		s->rx[(s->rx_head + s->rx_count++) % RX_FIFO_SIZE] = buf[i];
	}
}

static void serial_input(void *opaque, const uint8_t *buf, size_t len)
{
	struct serial8250 *s = opaque;

	pthread_mutex_lock(&s->lock);
	if (!(s->mcr & MCR_LOOP))
		rx_push(s, buf, len);
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
}

static uint8_t serial_read(struct serial8250 *s, unsigned int reg)
{
	uint8_t v = 0;

	switch (reg) {
	case UART_RX:
		if (s->lcr & LCR_DLAB)
			return s->dll;
		if (s->rx_count) {
			v = s->rx[s->rx_head];
			s->rx_head = (s->rx_head + 1) % RX_FIFO_SIZE;
			s->rx_count--;
		}
		return v;
	case UART_IER:
		return (s->lcr & LCR_DLAB) ? s->dlm : s->ier;
	case UART_IIR:
		v = compute_iir(s);
		/* Reading IIR acknowledges a THR-empty interrupt. */
		if ((v & 0x0f) == IIR_THRI)
			s->thri_pending = false;
		return v;
	case UART_LCR:
		return s->lcr;
	case UART_MCR:
		return s->mcr;
	case UART_LSR:
		return LSR_THRE | LSR_TEMT | (s->rx_count ? LSR_DR : 0);
	case UART_MSR:
		v = s->msr;
		s->msr &= (uint8_t)~MSR_DELTA;
		return v;
	case UART_SCR:
		return s->scr;
	}
	return 0xff;
}

static void serial_write(struct serial8250 *s, unsigned int reg, uint8_t v)
{
	switch (reg) {
	case UART_TX:
		if (s->lcr & LCR_DLAB) {
			s->dll = v;
			return;
		}
		if (s->mcr & MCR_LOOP)
			rx_push(s, &v, 1);
		else
			console_output(s->vm->console, &v, 1);
		s->thri_pending = true;
		return;
	case UART_IER:
		if (s->lcr & LCR_DLAB) {
			s->dlm = v;
			return;
		}
		/* Enabling THRI with an empty transmitter raises it at once. */
		if (!(s->ier & IER_THRI) && (v & IER_THRI))
			s->thri_pending = true;
		s->ier = v & 0x0f;
		return;
	case UART_FCR:
		s->fcr = v & 0xc9;
		if (v & FCR_CLEAR_RX)
			s->rx_count = 0;
		return;
	case UART_LCR:
		s->lcr = v;
		return;
	case UART_MCR:
		s->mcr = v & 0x1f;
		/* In loopback the modem lines follow MCR; else always ready. */
		if (s->mcr & MCR_LOOP)
			s->msr = (uint8_t)(((s->mcr & 0x0c) << 4) | ((s->mcr & 0x03) << 4));
		else
			s->msr = MSR_DCD | MSR_DSR | MSR_CTS;
		return;
	case UART_SCR:
		s->scr = v;
		return;
	}
}

static void serial_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len,
		      bool is_write)
{
	struct serial8250 *s = opaque;

	if (len != 1)
		return;
	pthread_mutex_lock(&s->lock);
	if (is_write)
		serial_write(s, (unsigned int)offset, data[0]);
	else
		data[0] = serial_read(s, (unsigned int)offset);
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
}

static void serial8250_free(void *arg)
{
	struct serial8250 *s = arg;

	pthread_mutex_destroy(&s->lock);
	free(s);
}

static int serial8250_init(struct vm *vm)
{
	struct serial8250 *s = calloc(1, sizeof(*s));
	int ret;

	if (!s)
		return -ENOMEM;
	s->vm = vm;
	s->msr = MSR_DCD | MSR_DSR | MSR_CTS;
	pthread_mutex_init(&s->lock, NULL);
	ret = vm_on_destroy(vm, serial8250_free, s);
	if (ret)
		return ret;
	console_set_input(vm->console, serial_input, s);
	return io_bus_register(&vm->pio, COM1_PORT, 8, serial_io, s, "serial8250");
}
VMM_DEVICE_INIT("serial8250", VMM_INIT_DEVICE, serial8250_init);
