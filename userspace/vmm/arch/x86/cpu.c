// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpvmm: x86 VM and vCPU setup: in-kernel irqchip and PIT, CPUID with a
 * distinct APIC ID per vCPU, and the register state the 64-bit boot
 * protocol asks for on the boot CPU (long mode, flat __BOOT_CS/__BOOT_DS,
 * %rsi = zero page, interrupts off).  The other vCPUs wait for INIT/SIPI
 * from the guest, which KVM's in-kernel LAPIC handles.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <cpuid.h>

#include <linux/kvm.h>
#include <linux/kvm_para.h>

#include "arch/x86/arch.h"
#include "util.h"
#include "vm.h"

#define CR0_PE		(1ULL << 0)
#define CR0_ET		(1ULL << 4)
#define CR0_PG		(1ULL << 31)
#define CR4_PAE		(1ULL << 5)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)

#define MSR_IA32_MISC_ENABLE		0x1a0
#define MISC_ENABLE_FAST_STRING		(1ULL << 0)

#define APIC_LVT0		0x350
#define APIC_LVT1		0x360
#define APIC_MODE_NMI		0x4
#define APIC_MODE_EXTINT	0x7

#define CPUID_MAX_ENTRIES	256
#define CPUID_1_ECX_TSC_DEADLINE	(1u << 24)
#define CPUID_1_ECX_FMA		(1u << 12)
#define CPUID_1_ECX_XSAVE	(1u << 26)
#define CPUID_1_ECX_OSXSAVE	(1u << 27)
#define CPUID_1_ECX_AVX		(1u << 28)
#define CPUID_1_ECX_F16C	(1u << 29)
#define CPUID_1_ECX_HYPERVISOR	(1u << 31)
#define CPUID_7_EBX_AVX2	(1u << 5)
#define CPUID_7_EBX_AVX512F	(1u << 16)
/* AVX512F, DQ, IFMA, PF, ER, CD, BW, VL */
#define CPUID_7_EBX_AVX512_ALL	((1u << 16) | (1u << 17) | (1u << 21) | (1u << 26) | \
				 (1u << 27) | (1u << 28) | (1u << 30) | (1u << 31))
#define CPUID_7_ECX_PKU		(1u << 3)

/* XSAVE state components and the CPUID bit each one depends on. */
#define XFEATURE_FP_SSE		0x3ULL
#define XFEATURE_YMM		(1ULL << 2)
#define XFEATURE_AVX512		(7ULL << 5)
#define XFEATURE_PKRU		(1ULL << 9)

static int vm_ioctl(struct vm *vm, unsigned long req, unsigned long arg,
		    const char *what)
{
	if (ioctl(vm->fd, req, arg) < 0) {
		int err = errno;

		vmm_err("%s: %s", what, strerror(err));
		return -err;
	}
	return 0;
}

int x86_vm_init(struct vm *vm)
{
	struct kvm_pit_config pit = { .flags = 0 };
	int ret;

	ret = vm_ioctl(vm, KVM_SET_TSS_ADDR, X86_TSS_GPA, "KVM_SET_TSS_ADDR");
	if (ret)
		return ret;
	{
		uint64_t identity = X86_IDENTITY_MAP_GPA;

		ret = vm_ioctl(vm, KVM_SET_IDENTITY_MAP_ADDR, (unsigned long)&identity,
			       "KVM_SET_IDENTITY_MAP_ADDR");
		if (ret)
			return ret;
	}
	ret = vm_ioctl(vm, KVM_CREATE_IRQCHIP, 0, "KVM_CREATE_IRQCHIP");
	if (ret)
		return ret;
	return vm_ioctl(vm, KVM_CREATE_PIT2, (unsigned long)&pit, "KVM_CREATE_PIT2");
}

/*
 * QEMU's TCG, when it emulates the SVM of a host that runs KVM, does not
 * intercept XSETBV: a guest's XCR0 write changes the host's XCR0 behind
 * KVM's back, and KVM sizes the guest's XSAVE area for a stale XCR0.  The
 * guest then warns about an inconsistent XSAVE layout and its XSAVEs
 * overrun their buffers (crashes minutes later).  On such a host the guest
 * is not offered XSAVE at all: it falls back to FXSAVE, which TCG handles.
 */
