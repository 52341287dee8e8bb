#!/bin/bash
# Issue 21, item 1: one run at a time. A boot run and an admin's --rerun started a fraction of a
# second apart both read the state before either wrote it; the second took the units the first
# had disabled for the admin's and recorded the swappiness the first had set as the one to
# restore. Now the second waits for the first (flock): started together, 10 ms and 100 ms apart,
# the pair leaves exactly what one run leaves (an offline --root tree with enabled units, and a
# live machine on loop-mounted ext4 with a private vm.swappiness). A run that finds the lock
# held past the wait refuses, naming the holder's pid, and changes nothing.
# shellcheck disable=SC1091
source "$(dirname "$0")/../lib.sh"
enter_mount_namespace "$@"
source "$TESTS_DIR/apply-lib.sh"
source "$TESTS_DIR/fixtures/services/lib.sh"
PAIRS=${CONCURRENCY_PAIRS:-7} # per offset: 21 pairs in all

# pairs NAME RESET SNAP -- CMD...: CMD and CMD --rerun at each offset, PAIRS times each.
pairs() {
        local name=$1 reset=$2 snap=$3 ref off i total=0 good=0 bad=() rc1 rc2
        shift 4
        $reset && "$@" >/dev/null 2>&1 && ref=$($snap) || { not_ok "$name: a single run"; return; }
        for off in 0 0.01 0.1; do
                for ((i = 0; i < PAIRS; i++)); do
                        total=$((total + 1))
                        $reset || { bad+=("$off:reset"); continue; }
                        "$@" >/dev/null 2>&1 &
                        sleep "$off"
                        "$@" --rerun >/dev/null 2>&1
                        rc2=$?
                        wait $!
                        rc1=$?
                        if [ "$rc1$rc2" = 00 ] && [ "$($snap)" == "$ref" ]; then
                                good=$((good + 1))
                        else
                                bad+=("$off#$i:rc$rc1$rc2")
                        fi
                done
        done
        if [ "$good" -eq "$total" ]; then
                ok "$name: $good of $total pairs left what one run leaves"
        else
                not_ok "$name: $good of $total pairs left what one run leaves (failed: ${bad[*]:0:8})"
        fi
}

# --- offline: a --root tree whose units memprov disables ---
T=$SCRATCH/template R=$SCRATCH/root
ENABLED="proftpd.service named.service postgresql.service clamav-daemon.service"
debian_root "$T" event && cp -a "$TESTS_DIR/fixtures/units/lib" "$T/" ||
        not_ok "offline: fixture root"
# shellcheck disable=SC2086
systemctl --root="$T" --quiet enable $ENABLED 2>/dev/null || not_ok "offline: enable the fixture units"
offline_reset() { rm -rf "$R" && cp -a "$T" "$R"; }
offline_snap() {
        (cd "$R" && find . -path ./swapfile -prune -o -printf '%p %y %m %l\n' | sort &&
                find . -path ./swapfile -prune -o -type f -print0 | sort -z | xargs -0 -r sha256sum)
        [ ! -e "$R/swapfile" ] || stat -c 'swapfile %s %a' "$R/swapfile"
}
pairs "offline --root" offline_reset offline_snap -- \
        "$MEMPROV" --defaults "$DEFAULTS" --root "$R" --assume-ram 1G --set swap.size=256M

# --- live: /etc and /var/lib overlays, a private /run (the lock) and vm.swappiness ---
live_ext4
first_boot() { live_reset "$SCRATCH/ext4"; }
snap_ext4() { live_snap "$SCRATCH/ext4"; }
pairs "live (ext4)" first_boot snap_ext4 -- "${MP[@]}" --set "swap.path=$SW" --set swap.size=256M

# --- a run that finds the lock held past its wait: refused, nothing changed ---
offline_reset
before=$(offline_snap)
flock "$R" sleep 5 &
holder=$!
sleep 0.3
MEMPROV_LOCK_WAIT_SEC=1 "$MEMPROV" --defaults "$DEFAULTS" --root "$R" --assume-ram 1G \
        >/dev/null 2>"$SCRATCH/err"
check "held lock: refused (non-zero exit)" test $? -ne 0
check "held lock: one error naming the holder's pid" \
        grep -q "error: another memprov run (pid $holder) still holds" "$SCRATCH/err"
check_eq "held lock: nothing changed" "$(offline_snap)" "$before"
kill "$holder" 2>/dev/null
wait
exit 0
