#!/usr/bin/env bash
# Runs libFuzzer targets of medstore-fuzz, each for a set time, and says how many inputs each
# executed. `make fuzz` calls it after building medstore-fuzz with -sanitize=fuzzer.
#
#   run-fuzzers.sh BINARY SECONDS WORK_DIR TARGET...
#
# Each target starts from the inputs it found before (WORK_DIR/corpus/TARGET, outside the tree)
# and the committed seeds (Tests/Fuzz/corpus/TARGET), with its dictionary from Tests/Fuzz/dict.
# A crash, a sanitizer report or a broken harness promise fails the target; libFuzzer saves the
# input under Tests/Fuzz/crashes/TARGET/ (ignored by git). Every target runs even after one
# fails; the script exits 1 if any did. The libFuzzer log of each run is WORK_DIR/TARGET.log.
set -uo pipefail

if [ $# -lt 4 ]; then
  echo "usage: $0 BINARY SECONDS WORK_DIR TARGET..." >&2
  exit 64
fi
binary=$1 seconds=$2 work=$3
shift 3
fuzz_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Swift's crash backtracer hangs on the signal libFuzzer raises for a crash (swift-backtrace
# never exits), so the run would never end: libFuzzer prints its own stack instead.
export SWIFT_BACKTRACE=enable=no

passed=0
failed=0
for target in "$@"; do
  case $target in
    frame | payload) dict=$fuzz_dir/dict/cbor.dict ;;
    *) dict=$fuzz_dir/dict/$target.dict ;;
  esac
  corpus=$work/corpus/$target
  crashes=$fuzz_dir/crashes/$target
  log=$work/$target.log
  mkdir -p "$corpus" "$crashes"
  # The outer timeout only guards against a hang past libFuzzer's own -max_total_time.
  timeout --signal=KILL $((seconds + 120)) "$binary" --target="$target" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -dict="$dict" \
    -artifact_prefix="$crashes/" "$corpus" "$fuzz_dir/corpus/$target" >"$log" 2>&1
  status=$?
  done_line=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | tail -n 1)
  if [ $status -eq 0 ] && [ -n "$done_line" ]; then
    passed=$((passed + 1))
    runs=$(echo "$done_line" | awk '{print $2}')
    secs=$(echo "$done_line" | awk '{print $5}')
    echo "fuzz $target: $runs executions in $secs s, no crash ($(find "$corpus" -type f | wc -l) inputs in its corpus)"
  else
    failed=$((failed + 1))
    echo "fuzz $target: FAILED (exit $status); libFuzzer log: $log"
    grep -E 'medstore-fuzz: finding|ERROR: |SUMMARY|Test unit written to' "$log" | sed 's/^/  /'
    echo "  reproduce: $binary --target=$target FILE (or the normal build's medstore-fuzz);"
    echo "  once fixed, move FILE to Tests/Fuzz/regressions/$target/ so swift test keeps checking it"
  fi
done
echo "fuzz: $passed passed, $failed failed"
[ $failed -eq 0 ]
