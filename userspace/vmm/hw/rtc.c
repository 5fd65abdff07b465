// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpvmm: a read-only MC146818 CMOS real-time clock (ports 0x70/0x71)
 * showing the host's UTC time, so the guest's clock starts right.  No
 * alarms, no periodic interrupt, no NVRAM beyond zeros.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "device.h"
#include "util.h"
#include "vm.h"

#define RTC_INDEX_PORT	0x70

#define RTC_SECONDS	0x00
#define RTC_MINUTES	0x02
#define RTC_HOURS	0x04
#define RTC_WEEKDAY	0x06
#define RTC_DAY		0x07
#define RTC_MONTH	0x08
#define RTC_YEAR	0x09
#define RTC_REG_A	0x0a
#define RTC_REG_B	0x0b
#define RTC_REG_C	0x0c
#define RTC_REG_D	0x0d
#define RTC_CENTURY	0x32

#define REG_A_32KHZ	0x26	/* divider on, 1024 Hz, update not in progress */
#define REG_B_24H	0x02	/* 24-hour, BCD */
#define REG_D_VRT	0x80	/* valid RAM and time */

struct rtc {
	pthread_mutex_t lock;
	uint8_t index;
};

static uint8_t bcd(int v)
{
	return (uint8_t)(((v / 10) << 4) | (v % 10));
}

static uint8_t rtc_register(uint8_t index)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	switch (index) {
	case RTC_SECONDS: return bcd(tm.tm_sec);
	case RTC_MINUTES: return bcd(tm.tm_min);
	case RTC_HOURS: return bcd(tm.tm_hour);
	case RTC_WEEKDAY: return bcd(tm.tm_wday + 1);
	case RTC_DAY: return bcd(tm.tm_mday);
	case RTC_MONTH: return bcd(tm.tm_mon + 1);
	case RTC_YEAR: return bcd(tm.tm_year % 100);
	case RTC_CENTURY: return bcd(19 + tm.tm_year / 100);
	case RTC_REG_A: return REG_A_32KHZ;
	case RTC_REG_B: return REG_B_24H;
	case RTC_REG_C: return 0;
	case RTC_REG_D: return REG_D_VRT;
	}
	return 0;
}

static void rtc_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len,
		   bool is_write)
{
	struct rtc *r = opaque;

	if (len != 1)
		return;
	pthread_mutex_lock(&r->lock);
	if (offset == 0 && is_write)
		r->index = data[0] & 0x7f;	/* bit 7 is the NMI mask */
	else if (offset == 1 && !is_write)
		data[0] = rtc_register(r->index);
	pthread_mutex_unlock(&r->lock);
}

static void rtc_free(void *arg)
{
	struct rtc *r = arg;

	pthread_mutex_destroy(&r->lock);
	free(r);
}

static int rtc_init(struct vm *vm)
{
	struct rtc *r = calloc(1, sizeof(*r));
	int ret;

	if (!r)
		return -ENOMEM;
	pthread_mutex_init(&r->lock, NULL);
	ret = vm_on_destroy(vm, rtc_free, r);
	if (ret)
		return ret;
	return io_bus_register(&vm->pio, RTC_INDEX_PORT, 2, rtc_io, r, "rtc");
}
VMM_DEVICE_INIT("rtc", VMM_INIT_DEVICE, rtc_init);
