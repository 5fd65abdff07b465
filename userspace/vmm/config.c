// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpvmm: validation of a VM configuration before anything is created, so
 * that bad input fails fast, with a clear error, and without KVM.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch/x86/arch.h"
#include "config.h"
#include "loader/bzimage.h"
#include "memory.h"
#include "password.h"
#include "util.h"

#define SECTOR_SIZE	512

int vmm_config_oflags(const struct vmm_config *cfg)
{
	return O_CLOEXEC | (cfg->image_dir ? O_NOFOLLOW : 0);
}

static int validate_disk(const struct vmm_config *cfg, const char *path)
{
	struct stat st;
	int fd;

	fd = open(path, O_RDWR | vmm_config_oflags(cfg));
	if (fd < 0) {
		int err = errno;

		if (err == EACCES || err == EROFS || err == EPERM)
			return vmm_input_error("disk", "%s is read-only (%s): the work phone's disk must be writable",
					       path, strerror(err));
		return vmm_input_error("disk", "%s: %s", path, vmm_open_strerror(err));
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return vmm_input_error("disk", "%s: not a regular file", path);
	}
	close(fd);
	if (st.st_size < SECTOR_SIZE)
		return vmm_input_error("disk", "%s: %lld bytes, smaller than one %d-byte sector",
				       path, (long long)st.st_size, SECTOR_SIZE);
	if (st.st_size % SECTOR_SIZE)
		return vmm_input_error("disk", "%s: %lld bytes is not a multiple of %d",
				       path, (long long)st.st_size, SECTOR_SIZE);
	return 0;
}

static int validate_initrd(const struct vmm_config *cfg, const struct bzimage *bz)
{
	uint64_t room = x86_initrd_room(MIB(cfg->mem_mib), bz);
	struct stat st;
	int fd, ret;

	fd = open(cfg->initrd, O_RDONLY | vmm_config_oflags(cfg));
	if (fd < 0)
		return vmm_input_error("initrd", "%s: %s", cfg->initrd, vmm_open_strerror(errno));
	ret = fstat(fd, &st);
	close(fd);
	if (ret || !S_ISREG(st.st_mode))
		return vmm_input_error("initrd", "%s: not a regular file", cfg->initrd);
	if ((uint64_t)st.st_size > room)
		return vmm_input_error("initrd", "%s is %llu KiB, larger than the %llu KiB that %llu MiB of guest memory leave next to the kernel",
				       cfg->initrd, (unsigned long long)st.st_size >> 10,
				       (unsigned long long)room >> 10,
				       (unsigned long long)cfg->mem_mib);
	return 0;
}

int vmm_config_validate(const struct vmm_config *cfg, struct bzimage *bz)
{
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
	uint64_t host_mib = pages > 0 && page > 0 ? ((uint64_t)pages * (uint64_t)page) >> 20 : 0;
	size_t cmdline_max;
	int ret;

	if (cfg->vcpus < 1)
		return vmm_input_error("vcpus", "%u: a VM needs at least 1 vCPU", cfg->vcpus);
	if (cfg->vcpus > VMM_MAX_VCPUS)
		return vmm_input_error("vcpus", "%u is more than the %d vCPUs wpvmm supports",
				       cfg->vcpus, VMM_MAX_VCPUS);
	if (cfg->mem_mib < MEM_MIN_MIB)
		return vmm_input_error("memory", "%llu MiB: a work phone needs at least %d MiB",
				       (unsigned long long)cfg->mem_mib, MEM_MIN_MIB);
	if (cfg->mem_mib > MEM_MAX_MIB)
		return vmm_input_error("memory", "%llu MiB is more than the %d MiB wpvmm supports",
				       (unsigned long long)cfg->mem_mib, MEM_MAX_MIB);
	if (host_mib && cfg->mem_mib > host_mib)
		return vmm_input_error("memory", "%llu MiB is more than this host's %llu MiB of RAM",
				       (unsigned long long)cfg->mem_mib, (unsigned long long)host_mib);
	if (!cfg->kernel)
		return vmm_input_error("kernel", "no kernel given (an image directory or --kernel)");
	ret = bzimage_load_file("kernel", cfg->kernel, vmm_config_oflags(cfg), bz);
	if (ret)
		return ret;
	cmdline_max = MIN((size_t)X86_CMDLINE_MAX,
			  (size_t)(bz->hdr.cmdline_size ? bz->hdr.cmdline_size : 255));
	if (cfg->cmdline && strlen(cfg->cmdline) > cmdline_max)
		ret = vmm_input_error("cmdline", "%zu bytes; this kernel accepts at most %zu",
				      strlen(cfg->cmdline), cmdline_max);
	if (!ret && cfg->initrd)
		ret = validate_initrd(cfg, bz);
	if (!ret && cfg->disk)
		ret = validate_disk(cfg, cfg->disk);
	if (ret)
		bzimage_free(bz);
	return ret;
}

json_object *vmm_config_to_json(const struct vmm_config *cfg)
{
	json_object *o = json_object_new_object();

#define ADD_STR(k, v) \
	json_object_object_add(o, k, (v) ? json_object_new_string(v) : NULL)
	ADD_STR("name", cfg->name);
	ADD_STR("os_name", cfg->os_name);
	ADD_STR("os_version", cfg->os_version);
	ADD_STR("kernel", cfg->kernel);
	ADD_STR("initrd", cfg->initrd);
	ADD_STR("disk", cfg->disk);
	ADD_STR("cmdline", cfg->cmdline);
#undef ADD_STR
	json_object_object_add(o, "memory_mib", json_object_new_int64((int64_t)cfg->mem_mib));
	json_object_object_add(o, "vcpus", json_object_new_int((int)cfg->vcpus));
	if (cfg->settings)
		json_object_object_add(o, "settings", json_object_get(cfg->settings));
	if (cfg->apps)
		json_object_object_add(o, "apps", json_object_get(cfg->apps));
	json_object_object_add(o, "kvm", json_object_new_string(cfg->raw_kvm ? "raw" : "enabler"));
	if (cfg->password_policy) {
		json_object *p = password_policy_to_json(cfg->password_policy);

		json_object_object_add(p, "state", json_object_new_string(cfg->password_state));
		json_object_object_add(o, "password", p);
	}
	return o;
}

void vmm_config_free(struct vmm_config *cfg)
{
	free(cfg->image_dir);
	free(cfg->name);
	free(cfg->os_name);
	free(cfg->os_version);
	free(cfg->kernel);
	free(cfg->initrd);
	free(cfg->disk);
	free(cfg->cmdline);
	free(cfg->console_path);
	free(cfg->control_path);
	json_object_put(cfg->settings);
	json_object_put(cfg->apps);
	free(cfg->password_policy);
	free(cfg->password_state);
	memset(cfg, 0, sizeof(*cfg));
}
