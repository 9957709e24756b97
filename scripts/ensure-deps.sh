#!/usr/bin/env bash
# Installs what softnet-lab needs and is missing: npm packages always; with --jupyter the Debian
# Jupyter packages; with --chromium Debian's chromium (browser tests of the book); with --measure the
# load tools of `softnet-lab measure` (sockperf, GNU time, taskset from util-linux); with --kernels what
# `softnet-lab kernels` needs to boot Debian's kernels (QEMU, static busybox, cpio, gcc for udp-blast).
# On Debian as root it installs with apt-get; elsewhere it prints the exact line and fails.
set -euo pipefail
cd "$(dirname "$0")/.."

want_jupyter=0; want_chromium=0; want_measure=0; want_kernels=0
for a in "$@"; do
  case "$a" in
    --jupyter) want_jupyter=1 ;;
    --chromium) want_chromium=1 ;;
    --measure) want_measure=1 ;;
    --kernels) want_kernels=1 ;;
    *) echo "ensure-deps: unknown option '$a' (allowed: --jupyter, --chromium, --measure, --kernels)" >&2; exit 2 ;;
  esac
done

# npm packages: install when node_modules is missing or older than the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "ensure-deps: installing npm packages (npm ci)" >&2
  npm ci --no-audit --no-fund 2>&1 | grep -v 'Unknown user config "nodedir"' >&2 || true
  [ -f node_modules/.package-lock.json ] || { echo "ensure-deps: npm ci failed" >&2; exit 1; }
fi

apt_pkgs=()
if [ "$want_jupyter" = 1 ]; then
  # /usr/bin/jupyter-* scripts run Debian's /usr/bin/python3, whatever python3 is on PATH.
  [ -x /usr/bin/jupyter-nbconvert ] || apt_pkgs+=(jupyter-nbconvert)
  [ -x /usr/bin/jupyter-notebook ] || apt_pkgs+=(jupyter-notebook)
  [ -x /usr/bin/jupyter-kernelspec ] || apt_pkgs+=(jupyter-client)
  [ -x /usr/bin/jupyter-trust ] || apt_pkgs+=(jupyter-nbformat)
fi
if [ "$want_chromium" = 1 ]; then
  [ -x /usr/bin/chromium ] || apt_pkgs+=(chromium)
fi
if [ "$want_measure" = 1 ]; then
  command -v sockperf >/dev/null 2>&1 || apt_pkgs+=(sockperf)
  [ -x /usr/bin/time ] || apt_pkgs+=(time)
  command -v taskset >/dev/null 2>&1 || apt_pkgs+=(util-linux)
  # the lean load tool (tools/udp-blast) is built with the system C compiler on first use
  command -v gcc >/dev/null 2>&1 || apt_pkgs+=(gcc libc6-dev)
fi
if [ "$want_kernels" = 1 ]; then
  command -v qemu-system-x86_64 >/dev/null 2>&1 || apt_pkgs+=(qemu-system-x86)
  { [ -f /bin/busybox ] && file -L /bin/busybox 2>/dev/null | grep -q 'statically linked'; } || dpkg -s busybox-static >/dev/null 2>&1 || apt_pkgs+=(busybox-static)
  command -v cpio >/dev/null 2>&1 || apt_pkgs+=(cpio)
  command -v gcc >/dev/null 2>&1 || apt_pkgs+=(gcc libc6-dev)
  [ -f /usr/share/keyrings/debian-archive-keyring.gpg ] || apt_pkgs+=(debian-archive-keyring)
fi
if [ "${#apt_pkgs[@]}" -gt 0 ]; then
  line="apt-get install -y --no-install-recommends ${apt_pkgs[*]}"
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure-deps: $line" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends "${apt_pkgs[@]}" >&2
  else
    echo "ensure-deps: missing system packages. On Debian/Ubuntu run as root:" >&2
    echo "  apt-get update && $line" >&2
    exit 1
  fi
fi
