#!/bin/sh
# Runs a tinymlp Cortex-M firmware under QEMU with semihosting; used as
# CMAKE_CROSSCOMPILING_EMULATOR by ports/cortex-m/toolchain.cmake.
#
#   run-firmware.sh <qemu-system-arm> <machine> <firmware.elf> [argument...]
#
# The firmware's stdout/stderr come out on QEMU's stdout/stderr; fopen() reaches host files;
# main() gets argc/argv (SYS_GET_CMDLINE: QEMU joins the arguments with spaces, so arguments
# must not contain spaces); the firmware's exit status becomes this script's (QEMU is exec'ed,
# so a timeout that kills this process kills QEMU).
# No display, no serial port, no monitor: QEMU leaves the terminal alone and never reads stdin.
set -eu
if [ $# -lt 3 ]; then
  echo "usage: $0 <qemu-system-arm> <machine> <firmware.elf> [argument...]" >&2
  exit 2
fi
qemu=$1
machine=$2
firmware=$3
shift 3

# QEMU option values escape ',' as ',,'.
escape() { printf '%s' "$1" | sed 's/,/,,/g'; }

config="enable=on,target=native,arg=$(escape "$firmware")"
for argument in "$@"; do
  config="$config,arg=$(escape "$argument")"
done
exec "$qemu" -M "$machine" -display none -serial none -monitor none \
  -semihosting-config "$config" -kernel "$firmware"
