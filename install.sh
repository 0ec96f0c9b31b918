#!/usr/bin/env bash
# install.sh: set up artframe-immich on a Raspberry Pi (Raspberry Pi OS bookworm or trixie):
# SPI, I2C, Node.js, the app in /opt, a system user, the config, a systemd unit, and the rights a
# battery frame needs (power-off, the RTC's wake alarm). Run it again at any time: it only changes
# what is missing or out of date, and says so.
set -euo pipefail
# bash 5.2 makes "&" in ${var//pattern/replacement} mean the match; we substitute user input.
shopt -u patsub_replacement 2>/dev/null || true
# What we install must be readable by the service user whatever umask sudo passed on.
umask 022

readonly APP=artframe-immich
readonly MIN_NODE=20.18.1
# Node.js line taken from NodeSource where the distribution's own is too old (bookworm ships
# 18.x). 22 is an LTS line that NodeSource still builds for armhf as well as arm64.
readonly NODESOURCE_MAJOR=22
readonly NODESOURCE_KEY_URL=https://deb.nodesource.com/gpgkey/nodesource-repo.gpg.key
# Bundled by esbuild into dist/ at `npm ci` (the prepare script); the tests and benches stay behind.
readonly APP_FILES=(package.json package-lock.json bin src drivers hardware tsconfig.json README.md LICENSE)
readonly APP_REQUIRED=(package.json package-lock.json bin src)

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Options.
PREFIX=""
DRY_RUN=0
UNINSTALL=0
UPGRADE=0
PURGE=0
SKIP_NPM=0
SERVICE_USER=artframe
URL=""
KEY=""
KEY_FILE=""
ALBUM=""
ALBUM_SET=0
PANEL=""

# State of this run.
CHANGED=0
REBOOT_NEEDED=0
APT_UPDATED=0
RESTART_NEEDED=0
CONFIG_OK=unknown
NODE_BIN=""

usage() {
  cat <<EOF
Usage: sudo ./install.sh [options]

Installs artframe-immich from this checkout: enables SPI, installs Node.js >= $MIN_NODE when
needed, copies and builds the app into /opt/$APP, creates the system user, writes
/etc/$APP/config.json (mode 600), enables the $APP systemd service and lets the
service user power off and set the RTC's wake alarm (a polkit and a udev rule, for power
"battery"). Running it again changes only what is missing or out of date.

Config (used only when /etc/$APP/config.json does not exist yet; asked on a terminal):
  --url URL           Immich server, http:// or https://
  --key-file FILE     file holding the Immich API key (or set IMMICH_API_KEY)
  --key KEY           the API key itself (visible to other users in the process list)
  --album ID          album UUID or the album's URL; "" (the default) for the whole library
  --panel ID          panel id from the catalogue (drivers/panels.ts); default auto: an Inky
                      HAT's EEPROM names it, a Waveshare HAT needs the id

Install:
  --user NAME         service user (default: artframe), in the gpio, spi and i2c groups
  --skip-npm          copy the app but do not run npm (for tests: the service needs the build)

Other modes:
  --upgrade           install this checkout beside the running version, switch to it, restart
                      the service and switch back by itself if it does not report ready
                      (artframe-immich upgrade); the config and the photos stay as they are
  --uninstall         stop and remove the service, the unit and /opt/$APP; keeps the config
                      and the photos
  --purge             with --uninstall: also remove the config, the photos and the user
  --dry-run           print the steps without doing anything (no root needed)
  --prefix DIR        install into the tree DIR (DIR/etc, DIR/opt, DIR/var/lib) without root:
                      apt-get, systemctl, raspi-config, useradd and chown are not run but
                      logged to DIR/install.log; DIR/etc/os-release stands in for the OS
  -h, --help          this help

Example:
  sudo ./install.sh --url https://immich.example.com --key-file ~/immich.key \\
    --album a1b2c3d4-e5f6-7890-abcd-ef1234567890
EOF
}

# ---- output ---------------------------------------------------------------------------------

say() { printf '%s\n' "$*"; }
step() { printf '\n==> %s\n' "$*"; }
ok() { printf '  = %s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}
usage_error() {
  printf 'error: %s (see ./install.sh --help)\n' "$*" >&2
  exit 2
}

# A change to a file in the target tree: real in prefix mode too.
did_file() {
  if [ "$DRY_RUN" = 1 ]; then
    printf '  + (dry run) would %s\n' "$*"
  else
    printf '  + %s\n' "$*"
    CHANGED=1
  fi
}

# A change to the system (packages, users, services): only real outside prefix and dry-run.
did_sys() {
  if [ "$DRY_RUN" = 1 ] || [ -n "$PREFIX" ]; then
    printf '  + (not done here) would %s\n' "$*"
  else
    printf '  + %s\n' "$*"
    CHANGED=1
  fi
}

show_cmd() {
  local out
  printf -v out '%q ' "$@"
  out=${out//\\,/,} # %q escapes commas, which the shell does not need
  printf '%s' "${out% }"
}

log_line() {
  if [ -n "$PREFIX" ] && [ "$DRY_RUN" = 0 ]; then
    printf '%s\n' "$*" >>"$LOG"
  fi
}

# Run a command that changes the system. Prefix mode logs it instead; dry-run prints it.
sys() {
  if [ "$DRY_RUN" = 1 ]; then
    say "    [dry run] $(show_cmd "$@")"
  elif [ -n "$PREFIX" ]; then
    say "    [prefix, not run] $(show_cmd "$@")"
    log_line "not run: $(show_cmd "$@")"
  else
    "$@"
  fi
}

# Run a command that changes files in the target tree (real in prefix mode, printed in dry-run).
fs() {
  if [ "$DRY_RUN" = 1 ]; then
    say "    [dry run] $(show_cmd "$@")"
  else
    "$@"
  fi
}

# chown, which prefix mode must not do (the user may not exist on this machine).
set_owner() { # set_owner OWNER:GROUP PATH...
  local want=$1
  shift
  if [ -n "$PREFIX" ]; then
    log_line "not run: $(show_cmd chown "$want" "$@")"
    return 0
  fi
  local p
  for p in "$@"; do
    if [ ! -e "$p" ] || [ "$(stat -c '%U:%G' "$p")" != "$want" ]; then
      sys chown "$want" "$p"
      did_sys "set the owner of $p to $want"
    fi
  done
}

# ---- arguments ------------------------------------------------------------------------------

take() { # take VAR "$@": the option's value ($2) into VAR
  local var=$1
  shift
  [ $# -ge 2 ] || usage_error "$1 needs a value"
  printf -v "$var" '%s' "$2"
}

parse_args() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --url) take URL "$@"; shift 2 ;;
      --url=*) URL=${1#*=}; shift ;;
      --key) take KEY "$@"; shift 2 ;;
      --key=*) KEY=${1#*=}; shift ;;
      --key-file) take KEY_FILE "$@"; shift 2 ;;
      --key-file=*) KEY_FILE=${1#*=}; shift ;;
      --album) take ALBUM "$@"; ALBUM_SET=1; shift 2 ;;
      --album=*) ALBUM=${1#*=}; ALBUM_SET=1; shift ;;
      --panel) take PANEL "$@"; shift 2 ;;
      --panel=*) PANEL=${1#*=}; shift ;;
      --user) take SERVICE_USER "$@"; shift 2 ;;
      --user=*) SERVICE_USER=${1#*=}; shift ;;
      --prefix) take PREFIX "$@"; shift 2 ;;
      --prefix=*) PREFIX=${1#*=}; shift ;;
      --skip-npm) SKIP_NPM=1; shift ;;
      --dry-run) DRY_RUN=1; shift ;;
      --upgrade) UPGRADE=1; shift ;;
      --uninstall) UNINSTALL=1; shift ;;
      --purge) PURGE=1; shift ;;
      -h | --help) usage; exit 0 ;;
      *) usage_error "unknown option $1" ;;
    esac
  done
  if [ "$PURGE" = 1 ] && [ "$UNINSTALL" = 0 ]; then
    usage_error "--purge only goes with --uninstall"
  fi
  [[ $SERVICE_USER =~ ^[a-z_][a-z0-9_-]{0,31}$ ]] ||
    usage_error "--user \"$SERVICE_USER\" is not a valid user name (lower-case letters, digits, - and _)"
}

