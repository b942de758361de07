#!/usr/bin/env bash
# Focus: the container image's recipe works from nothing, without a Docker engine.
#
# Runs docker/build-steps.sh exactly as docker/Dockerfile does, in fresh Debian
# bookworm roots made with debootstrap (minbase, like bookworm-slim):
#   1. debootstrap a base root;
#   2. build stage: a copy of the base gets the build dependencies and the
#      sources (what .dockerignore lets through), builds and installs into /out;
#   3. runtime stage: another copy of the base gets only the runtime libraries
#      and the "ses" user, then /out is copied in;
#   4. the installed binary must resolve every library there (ldd), print its
#      version, start as the unprivileged user with its store in /data, answer
#      `--probe` and a TC3-signed API call (docs/examples/curl-tc3.sh), and
#      stop on SIGTERM with status 0 within one second.
# Prints the time of each phase and a closing "N passed, N failed" line.
#
# Needs root, debootstrap, mount, curl and openssl on the host, and the Debian
# mirror (DEBIAN_MIRROR, default http://deb.debian.org/debian). Takes a few
# minutes, mostly downloads, so it is not part of ./dev.sh test; run it as
#   sudo tests/docker/fresh-root.sh
# FRESH_ROOT_KEEP=1 keeps the roots (their folder is printed) for a look.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm
WORK=$(mktemp -d /var/tmp/ses-fresh-root.XXXXXX)
BASE=$WORK/base
BUILD=$WORK/build
RUN=$WORK/run
EMULATOR_PID=
passed=0
failed=0
started=$(date +%s)
phase_start=$started

log() { printf 'fresh-root: %s\n' "$*"; }

phase() {
	local now
	now=$(date +%s)
	log "$1 ($((now - phase_start)) s)"
	phase_start=$now
}

check() {
	local what=$1
	shift
	if "$@"; then
		log "ok: $what"
		passed=$((passed + 1))
	else
		log "FAILED: $what"
		failed=$((failed + 1))
	fi
}

mounted_under() { grep -F " $1/" /proc/mounts | awk '{print $2}' | sort -r; }

cleanup() {
	if [ -n "$EMULATOR_PID" ] && kill -0 "$EMULATOR_PID" 2>/dev/null; then
		kill -KILL "$EMULATOR_PID" 2>/dev/null || true
	fi
	for m in $(mounted_under "$WORK"); do umount "$m" || umount -l "$m" || true; done
	if [ "${FRESH_ROOT_KEEP:-0}" = 1 ]; then
		log "roots kept in $WORK"
	elif [ -z "$(mounted_under "$WORK")" ]; then
		rm -rf --one-file-system "$WORK"
	else
		log "something is still mounted under $WORK: not removed"
	fi
}
trap cleanup EXIT

in_root() {
	local root=$1
	shift
	chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 "$@"
}

prepare_root() {
	local root=$1
	cp -a "$BASE" "$root"
	cp /etc/resolv.conf "$root/etc/resolv.conf"
	# The updates and security suites, as in the debian:bookworm-slim image.
	cat >"$root/etc/apt/sources.list" <<-EOF
		deb $MIRROR $SUITE main
		deb $MIRROR $SUITE-updates main
		deb ${MIRROR%/debian}/debian-security $SUITE-security main
	EOF
	mount -t proc proc "$root/proc"
	mount --bind /dev "$root/dev"
	mount --bind /dev/pts "$root/dev/pts" # else apt complains that it cannot log
}

if [ "$(id -u)" != 0 ]; then
	echo "fresh-root.sh: run as root (debootstrap, chroot and mount need it)" >&2
	exit 2
fi
for tool in debootstrap chroot mount curl openssl; do
	command -v "$tool" >/dev/null || {
		echo "fresh-root.sh: $tool is missing (apt-get install debootstrap curl openssl)" >&2
		exit 2
	}
done
log "work folder $WORK, mirror $MIRROR"

# 1. base root
debootstrap --variant=minbase "$SUITE" "$BASE" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
	{ tail -20 "$WORK/debootstrap.log"; exit 1; }