static bool host_is_tcg(void)
{
	unsigned int eax, sig[3];

	__cpuid(0x40000000, eax, sig[0], sig[1], sig[2]);
	(void)eax;
	return !memcmp(sig, "TCGTCGTCGTCG", sizeof(sig));
}

int x86_cpuid_init(struct vm *vm)
{
	struct kvm_cpuid2 *cpuid;

	cpuid = calloc(1, sizeof(*cpuid) + CPUID_MAX_ENTRIES * sizeof(cpuid->entries[0]));
	if (!cpuid)
		return -ENOMEM;
	cpuid->nent = CPUID_MAX_ENTRIES;
	if (ioctl(vm->gate.sys_fd, KVM_GET_SUPPORTED_CPUID, cpuid) < 0) {
		int err = errno;

		vmm_err("KVM_GET_SUPPORTED_CPUID: %s", strerror(err));
		free(cpuid);
		return -err;
	}
	vm->supported_cpuid = cpuid;
	/*
	 * KVM leaves CPUID.01H:ECX.TSC_DEADLINE out of the supported list:
	 * with an in-kernel LAPIC it is emulated when the capability says
	 * so (Documentation/virt/kvm/api.rst).  Without it the guest must
	 * calibrate the LAPIC timer, which fails under nested virtualization.
	 */
	vm->host_tcg = host_is_tcg();
	if (vm->host_tcg)
		vmm_info("nested under QEMU TCG: XSAVE and PV EOI are hidden from the guest");
	vm->tsc_deadline = ioctl(vm->gate.sys_fd, KVM_CHECK_EXTENSION,
				 KVM_CAP_TSC_DEADLINE_TIMER) > 0;
	return 0;
}

static const struct kvm_cpuid_entry2 *find_leaf(const struct kvm_cpuid2 *c,
						uint32_t function, uint32_t index)
{
	for (uint32_t i = 0; i < c->nent; i++)
		if (c->entries[i].function == function && c->entries[i].index == index)
			return &c->entries[i];
	return NULL;
}

/*
 * Whether this CPU really has AVX.  A nested host (KVM running in an
 * emulated machine) can list AVX as supported for guests while its own
 * CPU lacks it; KVM then sizes the guest's XSAVE area without the AVX
 * state and the guest's XSAVE overruns its buffers.
 */
static bool host_has_avx(void)
{
	unsigned int eax, ebx, ecx, edx;

	__cpuid(1, eax, ebx, ecx, edx);
	return ecx & CPUID_1_ECX_AVX;
}

/* Hide the instruction sets whose register state the guest may not save. */
static void hide_avx(struct kvm_cpuid2 *c)
{
	for (uint32_t i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function == 1)
			e->ecx &= ~(CPUID_1_ECX_AVX | CPUID_1_ECX_FMA | CPUID_1_ECX_F16C);
		else if (e->function == 7 && e->index == 0)
			e->ebx &= ~(CPUID_7_EBX_AVX2 | CPUID_7_EBX_AVX512_ALL);
	}
}

/*
 * The XSAVE components a guest may enable must match the feature bits it
 * sees, or Linux warns about an inconsistent XSAVE layout: a component
 * whose instruction set is hidden (AVX on a host that lacks it, say) is
 * removed from CPUID.0DH, and the maximum size recomputed.
 */
static uint64_t xsave_mask(const struct kvm_cpuid2 *c)
{
	const struct kvm_cpuid_entry2 *l1 = find_leaf(c, 1, 0);
	const struct kvm_cpuid_entry2 *l7 = find_leaf(c, 7, 0);
	uint64_t mask = XFEATURE_FP_SSE;

	if (l1 && (l1->ecx & CPUID_1_ECX_AVX) && host_has_avx()) {
		mask |= XFEATURE_YMM;
		if (l7 && (l7->ebx & CPUID_7_EBX_AVX512F))
			mask |= XFEATURE_AVX512;
	}
	if (l7 && (l7->ecx & CPUID_7_ECX_PKU))
		mask |= XFEATURE_PKRU;
	/* Components this VMM does not know about are left as KVM says. */
	return mask | ~(XFEATURE_FP_SSE | XFEATURE_YMM | XFEATURE_AVX512 | XFEATURE_PKRU);
}