setup_paths() {
  ROOT=""
  if [ -n "$PREFIX" ]; then
    [[ $PREFIX != *[[:space:]]* ]] || usage_error "--prefix \"$PREFIX\" must not contain spaces"
    ROOT=$(realpath -m -- "$PREFIX")
    [ "$ROOT" != / ] || usage_error "--prefix / is the real system: leave --prefix out"
    PREFIX=$ROOT
  fi
  CONFIG_DIR=$ROOT/etc/$APP
  CONFIG=$CONFIG_DIR/config.json
  INSTALL_DIR=$ROOT/opt/$APP
  STATE_DIR=$ROOT/var/lib/$APP
  UNIT_FILE=$ROOT/etc/systemd/system/$APP.service
  POLKIT_RULE=$ROOT/etc/polkit-1/rules.d/50-$APP.rules
  UDEV_RULE=$ROOT/etc/udev/rules.d/60-$APP-rtc.rules
  WRAPPER=$ROOT/usr/local/bin/$APP
  LOG=$ROOT/install.log
  # What the running system has: its devices and its board (a test tree's stand in for them).
  DEV_DIR=$ROOT/dev
  MODEL_FILE=$ROOT/proc/device-tree/model
  OS_RELEASE=/etc/os-release
  if [ -n "$ROOT" ] && [ -e "$ROOT/etc/os-release" ]; then
    OS_RELEASE=$ROOT/etc/os-release
  fi
}

check_root() {
  if [ -z "$PREFIX" ] && [ "$DRY_RUN" = 0 ] && [ "$(id -u)" -ne 0 ]; then
    die "install.sh must run as root: sudo ./install.sh (or --dry-run to preview, --prefix DIR to install into a test tree)"
  fi
}

# ---- system checks --------------------------------------------------------------------------

check_os() {
  OS_ID="" OS_ID_LIKE="" OS_CODENAME="" OS_VERSION_ID="" OS_NAME=""
  [ -r "$OS_RELEASE" ] || die "cannot read $OS_RELEASE: install.sh supports Raspberry Pi OS and Debian (bookworm, trixie)"
  local k v
  while IFS='=' read -r k v; do
    v=${v#[\"\']}
    v=${v%[\"\']}
    case "$k" in
      ID) OS_ID=$v ;;
      ID_LIKE) OS_ID_LIKE=$v ;;
      VERSION_CODENAME) OS_CODENAME=$v ;;
      VERSION_ID) OS_VERSION_ID=$v ;;
      PRETTY_NAME) OS_NAME=$v ;;
    esac
  done <"$OS_RELEASE"
  OS_NAME=${OS_NAME:-$OS_ID}
  case " $OS_ID $OS_ID_LIKE " in
    *" debian "* | *" raspbian "*) ;;
    *) die "unsupported OS: $OS_NAME (ID=${OS_ID:-unknown}); install.sh supports Raspberry Pi OS and Debian (bookworm, trixie)" ;;
  esac
  if [ -z "$OS_CODENAME" ]; then
    case "$OS_VERSION_ID" in
      12) OS_CODENAME=bookworm ;;
      13) OS_CODENAME=trixie ;;
    esac
  fi
  case "$OS_CODENAME" in
    bookworm | trixie) ;;
    *) warn "$OS_NAME (${OS_CODENAME:-no codename}) is untested: install.sh knows Raspberry Pi OS and Debian bookworm and trixie; carrying on" ;;
  esac

  ARCH=$(dpkg --print-architecture 2>/dev/null || true)
  MACHINE=$(uname -m)
  case "$ARCH" in
    arm64 | armhf) ;;
    *) warn "architecture ${ARCH:-unknown} ($MACHINE) is not a Raspberry Pi's (arm64 or armhf): installing anyway; the panel needs a Pi's GPIO and SPI (the virtual: and trace: transports work anywhere)" ;;
  esac
}

# ---- config input ---------------------------------------------------------------------------