phase "debootstrap $SUITE minbase"

# 2. build stage (Dockerfile: FROM ... AS build)
prepare_root "$BUILD"
install -m 0755 "$ROOT/docker/build-steps.sh" "$BUILD/usr/local/sbin/build-steps.sh"
in_root "$BUILD" build-steps.sh build-deps
phase "build stage: build dependencies installed"
mkdir -p "$BUILD/src"
# COPY . /src, with what .dockerignore keeps out left out here too.
tar -C "$ROOT" --exclude=./.git --exclude=./build --exclude='./build-*' --exclude=node_modules \
	--exclude='*.db' --exclude='*.db-wal' --exclude='*.db-shm' -cf - . | tar -C "$BUILD/src" -xf -
in_root "$BUILD" build-steps.sh build /src /out
phase "build stage: built and installed into /out"

# 3. runtime stage
prepare_root "$RUN"
install -m 0755 "$ROOT/docker/build-steps.sh" "$RUN/usr/local/sbin/build-steps.sh"
in_root "$RUN" sh -c 'build-steps.sh runtime-deps && build-steps.sh user && rm /usr/local/sbin/build-steps.sh'
cp -a "$BUILD/out/." "$RUN/"
phase "runtime stage: runtime libraries, user, binary"

# 4. the installed result
bin=/usr/local/bin/ses-emulator
check "every library resolves in the runtime root" \
	sh -c "! chroot '$RUN' ldd $bin | grep -q 'not found'"
check "no compiler or -dev package in the runtime root" \
	sh -c "! chroot '$RUN' dpkg -l gcc meson libcurl4-openssl-dev 2>/dev/null | grep -q '^ii'"
check "man page and default fixture installed" \
	test -f "$RUN/usr/local/share/man/man1/ses-emulator.1" -a -f "$RUN/usr/local/share/ses-emulator/default.json"
check "--version names the API version" \
	sh -c "chroot '$RUN' $bin --version | grep -q 'SES API 2020-10-02'"
log "runtime root: $(du -sh --one-file-system "$RUN" | cut -f1) (base $(du -sh --one-file-system "$BASE" | cut -f1))"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
env_run=(SES_EMULATOR_LISTEN=0.0.0.0:$port SES_EMULATOR_DB=/data/ses-emulator.db)
chroot --userspec=ses:ses "$RUN" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin "${env_run[@]}" \
	sh -c "cd /data && exec $bin" 2>"$WORK/emulator.log" &
EMULATOR_PID=$!
healthy=no
for _ in $(seq 1 50); do
	if chroot --userspec=ses:ses "$RUN" /usr/bin/env -i "${env_run[@]}" $bin --probe >/dev/null; then
		healthy=yes
		break
	fi
	sleep 0.1
done
check "--probe finds the emulator healthy (as user ses, on 0.0.0.0:$port)" test "$healthy" = yes
phase "started and healthy"
check "a TC3-signed ListEmailTemplates answers the default fixture's templates" \
	sh -c "SES_ENDPOINT=127.0.0.1:$port '$ROOT/docs/examples/curl-tc3.sh' ListEmailTemplates '{\"Limit\":10,\"Offset\":0}' | grep -q welcome"
check "the store is on /data, owned by ses (uid 10001)" \
	sh -c "[ \"\$(stat -c %u '$RUN/data/ses-emulator.db')\" = 10001 ]"

t0=$(date +%s%N)
kill -TERM "$EMULATOR_PID"
status=0
wait "$EMULATOR_PID" || status=$?
t1=$(date +%s%N)
EMULATOR_PID=
stop_ms=$(((t1 - t0) / 1000000))
check "SIGTERM: exit status 0 (got $status)" test "$status" = 0
check "SIGTERM: stopped within one second (${stop_ms} ms)" test "$stop_ms" -lt 1000
if [ "$failed" != 0 ]; then
	log "emulator stderr:"
	sed 's/^/  /' "$WORK/emulator.log"
fi
log "total $(($(date +%s) - started)) s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
