// SPDX-License-Identifier: GPL-2.0-only
/*
 * Trusted certificates: the one built into the module, and those the
 * firmware loader provides as workphone/trusted.der (concatenated DER),
 * which is how a device builder ships vendor certificates with a GKI
 * module.  The test points the firmware loader at a directory of its own,
 * reloads the enabler, and checks which signers it then trusts.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "lib/wp_lease.h"
#include "lib/wp_test.h"

#define FW_PARAM "/sys/module/firmware_class/parameters/path"
#define FW_DIR "/tmp/wp-firmware"

static int write_file(const char *path, const void *data, size_t len, int flags)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0644), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, data, len) != (ssize_t)len)
		ret = -EIO;
	close(fd);
	return ret;
}

static int ship_certificates(const char *const names[], int n)
{
	unsigned char *der;
	size_t len;
	int ret = 0;

	mkdir(FW_DIR, 0755);
	mkdir(FW_DIR "/workphone", 0755);
	unlink(FW_DIR "/workphone/trusted.der");
	for (int i = 0; i < n && !ret; i++) {
		der = wp_cert_der(names[i], &len);
		if (!der)
			return -ENOENT;
		ret = write_file(FW_DIR "/workphone/trusted.der", der, len, O_APPEND);
		free(der);
	}
	if (!ret)
		ret = write_file(FW_PARAM, FW_DIR, strlen(FW_DIR), O_TRUNC);
	return ret;
}

FIXTURE(keyring) {
	int unused;
};

FIXTURE_SETUP(keyring)
{
	if (access(FW_PARAM, W_OK))
		SKIP(return, "no writable %s", FW_PARAM);
}

FIXTURE_TEARDOWN(keyring)
{
	/* Back to the built-in certificate only. */
	write_file(FW_PARAM, "", 0, O_TRUNC);
	unlink(FW_DIR "/workphone/trusted.der");
	wp_reload_module();
}

TEST_F(keyring, firmware_certificates_are_trusted_after_load)
{
	static const char *const one[] = { "untrusted" };
	char probe[PATH_MAX];

	snprintf(probe, sizeof(probe), "%s", wp_helper("bind_probe.untrusted"));
	ASSERT_EQ(EKEYREJECTED, wp_probe(probe, NULL));
	ASSERT_EQ(0, ship_certificates(one, 1));
	ASSERT_EQ(0, wp_reload_module());
	EXPECT_EQ(0, wp_probe(probe, NULL));
	/* The built-in certificate is still trusted alongside. */
	EXPECT_EQ(0, wp_probe(wp_helper("bind_probe"), NULL));
}

TEST_F(keyring, several_concatenated_certificates_are_all_loaded)
{
	static const char *const two[] = { "server", "untrusted" };

	ASSERT_EQ(0, ship_certificates(two, 2));
	ASSERT_EQ(0, wp_reload_module());
	EXPECT_EQ(0, wp_probe(wp_helper("bind_probe.untrusted"), NULL));
}

TEST_F(keyring, a_malformed_firmware_file_loads_nothing_from_it)
{
	static const char junk[] = "\x30\x82\xff\xffnot a certificate";

	mkdir(FW_DIR, 0755);
	mkdir(FW_DIR "/workphone", 0755);
	ASSERT_EQ(0, write_file(FW_DIR "/workphone/trusted.der", junk,
				sizeof(junk) - 1, O_TRUNC));
	ASSERT_EQ(0, write_file(FW_PARAM, FW_DIR, strlen(FW_DIR), O_TRUNC));
	ASSERT_EQ(0, wp_reload_module());
	EXPECT_EQ(EKEYREJECTED, wp_probe(wp_helper("bind_probe.untrusted"), NULL));
	EXPECT_EQ(0, wp_probe(wp_helper("bind_probe"), NULL));
}

TEST_HARNESS_MAIN
