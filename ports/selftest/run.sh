#!/usr/bin/env bash
# Builds and runs the ports selftests for every cross target (or the ones named):
#   ports/selftest/run.sh                     # aarch64 armv7 cortex-m3 cortex-m4 cortex-m7 cortex-m33 cortex-m55
#   ports/selftest/run.sh cortex-m55 armv7
# Build trees go to $TINYMLP_SELFTEST_BUILD/<target> (default: build/ports-selftest).
# Exit status: 0 when every target configured, built and passed.
set -u
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build_base="${TINYMLP_SELFTEST_BUILD:-$root/build/ports-selftest}"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(aarch64 armv7 cortex-m3 cortex-m4 cortex-m7 cortex-m33 cortex-m55)
fi

mkdir -p "$build_base"
failed=()
for target in "${targets[@]}"; do
  args=()
  case "$target" in
    aarch64) args=(--toolchain "$root/ports/aarch64-linux/toolchain.cmake") ;;
    armv7) args=(--toolchain "$root/ports/armv7-linux/toolchain.cmake") ;;
    cortex-m3) args=(--toolchain "$root/ports/cortex-m/toolchain.cmake" -DTINYMLP_CORTEX_M_MACHINE=mps2-an385) ;;
    cortex-m4) args=(--toolchain "$root/ports/cortex-m/toolchain.cmake" -DTINYMLP_CORTEX_M_MACHINE=mps2-an386) ;;
    cortex-m7) args=(--toolchain "$root/ports/cortex-m/toolchain.cmake" -DTINYMLP_CORTEX_M_MACHINE=mps2-an500) ;;
    cortex-m33) args=(--toolchain "$root/ports/cortex-m/toolchain.cmake" -DTINYMLP_CORTEX_M_MACHINE=mps2-an505) ;;
    cortex-m55) args=(--toolchain "$root/ports/cortex-m/toolchain.cmake" -DTINYMLP_CORTEX_M_MACHINE=mps3-an547) ;;
    host) args=() ;;
    *) echo "unknown target '$target'" >&2; exit 2 ;;
  esac
  dir="$build_base/$target"
  echo "=== ports selftest: $target ($dir)"
  if cmake -S "$root/ports/selftest" -B "$dir" -G Ninja "${args[@]}" >"$dir.configure.log" 2>&1 ||
     { cat "$dir.configure.log"; false; }; then
    if cmake --build "$dir" -j2 && ctest --test-dir "$dir" -j2 --output-on-failure; then
      continue
    fi
  fi
  failed+=("$target")
done

if [ ${#failed[@]} -ne 0 ]; then
  echo "ports selftest FAILED for: ${failed[*]}"
  exit 1
fi
echo "ports selftest passed for: ${targets[*]}"