trim() {
  local s=$1
  s=${s#"${s%%[![:space:]]*}"}
  s=${s%"${s##*[![:space:]]}"}
  printf '%s' "$s"
}

validate_url() {
  URL=$(trim "$URL")
  local re='^https?://[^/?#[:space:]]+([/?#][^[:space:]]*)?$'
  [[ $URL =~ $re ]] ||
    die "--url \"$URL\" is not an http:// or https:// URL (such as https://immich.example.com)"
  URL=${URL%/}
}

validate_key() {
  KEY=$(trim "$KEY")
  [ -n "$KEY" ] || die "the Immich API key is empty (--key, --key-file or IMMICH_API_KEY)"
  [[ $KEY != *[[:space:][:cntrl:]]* ]] ||
    die "the Immich API key contains spaces or control characters: copy it again from Immich (Account Settings > API Keys)"
}

validate_album() {
  ALBUM=$(trim "$ALBUM")
  local uuid='[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}'
  if [ -z "$ALBUM" ] || [[ $ALBUM =~ ^$uuid$ ]]; then
    :
  elif [[ $ALBUM =~ /albums/($uuid)([/?#]|$) ]]; then
    ALBUM=${BASH_REMATCH[1]}
  else
    die "--album \"$ALBUM\" is not an album id: give the UUID from the album's page (.../albums/<uuid>), or \"\" for the whole library"
  fi
  ALBUM=${ALBUM,,}
}

validate_panel() {
  [ -z "$PANEL" ] || [[ $PANEL =~ ^[a-z0-9][a-z0-9._-]*$ ]] ||
    die "--panel \"$PANEL\" is not a panel id (such as waveshare-7in3e; see drivers/panels.ts)"
}

# Gather URL, key and album before anything changes, so a mistake costs nothing.
collect_config_input() {
  if [ -e "$CONFIG" ]; then
    return 0
  fi
  if [ -z "$KEY" ] && [ -n "$KEY_FILE" ]; then
    [ -r "$KEY_FILE" ] || die "--key-file $KEY_FILE cannot be read"
    IFS= read -r KEY <"$KEY_FILE" || [ -n "$KEY" ] || die "--key-file $KEY_FILE is empty"
  fi
  if [ -z "$KEY" ] && [ -n "${IMMICH_API_KEY:-}" ]; then
    KEY=$IMMICH_API_KEY
  fi
  local interactive=0
  [ -t 0 ] && interactive=1
  if [ -z "$URL" ]; then
    if [ "$interactive" = 1 ]; then
      read -r -p "Immich server URL (such as https://immich.example.com): " URL
    elif [ "$DRY_RUN" = 1 ]; then
      say "  (dry run) the config needs --url: the real run would stop here without it"
      URL=https://immich.example.com
    else
      die "--url is required to write $CONFIG (no terminal to ask on): pass --url https://your-immich-server"
    fi
  fi
  validate_url
  if [ -z "$KEY" ]; then
    if [ "$interactive" = 1 ]; then
      read -r -s -p "Immich API key (typing is hidden): " KEY
      printf '\n' >&2
    elif [ "$DRY_RUN" = 1 ]; then
      say "  (dry run) the config needs --key-file, --key or IMMICH_API_KEY: the real run would stop here without it"
      KEY=dry-run-placeholder
    else
      die "--key-file (or --key, or IMMICH_API_KEY) is required to write $CONFIG (no terminal to ask on)"
    fi
  fi
  validate_key
  if [ "$ALBUM_SET" = 0 ] && [ "$interactive" = 1 ]; then
    read -r -p "Album id or album URL (empty for the whole library): " ALBUM
  fi
  validate_album
  validate_panel
}

# ---- reboot owed (decided from the system's state, not from this run's changes) -------------
# A run that switched SPI or I2C on and then failed leaves the reboot owed to the next run, which
# changes nothing: so the boot config is compared with the devices the running kernel has.

# The SPI and I2C requests of the boot config ($1) that the running system has no device for,
# as one sentence each; nothing when every request is active (or there is no boot config).
inactive_boot_settings() {
  local boot=$1
  [ -n "$boot" ] && [ -f "$boot" ] || return 0
  if grep -Eq '^[[:space:]]*(device_tree_param|dtparam)=([^,]*,)*spi(=(on|true|yes|1))?(,.*)?[[:space:]]*$' "$boot" &&
    [ ! -e "$DEV_DIR/spidev0.0" ]; then
    printf 'SPI is enabled in %s but not active (no %s): reboot\n' "$boot" "$DEV_DIR/spidev0.0"
  fi
  if grep -Eq '^[[:space:]]*(device_tree_param|dtparam)=([^,]*,)*i2c(_arm)?(=(on|true|yes|1))?(,.*)?[[:space:]]*$' "$boot" &&
    [ ! -e "$DEV_DIR/i2c-1" ]; then
    printf 'I2C is enabled in %s but not active (no %s): reboot\n' "$boot" "$DEV_DIR/i2c-1"
  fi
}

# The "sudo reboot" line of the summary, when one is owed (by this run or an earlier one).
reboot_note() {
  local owed
  owed=$(inactive_boot_settings "$(boot_config)")
  if [ "$REBOOT_NEEDED" = 1 ]; then
    next "sudo reboot" "the SPI and I2C boot settings changed: they take effect after a reboot"
  elif [ -n "$owed" ]; then
    local line
    while IFS= read -r line; do
      next "sudo reboot" "$line"
    done <<<"$owed"
  fi
}

# ---- addons: each native module this board and panel need must load -----------------------
# rpio, spi-device and ioctl are optional dependencies, so npm ci exits 0 when one fails to
# build (offline, node-gyp cannot fetch Node's headers) and the frame only fails at the panel.

# The addons this board and panel need, one a line: the board from the device tree's model
# (drivers/board.ts: a Pi 5 drives its GPIO through the character device, ioctl; a Pi 1-4
# through rpio), SPI (spi-device) and I2C for the Inky EEPROM (ioctl) on every Pi, the serial
# port module when the config's transport is serial:. Not a Pi: all of the GPIO and SPI ones.
needed_addons() {
  local model=""
  [ -r "$MODEL_FILE" ] && model=$(tr -d '\0' <"$MODEL_FILE")
  if [[ $model =~ ^Raspberry\ Pi\ (5|500|Compute\ Module\ 5)([^0-9]|$) ]]; then
    printf '%s\n' spi-device ioctl
  else
    printf '%s\n' rpio spi-device ioctl
  fi
  if [ -f "$CONFIG" ] && grep -Eq '"transport"[[:space:]]*:[[:space:]]*"serial:' "$CONFIG"; then
    printf '%s\n' @serialport/bindings-cpp
  fi
}

addon_role() {
  case "$1" in
    rpio) printf 'GPIO on a Pi 1-4' ;;
    spi-device) printf 'the panel on SPI' ;;
    ioctl) printf "the Pi 5's GPIO and the Inky EEPROM on I2C" ;;
    *) printf 'the serial transport' ;;
  esac
}

# The directory holding the headers of this Node.js (include/node, NodeSource's package ships
# them in /usr/include/node), when their version is the running one: node-gyp builds against
# them (npm_config_nodedir) instead of downloading them from nodejs.org, so the build works offline.
node_headers_dir() {
  local prefix version h major minor patch
  prefix=$(dirname "$(dirname "$(readlink -f "$NODE_BIN")")")
  h=$prefix/include/node/node_version.h
  [ -f "$h" ] || return 0
  version=$(node_version "$NODE_BIN") || return 0
  major=$(sed -n 's/^#define NODE_MAJOR_VERSION \([0-9]*\).*/\1/p' "$h")
  minor=$(sed -n 's/^#define NODE_MINOR_VERSION \([0-9]*\).*/\1/p' "$h")
  patch=$(sed -n 's/^#define NODE_PATCH_VERSION \([0-9]*\).*/\1/p' "$h")
  if [ "$major.$minor.$patch" = "$version" ]; then
    printf '%s' "$prefix"
  fi
}

# The build error of addon $1 in npm's output $2 and its fix, as "ERROR; fix: FIX".
addon_build_error() {
  local addon=$1 log=$2 section
  # npm prints "> NAME@VERSION install" before each install script's output (--foreground-scripts).
  section=$(awk -v want="> $addon@" 'index($0, "> ") == 1 && $0 ~ /^> [^ ]+@[^ ]+ [a-z]+$/ { on = (index($0, want) == 1) } on' "$log" 2>/dev/null || true)
  local version
  version=$(node_version "$NODE_BIN" || printf 'this version')
  if [[ $section == *headers.tar.gz* ]] && [[ $section == *"gyp ERR!"* ]]; then
    printf "node-gyp could not download Node.js %s's headers from nodejs.org; fix: build offline against installed headers: NodeSource's nodejs package has them in /usr/include/node (then run again, or with npm_config_nodedir=/usr), or unpack node-v%s-headers.tar.gz and run again with npm_config_nodedir=THAT_DIR" "$version" "$version"
  elif [[ $section == *"find Python"*"gyp ERR!"* ]] || [[ $section == *"Could not find any Python"* ]]; then
    printf 'node-gyp found no Python; fix: sudo apt-get install python3, then run install.sh again'
  elif [[ $section =~ (not found: (make|g\+\+|cc|c\+\+)|make: not found|g\+\+: not found|No such file or directory: .?(make|g\+\+)) ]]; then
    printf '%s; fix: sudo apt-get install make g++, then run install.sh again' "${BASH_REMATCH[1]}"
  elif [ -n "$section" ]; then
    local first
    first=$(grep -m 1 -E ': error: |gyp ERR! stack Error|gyp ERR! .*error' <<<"$section" | sed -E 's/^gyp ERR! (stack )?//' || true)
    printf '%s; fix: see its build output above (build tools: sudo apt-get install python3 make g++)' "${first:-its install script failed}"
  else
    printf 'npm did not install it; fix: run install.sh again online, and see npm'"'"'s messages above'
  fi
}

# Load every needed addon from the staged build $1 (npm's output in $2): the first that does
# not load stops the install in one line naming it, its build error and the fix.
check_addons() {
  local stage=$1 log=$2 addon out
  while IFS= read -r addon; do
    if out=$(cd "$stage" && "$NODE_BIN" -e 'require(process.argv[1])' "$addon" 2>&1); then
      ok "$addon loads ($(addon_role "$addon"))"
    else
      out=$(grep -m 1 -E '^[A-Za-z]*Error' <<<"$out" || printf 'it does not load')
      local why
      why=$(addon_build_error "$addon" "$log")
      rm -f "$log"
      die "the $addon addon ($(addon_role "$addon")) did not build: $why [loading it: ${out:0:160}]"
    fi
  done < <(needed_addons)
}

# ---- steps ----------------------------------------------------------------------------------

# The boot config, bookworm's place first; empty when there is none (not a Pi, or a test tree).
boot_config() {
  local f
  for f in "$ROOT/boot/firmware/config.txt" "$ROOT/boot/config.txt"; do
    if [ -f "$f" ]; then
      printf '%s' "$f"
      return 0
    fi
  done
}

# Append a line that must apply to every Pi: after a [pi4] or [cm5] filter it would not.
append_boot_line() {
  local boot=$1 line=$2 section
  [ "$DRY_RUN" = 0 ] || return 0
  # Keep the file's last line intact when it lacks a final newline.
  if [ -s "$boot" ] && [ -n "$(tail -c 1 "$boot")" ]; then
    printf '\n' >>"$boot"
  fi
  section=$(grep -E '^[[:space:]]*\[[^]]*\]' "$boot" | tail -n 1 | tr -d '[:space:]' || true)
  if [ -n "$section" ] && [ "$section" != "[all]" ]; then
    printf '%s\n' '[all]' >>"$boot"
  fi
  printf '%s\n' "$line" >>"$boot"
}

enable_spi() {
  step "SPI"
  local boot
  boot=$(boot_config)
  if [ -z "$PREFIX" ] && command -v raspi-config >/dev/null 2>&1; then
    if [ "$(raspi-config nonint get_spi)" = 0 ]; then
      ok "SPI is enabled"
    else
      sys raspi-config nonint do_spi 0
      did_sys "enable SPI (raspi-config nonint do_spi 0)"
      REBOOT_NEEDED=1
    fi
  elif [ -z "$boot" ]; then
    ok "no Raspberry Pi boot config ($ROOT/boot/firmware/config.txt or $ROOT/boot/config.txt): SPI left alone"
    return 0
  elif grep -Eq '^[[:space:]]*(device_tree_param|dtparam)=([^,]*,)*spi(=(on|true|yes|1))?(,.*)?[[:space:]]*$' "$boot"; then
    ok "SPI is enabled in $boot"
  else
    append_boot_line "$boot" 'dtparam=spi=on'
    did_file "add dtparam=spi=on to $boot"
    REBOOT_NEEDED=1
  fi
  [ -n "$boot" ] && spi_chip_select "$boot"
  return 0
}

# The panel's CS (GPIO 8) is driven by the app as a plain GPIO around each command and data run.
# dtparam=spi=on alone makes the kernel claim GPIO 8 and 7 as SPI0's chip selects; spi0-0cs
# claims none and keeps /dev/spidev0.0 (drivers/transports/rpio.ts has the details).
spi_chip_select() {
  local boot=$1
  if grep -Eq '^[[:space:]]*dtoverlay=spi0-0cs([,:].*)?[[:space:]]*$' "$boot"; then
    ok "the kernel leaves GPIO 8 to the panel (dtoverlay=spi0-0cs in $boot)"
  elif grep -Eq '^[[:space:]]*dtoverlay=spi0-([0-9]+cs|cs)([,:].*)?[[:space:]]*$' "$boot"; then
    warn "$boot loads another spi0 chip-select overlay, so the kernel may drive GPIO 8, the panel's CS: replace it with dtoverlay=spi0-0cs unless another SPI device needs it"
  else
    append_boot_line "$boot" 'dtoverlay=spi0-0cs'
    did_file "add dtoverlay=spi0-0cs to $boot (GPIO 8 stays the panel's chip select)"
    REBOOT_NEEDED=1
  fi
}

# Panel "auto" reads the Inky boards' EEPROM on I2C bus 1 (drivers/detect.ts): /dev/i2c-1 needs
# the ARM I2C bus on and the i2c-dev module loaded; raspi-config's do_i2c does both. A Waveshare
# HAT leaves GPIO 2 and 3 free, so this is harmless there.
enable_i2c() {
  step "I2C (the Inky EEPROM, for panel \"auto\")"
  local boot
  boot=$(boot_config)
  if [ -z "$PREFIX" ] && command -v raspi-config >/dev/null 2>&1; then
    if [ "$(raspi-config nonint get_i2c)" = 0 ]; then
      ok "I2C is enabled"
    else
      sys raspi-config nonint do_i2c 0
      did_sys "enable I2C (raspi-config nonint do_i2c 0)"
      REBOOT_NEEDED=1
    fi
    return 0
  fi
  if [ -z "$boot" ]; then
    ok "no Raspberry Pi boot config ($ROOT/boot/firmware/config.txt or $ROOT/boot/config.txt): I2C left alone"
    return 0
  fi
  # i2c is the firmware's alias of i2c_arm.
  if grep -Eq '^[[:space:]]*(device_tree_param|dtparam)=([^,]*,)*i2c(_arm)?(=(on|true|yes|1))?(,.*)?[[:space:]]*$' "$boot"; then
    ok "I2C is enabled in $boot"
  else
    append_boot_line "$boot" 'dtparam=i2c_arm=on'
    did_file "add dtparam=i2c_arm=on to $boot"
    REBOOT_NEEDED=1
  fi
  write_file "$ROOT/etc/modules-load.d/$APP.conf" 0644 i2c-dev \
    "i2c-dev loads at boot ($ROOT/etc/modules-load.d/$APP.conf)" || true
}

version_ge() { # version_ge A B: A >= B, both x.y.z
  local -a a b
  IFS=. read -r -a a <<<"$1"
  IFS=. read -r -a b <<<"$2"
  local i x y
  for i in 0 1 2; do
    x=${a[i]:-0}
    y=${b[i]:-0}
    x=${x%%[!0-9]*}
    y=${y%%[!0-9]*}
    if ((10#${x:-0} > 10#${y:-0})); then return 0; fi
    if ((10#${x:-0} < 10#${y:-0})); then return 1; fi
  done
  return 0
}

# Whether Node.js $1 can run the app: >= MIN_NODE, and not 22.0-22.2, which lack
# process.getBuiltinModule (Node 20.16+, 22.3+), how the app takes a built-in module when it
# needs it rather than at every start (package.json's engines says the same).
node_supported() {
  version_ge "$1" "$MIN_NODE" || return 1
  ! { version_ge "$1" 22.0.0 && ! version_ge "$1" 22.3.0; }
}

node_version() { # the version of node at $1, without the "v"
  local v
  v=$("$1" --version 2>/dev/null) || return 1
  printf '%s' "${v#v}"
}

apt_update() {
  if [ "$APT_UPDATED" = 0 ] || [ "${1:-}" = force ]; then
    sys env DEBIAN_FRONTEND=noninteractive apt-get update -q ||
      die "apt-get update failed (see above): is the Pi online?"
    APT_UPDATED=1
  fi
}

apt_install() {
  apt_update
  sys env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" ||
    die "apt-get could not install $* (see above)"
}

deb_installed() { # package $1 is installed here (never in prefix mode: the tree has no packages)
  [ -z "$PREFIX" ] && dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

apt_candidate() { # the version apt would install for package $1
  apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: *//p' | sed 's/^[0-9]*://'
}

add_nodesource_repo() {
  local keyring=$ROOT/etc/apt/keyrings/nodesource.gpg
  local list=$ROOT/etc/apt/sources.list.d/nodesource.list
  local line="deb [signed-by=/etc/apt/keyrings/nodesource.gpg] https://deb.nodesource.com/node_$NODESOURCE_MAJOR.x nodistro main"
  apt_install ca-certificates curl gnupg
  if [ -s "$keyring" ]; then
    ok "NodeSource signing key in $keyring"
  else
    fs install -d -m 0755 "$(dirname "$keyring")"
    local tmp
    tmp=$(mktemp)
    sys curl -fsSL -o "$tmp" "$NODESOURCE_KEY_URL" ||
      die "cannot download NodeSource's signing key from $NODESOURCE_KEY_URL: is the Pi online?"
    sys gpg --dearmor --yes -o "$keyring" "$tmp" || die "gpg could not convert NodeSource's signing key"
    rm -f "$tmp"
    sys chmod 0644 "$keyring"
    did_sys "add NodeSource's signing key to $keyring"
  fi
  write_file "$list" 0644 "$line" "NodeSource apt source (node_$NODESOURCE_MAJOR.x) in $list" || true
}

ensure_node() {
  step "Node.js >= $MIN_NODE"
  local have=""
  NODE_BIN=$(command -v node || true)
  if [ -n "$NODE_BIN" ]; then
    have=$(node_version "$NODE_BIN" || true)
    if [ -n "$have" ] && node_supported "$have"; then
      ok "Node.js $have ($NODE_BIN)"
      return 0
    fi
  fi
  local why=" is too old"
  if [ -n "$have" ] && version_ge "$have" "$MIN_NODE"; then why=" lacks process.getBuiltinModule (22.3+ has it)"; fi
  say "  Node.js ${have:-is missing}${have:+$why}: installing it with apt"
  # bookworm packages Node.js 18, trixie 20.19 (new enough). Elsewhere ask apt what it has.
  local source=nodesource
  case "$OS_CODENAME" in
    trixie | forky | sid) source=debian ;;
    bookworm | bullseye) source=nodesource ;;
    *)
      if [ -z "$PREFIX" ]; then
        local candidate
        candidate=$(apt_candidate nodejs)
        if [ -n "$candidate" ] && node_supported "$candidate"; then
          source=debian
        fi
      fi
      ;;
  esac
  if [ "$source" = nodesource ] && [ "$MACHINE" = armv6l ]; then
    die "Node.js >= $MIN_NODE has no apt package for ARMv6 (Raspberry Pi Zero W or 1) on ${OS_CODENAME:-this OS}: install it from https://unofficial-builds.nodejs.org, then run install.sh again"
  fi
  if [ "$source" = debian ]; then
    # Debian packages npm separately from nodejs.
    apt_install nodejs npm
    did_sys "install Node.js and npm from ${OS_NAME}'s packages"
  else
    add_nodesource_repo
    apt_update force
    apt_install nodejs
    did_sys "install Node.js $NODESOURCE_MAJOR.x from NodeSource (deb.nodesource.com)"
  fi
  if [ -n "$PREFIX" ] || [ "$DRY_RUN" = 1 ]; then
    NODE_BIN=${NODE_BIN:-/usr/bin/node}
    return 0
  fi
  hash -r
  NODE_BIN=$(command -v node || true)
  have=""
  if [ -n "$NODE_BIN" ]; then
    have=$(node_version "$NODE_BIN" || true)
  fi
  if [ -z "$have" ] || ! node_supported "$have"; then
    die "Node.js ${have:-was not} installed from $source, but artframe-immich needs >= $MIN_NODE"
  fi
  ok "Node.js $have ($NODE_BIN)"
}

ensure_build_tools() {
  step "Build tools for native modules (rpio, spi-device, ioctl)"
  if [ "$SKIP_NPM" = 1 ]; then
    ok "not needed with --skip-npm"
    return 0
  fi
  local missing=() p
  for p in python3 make g++; do
    if ! deb_installed "$p"; then
      missing+=("$p")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    ok "python3, make and g++ are installed"
    return 0
  fi
  apt_install "${missing[@]}"
  did_sys "install ${missing[*]}"
}

ensure_user() {
  step "Service user $SERVICE_USER (groups gpio, spi, i2c)"
  local g
  for g in gpio spi i2c; do
    if [ -n "$PREFIX" ]; then
      sys groupadd --system "$g"
    elif getent group "$g" >/dev/null; then
      ok "group $g exists"
    else
      # Raspberry Pi OS has all three; elsewhere they only let the unit start.
      sys groupadd --system "$g"
      did_sys "create group $g"
    fi
  done
  if [ -n "$PREFIX" ]; then
    sys useradd --system --user-group --home-dir "$STATE_DIR" --no-create-home \
      --shell /usr/sbin/nologin --groups gpio,spi,i2c "$SERVICE_USER"
    return 0
  fi
  if id -u "$SERVICE_USER" >/dev/null 2>&1; then
    local groups missing=()
    groups=" $(id -nG "$SERVICE_USER") "
    for g in gpio spi i2c; do
      [[ $groups == *" $g "* ]] || missing+=("$g")
    done
    if [ ${#missing[@]} -eq 0 ]; then
      ok "user $SERVICE_USER exists and is in gpio, spi and i2c"
    else
      local joined
      joined=$(
        IFS=,
        printf '%s' "${missing[*]}"
      )
      sys usermod -a -G "$joined" "$SERVICE_USER"
      did_sys "add $SERVICE_USER to ${missing[*]}"
    fi
  else
    sys useradd --system --user-group --home-dir "$STATE_DIR" --no-create-home \
      --shell /usr/sbin/nologin --groups gpio,spi,i2c "$SERVICE_USER"
    did_sys "create system user $SERVICE_USER"
  fi
}

ensure_dir() { # ensure_dir DIR MODE OWNER:GROUP
  local dir=$1 mode=$2 owner=$3
  if [ -d "$dir" ]; then
    if [ "$(stat -c '%a' "$dir")" = "${mode#0}" ]; then
      ok "$dir"
    else
      fs chmod "$mode" "$dir"
      did_file "set the mode of $dir to $mode"
    fi
  else
    fs install -d -m "$mode" "$dir"
    did_file "create $dir"
  fi
  if [ "$DRY_RUN" = 0 ]; then
    set_owner "$owner" "$dir"
  fi
}

# write_file PATH MODE CONTENT DESCRIPTION: write when missing or different.
write_file() {
  local path=$1 mode=$2 content=$3 what=$4
  if [ -f "$path" ] && [ "$(cat "$path")" = "$content" ]; then
    if [ "$(stat -c '%a' "$path")" != "${mode#0}" ]; then
      fs chmod "$mode" "$path"
      did_file "set the mode of $path to $mode"
    else
      ok "$what"
    fi
    return 1
  fi
  if [ "$DRY_RUN" = 0 ]; then
    # Callers test the result (`if write_file`), which switches set -e off in here.
    local tmp
    if ! { install -d -m 0755 "$(dirname "$path")" &&
      tmp=$(mktemp "$path.XXXXXX") &&
      printf '%s\n' "$content" >"$tmp" &&
      chmod "$mode" "$tmp" &&
      mv -f "$tmp" "$path"; }; then
      die "cannot write $path"
    fi
  fi
  did_file "write $what"
  return 0
}

json_string() { # the JSON string literal's inside for $1 (control characters were refused)
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  printf '%s' "$s"
}

write_config() {
  step "Config $CONFIG"
  ensure_dir "$CONFIG_DIR" 0750 "root:$SERVICE_USER"
  if [ -e "$CONFIG" ]; then
    ok "$CONFIG exists: left unchanged (edit it to change the server, key or album)"
    if [ -n "$URL$KEY$KEY_FILE$PANEL" ] || [ "$ALBUM_SET" = 1 ]; then
      say "  (--url, --key, --key-file, --album and --panel only apply to a new config)"
    fi
    if [ "$(stat -c '%a' "$CONFIG")" != 600 ]; then
      fs chmod 600 "$CONFIG"
      did_file "set the mode of $CONFIG to 600 (it holds the API key)"
    fi
    set_owner "$SERVICE_USER:$SERVICE_USER" "$CONFIG"
    grep -q '"panel"' "$CONFIG" || panel_note
    return 0
  fi
  local text
  text=$(<"$SCRIPT_DIR/hardware/config.template.json")
  text=${text//@IMMICH_URL@/"$(json_string "$URL")"}
  text=${text//@IMMICH_API_KEY@/"$(json_string "$KEY")"}
  text=${text//@ALBUM_ID@/"$(json_string "$ALBUM")"}
  text=${text//@STATE_DIR@/"$(json_string "$STATE_DIR")"}
  if [ -n "$PANEL" ]; then
    text=${text/#\{/"{
  \"panel\": \"$PANEL\","}
  fi
  if [ "$DRY_RUN" = 0 ]; then
    local tmp
    # The key is never readable by anyone else, not even for a moment.
    tmp=$(umask 077 && mktemp "$CONFIG.XXXXXX")
    printf '%s\n' "$text" >"$tmp"
    chmod 600 "$tmp"
    mv -f "$tmp" "$CONFIG"
  fi
  did_file "write $CONFIG (mode 600; server $URL, album ${ALBUM:-all photos})"
  set_owner "$SERVICE_USER:$SERVICE_USER" "$CONFIG"
  [ -n "$PANEL" ] || panel_note
  RESTART_NEEDED=1
}

# A config without "panel" means "auto" (before, it meant waveshare-7in3e): say what that needs.
panel_note() {
  say "  note: the config names no \"panel\", so it is \"auto\": an Inky Impression's EEPROM names the panel; a Waveshare HAT has none, so add \"panel\" (artframe-immich panels lists the ids)"
}

app_sources() { # the APP_FILES present in the checkout
  local f
  for f in "${APP_FILES[@]}"; do
    if [ -e "$SCRIPT_DIR/$f" ]; then
      printf '%s\n' "$f"
    fi
  done
}

app_manifest() { # checksums of what gets copied, and what it was built with
  local -a files
  mapfile -t files < <(app_sources)
  (cd "$SCRIPT_DIR" && find "${files[@]}" -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
  if [ "$SKIP_NPM" = 1 ]; then
    printf 'build: none (--skip-npm)\n'
  else
    printf 'build: node ABI %s\n' "$("$NODE_BIN" -p 'process.versions.modules + " " + process.arch' 2>/dev/null || echo unknown)"
  fi
}

# The build runs in a staging copy so the running service keeps a whole install until the new
# one is complete.
#
# npm strategy: `npm ci` with the dev dependencies (esbuild bundles dist/ through `prepare`,
# and every native module, rpio and spi-device through node-gyp and sharp through its prebuilt
# binaries, is installed by its own install script for this Node.js), then `npm prune
# --omit=dev` drops the dev dependencies. The alternative, `npm ci --omit=dev --ignore-scripts`
# and rebuilding the native modules by name, has to know which modules are native and skips
# their install scripts: it breaks silently when a dependency adds or changes one.
build_app() {
  local dir=$1 log=$2
  # Called as `build_app || die`, where set -e does not apply: every step is chained.
  (
    export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
    # The install scripts' output (the addons' builds) shown and kept: check_addons reads it.
    export npm_config_foreground_scripts=true
    local headers
    headers=$(node_headers_dir)
    if [ -z "${npm_config_nodedir:-}" ] && [ -n "$headers" ]; then
      say "  node-gyp builds against the headers in $headers/include/node (npm_config_nodedir), offline"
      export npm_config_nodedir=$headers
    fi
    # The dependencies' install scripts run with npm's environment: never with the API key in it.
    set -o pipefail
    cd "$dir" && env -u IMMICH_API_KEY -u IMMICH_URL npm ci 2>&1 | tee "$log" &&
      env -u IMMICH_API_KEY -u IMMICH_URL npm prune --omit=dev
  )
}

install_app() {
  step "App in $INSTALL_DIR"
  local f
  for f in "${APP_REQUIRED[@]}"; do
    [ -e "$SCRIPT_DIR/$f" ] || die "$SCRIPT_DIR is not a checkout of $APP: $f is missing"
  done
  case "$SCRIPT_DIR" in
    "$INSTALL_DIR" | "$INSTALL_DIR"/*) die "run install.sh from a checkout of the repository, not from $INSTALL_DIR" ;;
  esac
  local want have=""
  want=$(app_manifest)
  if [ -f "$INSTALL_DIR/.install-manifest" ]; then
    have=$(<"$INSTALL_DIR/.install-manifest")
  fi
  if [ "$want" = "$have" ] &&
    { [ "$SKIP_NPM" = 1 ] || { [ -f "$INSTALL_DIR/dist/cli.js" ] && [ -d "$INSTALL_DIR/node_modules" ]; }; }; then
    ok "$INSTALL_DIR is up to date with this checkout"
    return 0
  fi
  local stage=$INSTALL_DIR.new old=$INSTALL_DIR.old
  fs rm -rf "$stage" "$old"
  fs install -d -m 0755 "$stage"
  local -a files
  mapfile -t files < <(app_sources)
  for f in "${files[@]}"; do
    if [[ $f == */* ]]; then
      fs install -d -m 0755 "$stage/$(dirname "$f")"
    fi
    fs cp -R "$SCRIPT_DIR/$f" "$stage/$f"
  done
  # Readable by the service, writable only by root: the service cannot change its own code.
  fs chmod -R u+rwX,go+rX,go-w "$stage"
  if [ "$SKIP_NPM" = 1 ]; then
    say "  --skip-npm: not building (the service cannot run without dist/ and node_modules/)"
  elif [ "$DRY_RUN" = 1 ]; then
    say "    [dry run] (cd $stage && npm ci && npm prune --omit=dev)"
  else
    say "  npm ci (bundles dist/ with esbuild, compiles rpio), then npm prune --omit=dev"
    local npm_log
    npm_log=$(mktemp)
    build_app "$stage" "$npm_log" || {
      rm -f "$npm_log"
      die "npm could not build the app in $stage (see npm's messages above)"
    }
    step "Native addons for this board and panel"
    check_addons "$stage" "$npm_log"
    rm -f "$npm_log"
  fi
  if [ "$DRY_RUN" = 0 ]; then
    printf '%s\n' "$want" >"$stage/.install-manifest"
  fi
  if [ -d "$INSTALL_DIR" ]; then
    fs mv "$INSTALL_DIR" "$old"
  fi
  fs mv "$stage" "$INSTALL_DIR"
  fs rm -rf "$old"
  did_file "install the app from $SCRIPT_DIR into $INSTALL_DIR"
  RESTART_NEEDED=1
}

# A path as a JavaScript string literal (single quotes and backslashes escaped).
js_string() {
  local s=${1//\\/\\\\}
  s=${s//\'/\\\'}
  printf "'%s'" "$s"
}

install_wrapper() {
  step "Command $WRAPPER"
  local text
  # Node itself runs it (no shell in between: a command starts as fast as node does); CommonJS,
  # like the app's entry it requires, so neither starts Node's ES module loader (bin/package.json;
  # `status` and `next` never need it) and it needs no package.json beside it. Its young generation is the one
  # the service gets from its MemoryMax=512M (1 MiB semi-spaces, where a Pi of 4 GB would give a
  # shell's command 16 MiB ones): a `sync` against a hostile server peaks some 15-30 MB lower
  # (npm run bench -- sync-hostile; test/support/installed-node.ts).
  text="#!$NODE_BIN --max-semi-space-size=1
// $APP: written by install.sh. The installed app, with the frame's config by default.
process.env.ARTFRAME_IMMICH_CONFIG ||= $(js_string "$CONFIG");
require($(js_string "$INSTALL_DIR/bin/$APP.js"));"
  write_file "$WRAPPER" 0755 "$text" "$WRAPPER" || true
}

systemd_running() { [ -z "$PREFIX" ] && [ -d /run/systemd/system ]; }

install_unit() {
  step "systemd unit $UNIT_FILE"
  local text
  text=$(<"$SCRIPT_DIR/hardware/systemd/$APP.service.in")
  text=${text//@NODE@/"$NODE_BIN"}
  text=${text//@INSTALL_DIR@/"$INSTALL_DIR"}
  text=${text//@CONFIG@/"$CONFIG"}
  text=${text//@STATE_DIR@/"$STATE_DIR"}
  text=${text//@USER@/"$SERVICE_USER"}
  if write_file "$UNIT_FILE" 0644 "$text" "$UNIT_FILE"; then
    RESTART_NEEDED=1
    if [ -n "$PREFIX" ] || [ "$DRY_RUN" = 1 ] || systemd_running; then
      sys systemctl daemon-reload
    fi
  fi
  if [ -n "$PREFIX" ]; then
    sys systemctl enable "$APP.service"
  elif ! systemd_running; then
    warn "systemd is not running here: $APP.service is not enabled or started"
  elif systemctl is-enabled --quiet "$APP.service" 2>/dev/null; then
    ok "$APP.service is enabled (starts at boot)"
  else
    sys systemctl enable "$APP.service"
    did_sys "enable $APP.service (starts at boot, without waiting for the network)"
  fi
}

# ---- battery power: the rights a wake cycle needs -----------------------------------------------
# With power "battery" each `run` is one wake cycle that ends in `systemctl poweroff`, having set
# the next wake; on a Pi 5 that alarm is the kernel RTC's wakealarm (src/power/rtc.ts). logind
# powers off for a system user only when polkit says so, and only root may write wakealarm, so
# both are given to the service user alone: a polkit rule for logind's two power-off actions (the
# second applies while someone is logged in over SSH; inhibitors are still obeyed), and a udev
# rule handing rtc0's wakealarm to the service's group. A frame on mains never uses either; a Pi
# without an RTC never matches the udev rule. Battery boards on I2C (Witty Pi) need only the i2c
# group, and a PiSugar's server only the network.
polkit_rule_text() {
  cat <<EOF
// Written by install.sh for $APP: its service user ($SERVICE_USER) may power this machine off,
// as a battery frame does at the end of each wake cycle (systemctl poweroff). Nothing else.
polkit.addRule(function (action, subject) {
  if ((action.id === "org.freedesktop.login1.power-off" ||
       action.id === "org.freedesktop.login1.power-off-multiple-sessions") &&
      subject.user === "$SERVICE_USER") {
    return polkit.Result.YES;
  }
});
EOF
}

udev_rule_text() {
  cat <<EOF
# Written by install.sh for $APP: a battery frame sets its next wake in the RTC's wakealarm,
# which only root may write; this gives it to the service's group ($SERVICE_USER).
ACTION=="add|change", SUBSYSTEM=="rtc", KERNEL=="rtc0", RUN+="/bin/chgrp $SERVICE_USER /sys%p/wakealarm", RUN+="/bin/chmod g+w /sys%p/wakealarm"
EOF
}

setup_power_rights() {
  step "Power-off and wake alarm for battery frames (power \"battery\"), for $SERVICE_USER"
  if ! deb_installed polkitd; then
    apt_install polkitd
    did_sys "install polkitd (logind asks it who may power off)"
  else
    ok "polkitd is installed"
  fi
  write_file "$POLKIT_RULE" 0644 "$(polkit_rule_text)" "$POLKIT_RULE (polkit reads it at once)" || true
  if write_file "$UDEV_RULE" 0644 "$(udev_rule_text)" "$UDEV_RULE"; then
    if [ -n "$PREFIX" ] || [ "$DRY_RUN" = 1 ] || udev_running; then
      # A wake alarm is a battery frame's business: a udev that will not reload stops no install.
      { sys udevadm control --reload-rules && sys udevadm trigger --action=change --subsystem-match=rtc; } ||
        warn "udev did not take the new rule now; it applies from the next boot"
    else
      ok "udev is not running here (a chroot or a container): the rule applies from the next boot"
    fi
  fi
}

# udevd listens on this socket when it runs (not in a chroot or most containers).
udev_running() { [ -z "$PREFIX" ] && [ -S /run/udev/control ]; }

check_config() {
  step "Config check"
  if [ "$DRY_RUN" = 1 ] || [ ! -f "$INSTALL_DIR/dist/cli.js" ]; then
    ok "skipped (no build to check with)"
    return 0
  fi
  local out
  # Without the environment's IMMICH_URL / IMMICH_API_KEY, which would override the file.
  if out=$(env -u IMMICH_URL -u IMMICH_API_KEY -u ARTFRAME_IMMICH_CONFIG \
    "$NODE_BIN" "$INSTALL_DIR/bin/$APP.js" config check --config "$CONFIG" 2>&1 >/dev/null); then
    CONFIG_OK=yes
    ok "$CONFIG is valid"
  else
    CONFIG_OK=no
    printf '%s\n' "$out" >&2
    warn "the service will not start until $CONFIG is fixed"
  fi
}

start_service() {
  step "Service"
  if [ -n "$PREFIX" ]; then
    sys systemctl restart "$APP.service"
    return 0
  fi
  if ! systemd_running || [ "$CONFIG_OK" = no ]; then
    ok "not started"
    return 0
  fi
  if systemctl is-active --quiet "$APP.service"; then
    if [ "$RESTART_NEEDED" = 1 ]; then
      sys systemctl restart "$APP.service"
      did_sys "restart $APP.service"
    else
      ok "$APP.service is running"
    fi
  else
    sys systemctl reset-failed "$APP.service" 2>/dev/null || true
    sys systemctl start "$APP.service"
    did_sys "start $APP.service"
  fi
}

summary() {
  step "Summary"
  if [ "$DRY_RUN" = 1 ]; then
    say "Dry run: nothing was changed."
  elif [ "$CHANGED" = 0 ]; then
    say "Nothing changed: $APP is already installed and up to date."
  else
    say "Installed $APP:"
  fi
  say "  app      $INSTALL_DIR (command: $WRAPPER)"
  say "  config   $CONFIG (mode 600, user $SERVICE_USER)"
  say "  photos   $STATE_DIR/plugins/immich/default/photos"
  say "  unit     $UNIT_FILE"
  say "  battery  $POLKIT_RULE (power-off), $UDEV_RULE (wake alarm)"
  if [ -n "$PREFIX" ] && [ "$DRY_RUN" = 0 ]; then
    say "  system commands that were not run: $LOG"
  fi
  say ""
  say "Next:"
  reboot_note
  next "systemctl status $APP" "is the service running?"
  next "journalctl -u $APP -f" "follow its log"
  next "sudo -u $SERVICE_USER $APP status" "the library, the last sync and the panel"
  next "sudo -u $SERVICE_USER $APP config check" "after editing $CONFIG"
}

next() { printf '  %-46s %s\n' "$1" "$2"; }

# ---- uninstall ------------------------------------------------------------------------------

remove_path() { # remove_path PATH: rm -rf when it exists
  if [ -e "$1" ] || [ -L "$1" ]; then
    fs rm -rf "$1"
    did_file "remove $1"
  fi
}

uninstall() {
  step "Removing $APP"
  case "$INSTALL_DIR" in
    */opt/"$APP") ;;
    *) die "refusing to remove $INSTALL_DIR" ;;
  esac
  if [ -n "$PREFIX" ]; then
    sys systemctl disable --now "$APP.service"
  elif systemd_running && [ -e "$UNIT_FILE" ]; then
    sys systemctl disable --now "$APP.service"
    did_sys "stop and disable $APP.service"
  fi
  if [ -e "$UNIT_FILE" ]; then
    remove_path "$UNIT_FILE"
    if [ -n "$PREFIX" ] || [ "$DRY_RUN" = 1 ] || systemd_running; then
      sys systemctl daemon-reload
    fi
  fi
  remove_path "$WRAPPER"
  remove_path "$POLKIT_RULE"
  if [ -e "$UDEV_RULE" ]; then
    remove_path "$UDEV_RULE"
    if [ -n "$PREFIX" ] || [ "$DRY_RUN" = 1 ] || udev_running; then
      sys udevadm control --reload-rules || warn "udev did not reload its rules; the rule is gone from the next boot"
    fi
  fi
  remove_path "$INSTALL_DIR.new"
  remove_path "$INSTALL_DIR.old"
  remove_path "$INSTALL_DIR"
  if [ "$PURGE" = 1 ]; then
    remove_path "$CONFIG_DIR"
    remove_path "$STATE_DIR"
    if [ -n "$PREFIX" ]; then
      sys userdel "$SERVICE_USER"
    elif id -u "$SERVICE_USER" >/dev/null 2>&1; then
      sys userdel "$SERVICE_USER"
      did_sys "remove user $SERVICE_USER"
    fi
  else
    [ ! -e "$CONFIG" ] || ok "kept $CONFIG (--purge removes it)"
    [ ! -e "$STATE_DIR" ] || ok "kept the photos in $STATE_DIR (--purge removes them)"
  fi
  say "  Node.js, the build tools and the SPI and I2C settings stay as they are."
  if [ "$DRY_RUN" = 1 ]; then
    say "Dry run: nothing was changed."
  elif [ "$CHANGED" = 0 ]; then
    say "Nothing to remove: $APP is not installed."
  else
    say "Removed $APP."
  fi
}

# ---- main -----------------------------------------------------------------------------------

# ---- upgrade (issue 18) ---------------------------------------------------------------------

# --upgrade: this checkout, built here, replaces the running version through `artframe-immich
# upgrade` (src/upgrade/upgrade.ts): copied beside it, switched by one rename of the release
# pointer, the service restarted and kept only if it reports ready, else switched back. Later
# installs should use --upgrade too: the service starts through the pointer from then on.
upgrade_release() {
  step "Upgrade to this checkout ($SCRIPT_DIR)"
  [ -e "$CONFIG" ] || die "--upgrade needs an installed frame, and $CONFIG is missing: run ./install.sh first"
  # A frame installed before install.sh gave these rights gets them here, for the user its unit
  # runs as (it may have been installed with --user).
  local unit_user
  unit_user=$({ sed -n 's/^User=//p' "$UNIT_FILE" 2>/dev/null || true; } | head -n 1)
  if [[ $unit_user =~ ^[a-z_][a-z0-9_-]{0,31}$ ]]; then SERVICE_USER=$unit_user; fi
  setup_power_rights
  ensure_node
  if [ "$SKIP_NPM" = 0 ] && [ "$DRY_RUN" = 0 ]; then
    build_app "$SCRIPT_DIR" || die "npm ci failed in $SCRIPT_DIR; nothing was changed"
  fi
  local cmd=("$NODE_BIN" "$SCRIPT_DIR/bin/$APP.js" upgrade --from "$SCRIPT_DIR" --root "${ROOT:-/}" --config "$CONFIG")
  if [ "$DRY_RUN" = 1 ]; then
    say "    [dry run] $(show_cmd "${cmd[@]}")"
    return 0
  fi
  "${cmd[@]}" || die "the upgrade was rolled back; the version before it runs (journalctl -u $APP says why)"
  CHANGED=1
}

# ---- the page's password (issue 16) ------------------------------------------------------------
# Nobody on the LAN steers the frame without it: asked on a terminal (empty: generated and printed
# once), stored by the app as a scrypt hash in web-password beside the config; one already set is
# kept. Without it the frame shows a pairing code on its glass. The page saves settings and this
# password beside the config, so the folder is writable by the service's group.
setup_web_password() {
  step "The page's password"
  local file="$CONFIG_DIR/web-password"
  if [ -e "$file" ]; then
    ok "$file exists: kept ($APP password --stdin or --generate replaces it)"
    return 0
  fi
  if [ "$DRY_RUN" = 1 ] || [ ! -f "$INSTALL_DIR/dist/cli.js" ]; then
    ok "skipped (no build to set it with): the frame shows a pairing code on its glass instead"
    return 0
  fi
  local cmd=(env -u ARTFRAME_IMMICH_CONFIG "$NODE_BIN" "$INSTALL_DIR/bin/$APP.js" password --config "$CONFIG")
  local pw="" again=""
  if [ -t 0 ]; then
    read -rsp "  a password for the frame's page (8 characters or more; empty: generate one): " pw
    echo
    if [ -n "$pw" ]; then
      read -rsp "  the same again: " again
      echo
      [ "$pw" = "$again" ] || die "the two passwords differ; run install.sh again"
    fi
  fi
  if [ -n "$pw" ]; then
    printf '%s\n' "$pw" | "${cmd[@]}" --stdin >/dev/null || die "the page's password was not set"
  else
    "${cmd[@]}" --generate || die "the page's password was not set"
  fi
  did_file "write $file (a scrypt hash of the page's password)"
  set_owner "$SERVICE_USER:$SERVICE_USER" "$file"
  fs chmod 0770 "$CONFIG_DIR"
  did_file "let $SERVICE_USER's group write $CONFIG_DIR (the page saves settings there)"
}

main() {
  parse_args "$@"
  setup_paths
  check_root
  if [ -n "$PREFIX" ] && [ "$DRY_RUN" = 0 ]; then
    mkdir -p "$ROOT"
    log_line "# install.sh $(date -u +%Y-%m-%dT%H:%M:%SZ)$([ "$UNINSTALL" = 1 ] && printf ' --uninstall')"
  fi
  if [ "$UNINSTALL" = 1 ]; then
    uninstall
    return 0
  fi
  check_os
  if [ "$UPGRADE" = 1 ]; then
    upgrade_release
    return 0
  fi
  local mode=""
  [ -z "$PREFIX" ] || mode=", into the tree $PREFIX"
  [ "$DRY_RUN" = 0 ] || mode="$mode, dry run"
  say "$APP installer: $OS_NAME, ${ARCH:-unknown} ($MACHINE)$mode"
  collect_config_input
  enable_spi
  enable_i2c
  ensure_node
  ensure_build_tools
  ensure_user
  step "State directory"
  ensure_dir "$STATE_DIR" 0750 "$SERVICE_USER:$SERVICE_USER"
  write_config
  install_app
  install_wrapper
  install_unit
  setup_power_rights
  check_config
  setup_web_password
  start_service
  summary
}

main "$@"
