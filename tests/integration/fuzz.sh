#!/bin/bash
# The libFuzzer targets (make fuzz): built with clang, ASan and UBSan; each replays its seed
# corpus (tests/fuzz/corpus/TARGET) and then fuzzes for FUZZ_CHECK_TIME seconds (a smoke run; the
# long run is `make fuzz FUZZ_TIME=...`). A crash, leak or timeout fails the check and leaves the
# input in build-fuzz/check-TARGET-*.
# shellcheck disable=SC1091
source "$(dirname "$0")/../lib.sh"
top=$(cd "$TESTS_DIR/.." && pwd)
targets=$(sed -n 's/^FUZZ_TARGETS *:= *//p' "$top/Makefile")
seconds=${FUZZ_CHECK_TIME:-5}

if ! command -v clang >/dev/null; then
        skip "fuzz targets" "clang is not installed (make check installs it)"
        exit 0
fi
if ! make -s -C "$top" fuzz-build >"$SCRATCH/build.log" 2>&1; then
        not_ok "make fuzz-build"
        tail -n 30 "$SCRATCH/build.log" | sed 's/^/# /'
        exit 1
fi
ok "make fuzz-build"
for t in $targets; do
        bin=$top/build-fuzz/fuzz-$t seeds=$top/tests/fuzz/corpus/$t
        n=$(find "$seeds" -type f | wc -l)
        check "fuzz-$t: has a seed corpus ($n inputs)" test "$n" -gt 0
        rm -f "$top"/build-fuzz/check-"$t"-*
        check "fuzz-$t: replays its $n seeds" "$bin" -runs=0 -close_fd_mask=3 \
                -artifact_prefix="$top/build-fuzz/check-$t-" "$seeds"
        mkdir -p "$SCRATCH/corpus-$t"
        "$bin" -max_total_time="$seconds" -close_fd_mask=3 -print_final_stats=1 \
                -artifact_prefix="$top/build-fuzz/check-$t-" "$SCRATCH/corpus-$t" "$seeds" \
                >"$SCRATCH/$t.log" 2>&1
        rc=$?
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$SCRATCH/$t.log")
        if [ "$rc" -eq 0 ]; then
                ok "fuzz-$t: ${seconds}s, ${runs:-?} executions, no crash"
        else
                not_ok "fuzz-$t: rc=$rc after ${runs:-?} executions"
                grep -E '^(==|SUMMARY|artifact)' "$SCRATCH/$t.log" | head -n 20 | sed 's/^/# /'
        fi
done
exit $T_FAILED