/*
 * The second defect of that host: interrupts of a guest that uses KVM's
 * paravirtual EOI get lost (vCPUs spin with interrupts off, timers stop
 * waking idle vCPUs), with QEMU as the VMM as well.  Such a guest
 * acknowledges interrupts through the APIC instead.
 */
static void hide_pv_eoi(struct kvm_cpuid2 *c)
{
	for (uint32_t i = 0; i < c->nent; i++)
		if (c->entries[i].function == KVM_CPUID_FEATURES)
			c->entries[i].eax &= ~(1u << KVM_FEATURE_PV_EOI);
}

static void hide_xsave(struct kvm_cpuid2 *c)
{
	hide_avx(c);
	for (uint32_t i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function == 1)
			e->ecx &= ~(CPUID_1_ECX_XSAVE | CPUID_1_ECX_OSXSAVE);
		else if (e->function == 0xd)
			e->eax = e->ebx = e->ecx = e->edx = 0;
	}
}

static void fix_xsave_leaf(struct kvm_cpuid2 *c)
{
	uint64_t mask = xsave_mask(c), xcr0;
	struct kvm_cpuid_entry2 *l0 = NULL;
	uint32_t max = 576;	/* legacy area + XSAVE header */

	for (uint32_t i = 0; i < c->nent; i++)
		if (c->entries[i].function == 0xd && c->entries[i].index == 0)
			l0 = &c->entries[i];
	if (!l0)
		return;
	xcr0 = (((uint64_t)l0->edx << 32) | l0->eax) & mask;
	if (!(xcr0 & XFEATURE_YMM))
		hide_avx(c);
	l0->eax = (uint32_t)xcr0;
	l0->edx = (uint32_t)(xcr0 >> 32);
	for (uint32_t i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function != 0xd || e->index < 2 || e->index > 63)
			continue;
		if (!(xcr0 & (1ULL << e->index))) {
			e->eax = e->ebx = e->ecx = e->edx = 0;
			continue;
		}
		if (e->ebx + e->eax > max)
			max = e->ebx + e->eax;
	}
	l0->ecx = max;
	if (l0->ebx > max)
		l0->ebx = max;
}

int x86_cpuid_set(struct vm *vm, struct vcpu *vcpu)
{
	const struct kvm_cpuid2 *sup = vm->supported_cpuid;
	size_t size = sizeof(*sup) + sup->nent * sizeof(sup->entries[0]);
	struct kvm_cpuid2 *cpuid = malloc(size);
	int ret = 0;

	if (!cpuid)
		return -ENOMEM;
	memcpy(cpuid, sup, size);
	if (vm->host_tcg) {
		hide_xsave(cpuid);
		hide_pv_eoi(cpuid);
	}
	else
		fix_xsave_leaf(cpuid);
	for (uint32_t i = 0; i < cpuid->nent; i++) {
		struct kvm_cpuid_entry2 *e = &cpuid->entries[i];

		switch (e->function) {
		case 1:
			/* Initial APIC ID and logical processor count. */
			e->ebx = (e->ebx & 0x0000ffff) | (vcpu->id << 24) |
				 ((vm->nr_vcpus & 0xff) << 16);
			/* KVM does not report itself: say there is a hypervisor. */
			e->ecx |= CPUID_1_ECX_HYPERVISOR;
			if (vm->tsc_deadline)
				e->ecx |= CPUID_1_ECX_TSC_DEADLINE;
			break;
		case 0xb:
		case 0x1f:
			e->edx = vcpu->id;	/* x2APIC ID */
			break;
		case 0x8000001e:
			e->eax = vcpu->id;	/* extended APIC ID (AMD) */
			break;
		}
	}
	if (ioctl(vcpu->fd, KVM_SET_CPUID2, cpuid) < 0) {
		ret = -errno;
		vmm_err("vCPU %u: KVM_SET_CPUID2: %s", vcpu->id, strerror(-ret));
	}
	free(cpuid);
	return ret;
}

