/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The trusted certificate built into the module when the build is given
 * WORKPHONE_TRUSTED_CERT=path/to/cert.der (see kmod/Kbuild).
 */
	.section ".rodata", "a"
	.globl wp_builtin_cert
wp_builtin_cert:
	.incbin WORKPHONE_TRUSTED_CERT_FILE
	.globl wp_builtin_cert_end
wp_builtin_cert_end:
