#!/bin/bash
# Issue 11: I/O errors during a run. EIO, ENOSPC and EPERM are injected (strace -e
# inject=SYSCALL:error=ERRNO:when=N) at each write, fsync, fallocate, rename and swapon of a
# live first boot on loop-mounted ext4: the run must fail with one error line and a non-zero
# exit, and the next run without the fault must leave what an uninterrupted run leaves. ENOMEM
# at swapoff during a --rerun resize: one error and a non-zero exit, with the machine on the safe
# side (both swapfiles stay active and in fstab, the state records the extra one), and the next
# --rerun finishes the resize.
# shellcheck disable=SC1091
source "$(dirname "$0")/../lib.sh"
enter_mount_namespace "$@"
source "$TESTS_DIR/apply-lib.sh"
strace_tests faults || exit 0

FAULTS=write,pwrite64,fsync,fdatasync,syncfs,fallocate,rename,renameat,renameat2,swapon
live_ext4
CMD=("${MP[@]}" --set "swap.path=$SW" --set swap.size=256M)
first_boot() { live_reset "$SCRATCH/ext4"; }
snap() { live_snap "$SCRATCH/ext4"; }

first_boot && "${CMD[@]}" >/dev/null 2>&1 || not_ok "uninterrupted run"
ref=$(snap)
first_boot && pts=$(points "$FAULTS" "${CMD[@]}")
# In a container (this host is one) memprov first probes swapon(2) on a path that cannot exist
# (lib/container.c): a read-only probe, not a change, whose refusal means "this container
# forbids swap" and is covered by container-nspawn.sh. Faults go to the calls that change things.
first_boot && probe=$(strace -qq -e trace=swapon "${CMD[@]}" 2>&1 >/dev/null |
        grep '^swapon(' | grep -n 'memprov-swapon-probe' | cut -d: -f1)
[ -z "$probe" ] || pts=$(grep -v "^swapon $probe\$" <<<"$pts")
# Likewise the probe whether this process may lower its own oom_score_adj (lib/container.c
# oom_lower_denied: a step down and back on /proc/self/oom_score_adj, a failure meaning "the
# container cannot lower it"): memprov's own process, not the machine.
for n in $(first_boot && strace -qq -y -e trace=pwrite64 "${CMD[@]}" 2>&1 >/dev/null |
        grep '^pwrite64(' | grep -n 'oom_score_adj>' | cut -d: -f1); do
        pts=$(grep -v "^pwrite64 $n\$" <<<"$pts")
done
total=0 good=0 bad=() tempbad=()
while read -r sc n; do
        [ -n "$sc" ] || continue
        for err in EIO ENOSPC EPERM; do
                total=$((total + 1))
                first_boot
                strace -qq -o /dev/null -e trace="$sc" -e inject="$sc:error=$err:when=$n" \
                        "${CMD[@]}" >/dev/null 2>"$SCRATCH/err"
                rc=$?
                errors=$(grep -c 'error:' "$SCRATCH/err")
                # Issue 21, item 9: a failed run leaves no temp file (the intent record's too).
                temps=$(find "$SCRATCH/ov" "$SCRATCH/ext4" -name '.#*.memprov-tmp' 2>/dev/null | wc -l)
                [ "$temps" -eq 0 ] || tempbad+=("$sc#$n=$err")
                "${CMD[@]}" >/dev/null 2>&1
                if [ "$rc" -ne 0 ] && [ "$errors" -eq 1 ] && [ "$(snap)" == "$ref" ]; then
                        good=$((good + 1))
                else
                        bad+=("$sc#$n=$err:rc$rc,errors$errors")
                fi
        done
done <<<"$pts"
if [ "$total" -gt 0 ] && [ "$good" -eq "$total" ]; then
        ok "I/O faults: $good of $total failed cleanly (one error, exit 1) and the next run converged"
else
        not_ok "I/O faults: $good of $total failed cleanly and converged (failed: ${bad[*]:0:12})"
fi

check_eq "I/O faults: no temp file left by a failed run (failed: ${tempbad[*]:0:8})" "${#tempbad[@]}" 0

# ENOMEM at swapoff while resizing: the old file cannot be emptied into RAM.
provisioned() { first_boot && "${CMD[@]}" >/dev/null 2>&1; }
RESIZE=("${MP[@]}" --set "swap.path=$SW" --set swap.size=768M --rerun)
provisioned && "${RESIZE[@]}" >/dev/null 2>&1
ref=$(snap)
provisioned
strace -qq -o /dev/null -e trace=swapoff -e inject=swapoff:error=ENOMEM:when=1 \
        "${RESIZE[@]}" >/dev/null 2>"$SCRATCH/err"
check "swapoff ENOMEM: non-zero exit (the resize is not finished)" test $? -ne 0
check_eq "swapoff ENOMEM: one error line" "$(grep -c 'error:' "$SCRATCH/err")" 1
check "swapoff ENOMEM: the error says both stay active" grep -q "error: .*stays active" "$SCRATCH/err"
check_eq "swapoff ENOMEM: both active" "$(grep -c "^$SW" /proc/swaps)" 2
check "swapoff ENOMEM: the state records the extra file" grep -q "^extra_path = " /var/lib/memprov/state
"${RESIZE[@]}" >/dev/null 2>&1
check_eq "swapoff ENOMEM: the next --rerun finishes the resize" "$(snap)" "$ref"
exit 0