static int set_lapic_lint(struct vcpu *vcpu)
{
	struct kvm_lapic_state lapic;
	uint32_t *lvt0 = (uint32_t *)&lapic.regs[APIC_LVT0];
	uint32_t *lvt1 = (uint32_t *)&lapic.regs[APIC_LVT1];

	if (ioctl(vcpu->fd, KVM_GET_LAPIC, &lapic) < 0)
		return -errno;
	/* Virtual wire: LINT0 takes the PIC (ExtINT), LINT1 is NMI. */
	*lvt0 = (*lvt0 & ~0x700u & ~(1u << 16)) | (APIC_MODE_EXTINT << 8);
	*lvt1 = (*lvt1 & ~0x700u & ~(1u << 16)) | (APIC_MODE_NMI << 8);
	if (ioctl(vcpu->fd, KVM_SET_LAPIC, &lapic) < 0)
		return -errno;
	return 0;
}

static void flat_segment(struct kvm_segment *s, uint16_t selector, uint8_t type,
			 bool code)
{
	*s = (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = selector, .type = type,
		.present = 1, .dpl = 0, .db = code ? 0 : 1, .s = 1,
		.l = code ? 1 : 0, .g = 1,
	};
}

static int setup_boot_cpu(struct vcpu *vcpu, const struct x86_boot *boot)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs = {
		.rip = boot->entry,
		.rsi = boot->zero_page,
		.rsp = X86_BOOT_STACK_GPA,
		.rflags = 0x2,
	};
	struct kvm_fpu fpu = { .fcw = 0x37f, .mxcsr = 0x1f80 };
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[1];
	} msrs = {
		.hdr.nmsrs = 1,
		.e[0] = { .index = MSR_IA32_MISC_ENABLE, .data = MISC_ENABLE_FAST_STRING },
	};

	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) < 0)
		return -errno;
	flat_segment(&sregs.cs, 0x10, 0xb, true);
	flat_segment(&sregs.ds, 0x18, 0x3, false);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.tr = (struct kvm_segment){
		.base = 0, .limit = 0xfff, .selector = 0x20, .type = 0xb, .present = 1,
	};
	sregs.gdt.base = X86_GDT_GPA;
	sregs.gdt.limit = 5 * 8 - 1;
	sregs.idt.base = X86_IDT_GPA;
	sregs.idt.limit = 0;
	sregs.cr0 = CR0_PE | CR0_ET | CR0_PG;
	sregs.cr3 = X86_PML4_GPA;
	sregs.cr4 = CR4_PAE;
	sregs.efer = EFER_LME | EFER_LMA;
	if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs) < 0)
		return -errno;
	if (ioctl(vcpu->fd, KVM_SET_REGS, &regs) < 0)
		return -errno;
	if (ioctl(vcpu->fd, KVM_SET_FPU, &fpu) < 0)
		return -errno;
	/* Optional: some hosts refuse it, which does not matter. */
	if (ioctl(vcpu->fd, KVM_SET_MSRS, &msrs) != 1)
		vmm_debug("vCPU %u: MSR_IA32_MISC_ENABLE not set", vcpu->id);
	return 0;
}

int x86_vcpu_init(struct vm *vm, struct vcpu *vcpu, const struct x86_boot *boot)
{
	int ret;

	ret = x86_cpuid_set(vm, vcpu);
	if (ret)
		return ret;
	ret = set_lapic_lint(vcpu);
	if (ret) {
		vmm_err("vCPU %u: LAPIC setup: %s", vcpu->id, strerror(-ret));
		return ret;
	}
	if (vcpu->id == 0) {
		ret = setup_boot_cpu(vcpu, boot);
		if (ret)
			vmm_err("vCPU 0: boot register setup: %s", strerror(-ret));
	}
	return ret;
}
