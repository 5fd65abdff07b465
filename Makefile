# SPDX-License-Identifier: GPL-2.0-only
#
# Workphone top-level build.
#
#   make                  module (against KDIR) + userspace tools + server
#   make module           just workphone.ko, in the source tree (Android style)
#   make check            install dependencies, then run every test suite
#   make demo             install dependencies, then run the demo
#   make KDIR=... ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- module
#
# When kbuild enters this directory (make -C $KERNEL_SRC M=$PWD) it reads
# ./Kbuild instead of this file.

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

# Default kernel: the running kernel's build dir, else the newest installed
# Debian headers.
KDIR ?= $(shell d=/lib/modules/$$(uname -r)/build; \
	if [ -d "$$d" ]; then echo "$$d"; else \
	ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1; fi)

BUILD ?= $(TOP)/build

.PHONY: all module userspace server clean check demo headers_install

all: module userspace server

module:
	@test -n "$(KDIR)" || { echo "no kernel headers found: set KDIR" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(TOP) modules

userspace:
	@if [ -f userspace/Makefile ]; then $(MAKE) -C userspace BUILD=$(BUILD); fi

server:
	@if [ -f server/Makefile ]; then $(MAKE) -C server BUILD=$(BUILD); fi

# Install the UAPI header for userspace builds outside this tree.
INSTALL_HDR_PATH ?= $(BUILD)/usr
headers_install:
	install -D -m 0644 kmod/include/uapi/linux/workphone.h \
		$(INSTALL_HDR_PATH)/include/linux/workphone.h

clean:
	@if [ -n "$(KDIR)" ] && [ -d "$(KDIR)" ]; then \
		$(MAKE) -C $(KDIR) M=$(TOP) clean; fi
	rm -rf $(BUILD) $(TOP)/build-san

check:
	$(TOP)/scripts/check

demo:
	$(TOP)/scripts/demo
