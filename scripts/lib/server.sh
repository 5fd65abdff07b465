# SPDX-License-Identifier: GPL-2.0-only
#
# Shell helpers to run a wpserver on loopback and drive its admin API with
# curl, shared by the end-to-end tests (tests/flows) and the demo.
# Source it after setting WP_SRV_DIR (data directory), WP_SRV_PORT and
# WP_BIN (directory of wpserver).

# wp_server_start: start wpserver in the background; 0 once it listens.
wp_server_start() {
	rm -f "$WP_SRV_DIR/ready"
	"$WP_BIN/wpserver" serve --data "$WP_SRV_DIR" --listen "127.0.0.1:$WP_SRV_PORT" \
		--ready-file "$WP_SRV_DIR/ready" --log-level warn 2>> "$WP_SRV_DIR/server.log" &
	WP_SRV_PID=$!
	disown "$WP_SRV_PID"
	for _ in $(seq 100); do [ -s "$WP_SRV_DIR/ready" ] && return 0; sleep 0.1; done
	return 1
}

wp_server_stop() {
	[ -n "${WP_SRV_PID:-}" ] && kill -9 "$WP_SRV_PID" 2>/dev/null
	WP_SRV_PID=""
}

# wp_server_init: keys and an administrator root/admin-password.
wp_server_init() {
	mkdir -p "$WP_SRV_DIR"
	"$WP_BIN/wpserver" keygen --data "$WP_SRV_DIR" > /dev/null 2>&1 &&
		echo admin-password | "$WP_BIN/wpserver" create-admin root admin \
			--data "$WP_SRV_DIR" > /dev/null 2>&1
}

wp_server_url() {
	echo "http://127.0.0.1:$WP_SRV_PORT"
}

# wp_admin_login: sets WP_TOKEN.
wp_admin_login() {
	WP_TOKEN=$(curl -sS -X POST -H 'Content-Type: application/json' \
		--data '{"username":"root","password":"admin-password"}' \
		"$(wp_server_url)/api/v1/login" | jq -r .token)
	[ -n "$WP_TOKEN" ] && [ "$WP_TOKEN" != null ]
}

# wp_api METHOD PATH [JSON]: an admin call; prints the answer's body.
wp_api() {
	curl -sS -X "$1" -H "Authorization: Bearer $WP_TOKEN" \
		-H 'Content-Type: application/json' ${3:+--data "$3"} "$(wp_server_url)$2"
}

# wp_setup_group IMAGE-FILE POLICY-JSON USERNAME PASSWORD: upload the image,
# create policy set, template, group and user; sets WP_GROUP and WP_USER.
wp_setup_group() {
	local file=$1 policy=$2 user=$3 password=$4 sha pol img tmpl
	sha=$(sha256sum "$file" | cut -d' ' -f1)
	pol=$(wp_api POST /api/v1/policy-sets "$policy" | jq -r .id)
	img=$(wp_api POST /api/v1/images '{"name":"work-phone","version":"1"}' | jq -r .id)
	curl -sS -X PUT -H "Authorization: Bearer $WP_TOKEN" -H "X-Content-SHA256: $sha" \
		--upload-file "$file" "$(wp_server_url)/api/v1/images/$img/content" > /dev/null
	tmpl=$(wp_api POST /api/v1/templates \
		"{\"name\":\"standard\",\"guest_os\":\"linux\",\"image_id\":\"$img\"}" | jq -r .id)
	WP_GROUP=$(wp_api POST /api/v1/groups \
		"{\"name\":\"field staff\",\"policy_set_id\":\"$pol\",\"template_id\":\"$tmpl\"}" | jq -r .id)
	WP_USER=$(wp_api POST /api/v1/users \
		"{\"username\":\"$user\",\"group_id\":\"$WP_GROUP\",\"password\":\"$password\"}" | jq -r .id)
	for v in "$pol" "$img" "$tmpl" "$WP_GROUP" "$WP_USER"; do
		[ -n "$v" ] && [ "$v" != null ] || return 1
	done
}

# wp_command DEVICE TYPE: queue a command; prints its id.
wp_command() {
	wp_api POST /api/v1/commands "{\"device_id\":\"$1\",\"type\":\"$2\"}" | jq -r .id
}

# wp_image_tar SRC-IMAGE-DIR OUT-TAR: the work-phone image an administrator
# uploads: a tar of an image directory (scripts/mkimage) holding its
# manifest, kernel and initrd and a fresh, empty 8 MiB ext4 disk (sparse
# in the tar), so that downloading and unpacking it stays quick.  The same
# inputs give the same bytes (fixed times and identifiers).
wp_image_tar() {
	local src=$1 out=$2 stage f name mkfs
	[ -f "$src/manifest.json" ] || { echo "wp_image_tar: $src/manifest.json: no such file" >&2; return 1; }
	mkfs=$(PATH=$PATH:/sbin:/usr/sbin command -v mkfs.ext4) ||
		{ echo "wp_image_tar: mkfs.ext4 missing (e2fsprogs)" >&2; return 1; }
	stage=$(mktemp -d) || return 1
	cp "$src/manifest.json" "$stage/" || { rm -rf "$stage"; return 1; }
	for f in kernel initrd; do
		name=$(jq -r ".$f // empty" "$src/manifest.json") || { rm -rf "$stage"; return 1; }
		[ -z "$name" ] || cp "$src/$name" "$stage/$name" || { rm -rf "$stage"; return 1; }
	done
	name=$(jq -r '.disk // empty' "$src/manifest.json")
	[ -n "$name" ] || { echo "wp_image_tar: $src/manifest.json: no \"disk\"" >&2; rm -rf "$stage"; return 1; }
	truncate -s 8M "$stage/$name" &&
		E2FSPROGS_FAKE_TIME=1700000000 "$mkfs" -q -F -O ^has_journal -L workphone \
			-U 6d2a1c4e-0b7e-4d0e-9a7b-776f726b7068 \
			-E root_owner=0:0,hash_seed=0b1e5a3c-7d2f-4c1a-8e9b-776f726b7068 "$stage/$name" &&
		tar --sparse --sort=name --owner=0 --group=0 --numeric-owner --mtime=@1700000000 \
			-cf "$out" -C "$stage" .
	f=$?
	rm -rf "$stage"
	return $f
}
