# SPDX-License-Identifier: GPL-2.0-only
#
# Shared helpers for the scripts/ tools.  Source it; it defines no side
# effects beyond variables and functions.

WP_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WP_BUILD=${WP_BUILD:-$WP_TOP/build}
WP_BUILD_SAN=${WP_BUILD_SAN:-$WP_TOP/build-san}

wp_die() {
	echo "$(basename "$0"): $*" >&2
	exit 1
}

wp_log() {
	echo "[$(basename "$0")] $*" >&2
}

# The Debian kernels the tests run on, by short name.
WP_KERNELS=(6.1 6.12)

# wp_kver NAME: the installed kernel release for a short name (6.1, 6.12)
# or a full release string.
wp_kver() {
	local name=$1 img
	if [ -e "/boot/vmlinuz-$name" ]; then
		echo "$name"
		return
	fi
	img=$(ls /boot/vmlinuz-"$name".[0-9]*-amd64 /boot/vmlinuz-"$name".[0-9]*+deb*-amd64 \
		2>/dev/null | sort -uV | tail -n 1)
	[ -n "$img" ] || wp_die "no installed Debian kernel $name (run scripts/setup-deps)"
	echo "${img#/boot/vmlinuz-}"
}

wp_kdir() {
	local d="/lib/modules/$1/build"
	[ -d "$d" ] || wp_die "no headers for $1 at $d (run scripts/setup-deps)"
	echo "$d"
}

# wp_tap_count FILE: print "PASSED FAILED" counted from TAP lines.
wp_tap_count() {
	local pass fail
	pass=$(grep -cE '^[[:space:]]*ok( |$)' "$1" || true)
	fail=$(grep -cE '^[[:space:]]*not ok( |$)' "$1" || true)
	echo "$pass $fail"
}

# Test code-signing keys (never for production): build/certs/test.* is the
# key the test enabler trusts, build/certs/untrusted.* one it does not.
WP_CERTS=${WP_CERTS:-$WP_BUILD/certs}
wp_test_certs() {
	"$WP_TOP/scripts/sign-tool" keygen "$WP_CERTS" test
	"$WP_TOP/scripts/sign-tool" keygen "$WP_CERTS" untrusted
}
