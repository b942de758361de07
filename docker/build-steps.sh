#!/bin/sh
# The container image's build and run steps, as a plain script.
#
# docker/Dockerfile runs these steps, and tests/docker/fresh-root.sh runs the
# same steps in fresh Debian bookworm roots made with debootstrap, so that the
# image's recipe is proven to work from nothing on machines without a Docker
# engine. Every step runs as root on Debian bookworm.
#
#   build-steps.sh build-deps          install what building needs (apt)
#   build-steps.sh build SRC DESTDIR   configure, compile and install into DESTDIR
#                                      (prefix /usr/local, stripped; the -O2 build
#                                      the tests run, not -O3, see below)
#   build-steps.sh runtime-deps        install only the runtime libraries (apt)
#   build-steps.sh user                create the unprivileged user "ses"
#                                      (uid 10001) and its data directory /data
#
# The runtime packages are those that provide the libraries the binary is
# linked against (readelf -d ses-emulator | grep NEEDED), plus CA certificates
# for an smtps:// relay and https:// attachment URLs.
#
# The build type is debugoptimized (-O2 -g, then stripped, assertions on):
# the configuration every test runs against, warnings as errors included.
# A release (-O3) build inlines more and gcc 12 then reports format
# truncation warnings the tested build does not.
set -eu

BUILD_PACKAGES="gcc libc6-dev meson ninja-build pkg-config python3 libmicrohttpd-dev libsqlite3-dev
	libcjson-dev libssl-dev libcurl4-openssl-dev libjemalloc-dev"
RUNTIME_PACKAGES="libmicrohttpd12 libsqlite3-0 libcjson1 libssl3 libcurl4 libjemalloc2 ca-certificates"
SES_UID=10001

apt_install() {
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "$@" >/dev/null
	apt-get clean
	rm -rf /var/lib/apt/lists/*
}

case "${1:-}" in
build-deps)
	# shellcheck disable=SC2086
	apt_install $BUILD_PACKAGES
	;;
build)
	src=${2:?source directory}
	destdir=${3:?destination directory}
	build=$(mktemp -d)
	log=$build.log
	# Quiet unless a step fails; then its whole output is shown.
	quiet() { "$@" >"$log" 2>&1 || { cat "$log" >&2; exit 1; }; }
	quiet meson setup "$build" "$src" --prefix=/usr/local --buildtype=debugoptimized
	# Only what gets installed: the binary and the man page, not the tests.
	quiet ninja -C "$build" ses-emulator docs/ses-emulator.1
	quiet meson install -C "$build" --no-rebuild --strip --destdir "$destdir"
	"$destdir/usr/local/bin/ses-emulator" --version
	rm -rf "$build" "$log"
	;;
runtime-deps)
	# shellcheck disable=SC2086
	apt_install $RUNTIME_PACKAGES
	;;
user)
	groupadd --gid "$SES_UID" ses
	useradd --uid "$SES_UID" --gid ses --home-dir /data --no-create-home --no-log-init \
		--shell /usr/sbin/nologin ses
	mkdir -p /data
	chown ses:ses /data
	;;
*)
	echo "usage: build-steps.sh build-deps | build SRC DESTDIR | runtime-deps | user" >&2
	exit 2
	;;
esac
