#!/usr/bin/env bash
# ses-emulator developer entry point. On a fresh Debian machine:
#   ./dev.sh run [FLAGS...]   install dependencies, build, and run the emulator
#                             (default: the built-in fixtures on 127.0.0.1:4590)
#   ./dev.sh test             install dependencies, build, and run every test:
#                             C unit tests, lint, and the end-to-end suite that
#                             drives the real binary with the official Node SDKs,
#                             also under AddressSanitizer/UBSan; the last line
#                             reads "N passed, N failed"
#   ./dev.sh build            install dependencies and build only
set -euo pipefail
cd "$(dirname "$0")"

APT_PACKAGES=(build-essential meson ninja-build pkg-config python3 libmicrohttpd-dev libsqlite3-dev
	libcjson-dev libssl-dev libcurl4-openssl-dev libjemalloc-dev nodejs npm pmccabe wrk clang-format clang php-cli chromium)

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

install_deps() {
	local missing=()
	for p in "${APT_PACKAGES[@]}"; do
		dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
	done
	# node/npm may come from elsewhere than Debian (nodesource, nvm): accept them.
	if command -v node >/dev/null && command -v npm >/dev/null; then
		local keep=()
		for p in "${missing[@]}"; do [ "$p" = nodejs ] || [ "$p" = npm ] || keep+=("$p"); done
		missing=("${keep[@]+"${keep[@]}"}")
	fi
	if [ ${#missing[@]} -gt 0 ]; then
		echo "dev.sh: installing ${missing[*]}" >&2
		as_root apt-get update -qq
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
	fi
}

build() {
	local dir=$1; shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$@" >/dev/null
	fi
	ninja -C "$dir" >/dev/null
}

install_node_modules() {
	(cd tests/e2e && { [ -d node_modules ] && [ node_modules -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; })
}

cmd=${1:-run}
[ $# -gt 0 ] && shift
case "$cmd" in
run)
	install_deps
	build build
	exec ./build/ses-emulator "$@"
	;;
build)
	install_deps
	build build
	;;
test)
	install_deps
	build build
	build build-asan -Db_sanitize=address,undefined -Db_lundef=false
	install_node_modules
	exec python3 tests/run_all.py
	;;
*)
	echo "usage: ./dev.sh run [FLAGS...] | test | build" >&2
	exit 2
	;;
esac
