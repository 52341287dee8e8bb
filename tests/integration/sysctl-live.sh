#!/bin/bash
# vm.swappiness live (not --root), in a private mount namespace: /etc, /var/lib and /run are
# overlays and /proc/sys/vm/swappiness a bind-mounted scratch file holding 60 (tests/lib.sh
# live_overlays), so the host's value and files never change. No swap (swap.size = none), no
# compressed swap: the value is the tier's for disk swap.
# 1. /etc/sysctl.d a symbolic link the admin made (issue 21 item 9, modules/sysctl.c
#    dropin_behind_link()): the run goes on, exit 0, the live value is not written (boot reads the
#    admin's folder, so memprov leaves both); linked after memprov set it, --rerun and --undo leave
#    the value memprov set and say so.
# 2. vm.swappiness read-only outside a detected container (the scratch file bind-mounted
#    read-only: the kernel says EROFS): memprov runs as PID 1 of a new PID namespace with
#    container= empty, which is how systemd's detect_container() and lib/container.c learn "none"
#    (this test host is itself a Docker container). The run goes on, exit 0, the value is "skip"
#    with /proc/sys/vm/swappiness and the cause, the drop-in is written; --undo the same.
source "$(dirname "$0")/../lib.sh"
enter_mount_namespace "$@"

[ "$(id -u)" = 0 ] || { skip "sysctl-live" "needs root"; exit 0; }
live_overlays || { not_ok "overlay /etc, /var/lib, /run"; exit 1; }
live_fresh_etc
SW=/proc/sys/vm/swappiness
LIVE=("$MEMPROV" --defaults "$DEFAULTS" --set swap.size=none --set swap.zswap=no --set swap.zram=no
        --assume-ram 1G)
check_eq "private swappiness: 60" "$(cat $SW)" 60

# /etc/sysctl.d -> a folder of the admin's (in the scratch dir, beside the overlay).
L=$SCRATCH/admin-sysctl.d
mkdir -p "$L" && cp -a /etc/sysctl.d/. "$L/" && rm -rf /etc/sysctl.d && ln -s "$L" /etc/sysctl.d ||
        not_ok "sysctl.d link"
before=$(tree_sums "$L")
out=$("${LIVE[@]}" 2>&1)
check "linked: exit 0" test $? -eq 0
check_eq "linked: swappiness not written" "$(cat $SW)" 60
check "linked: the plan says why" grep -q "sysctl .*skip .*vm.swappiness.*symbolic link" <<<"$out"
check_eq "linked: nothing written through the link" "$(tree_sums "$L")" "$before"
check "linked: the run done (state)" test -f /var/lib/memprov/state
check_fails "linked: no swappiness recorded" grep -q '^swappiness' /var/lib/memprov/state

# A real folder: memprov sets 10 and records 60 as the value before it. Then linked: --rerun and
# --undo leave the live value (boot reads memprov's drop-in through the link), exit 0, say why.
rm /etc/sysctl.d && mkdir /etc/sysctl.d && rm -rf /var/lib/memprov
check "real: exit 0" "${LIVE[@]}"
check_eq "real: swappiness set" "$(cat $SW)" 10
mv /etc/sysctl.d/60-memprov.conf "$L/" && rmdir /etc/sysctl.d && ln -s "$L" /etc/sysctl.d
before=$(tree_sums "$L")
out=$("${LIVE[@]}" --rerun --assume-ram 8G 2>&1)
check "linked later: --rerun at 8G exit 0" test $? -eq 0
check_eq "linked later: --rerun leaves the live value" "$(cat $SW)" 10
check "linked later: --rerun says why" grep -q "vm.swappiness.*symbolic link" <<<"$out"
check "linked later: the value before memprov still recorded" \
        grep -qx "swappiness_before = 60" /var/lib/memprov/state
out=$("${LIVE[@]}" --undo 2>&1)
check "linked later: --undo exit 0" test $? -eq 0
check_eq "linked later: --undo leaves the live value" "$(cat $SW)" 10
check "linked later: --undo says why" grep -q "vm.swappiness.*symbolic link" <<<"$out"
check_eq "linked later: --undo removed nothing through the link" "$(tree_sums "$L")" "$before"

# 2. Read-only, no container detected.
rm -rf /var/lib/memprov /etc/sysctl.d && mkdir /etc/sysctl.d && echo 60 >"$SCRATCH/swappiness"
nocontainer() { unshare --pid --fork env container= "$@"; }
check_fails "not a container as memprov sees it (its plan's first line names none)" \
        bash -c "$(printf '%q ' unshare --pid --fork env container= "${LIVE[@]}") --dry-run | head -1 | grep -q container"
mount -o remount,bind,ro $SW || not_ok "read-only swappiness"
out=$(nocontainer "${LIVE[@]}" 2>&1)
check "read-only: exit 0" test $? -eq 0
check "read-only: vm.swappiness skipped with the path and the cause" grep -q \
        "sysctl .*skip .*vm.swappiness = 10 .*/proc/sys/vm/swappiness: Read-only file system: the kernel refuses the write here" <<<"$out"
check_fails "read-only: nothing failed or not done" grep -Eq "failed|not done" <<<"$out"
check_eq "read-only: the drop-in written" "$(grep -v '^#' /etc/sysctl.d/60-memprov.conf)" "vm.swappiness = 10"
check_fails "read-only: no swappiness recorded" grep -q '^swappiness' /var/lib/memprov/state
check_eq "read-only: the value unchanged" "$(cat $SW)" 60
# Set while writable, refused at --undo: the value stays, said so, the undo finishes.
umount $SW && mount --bind "$SCRATCH/swappiness" $SW && rm -rf /var/lib/memprov
check "writable: exit 0" nocontainer "${LIVE[@]}"
check_eq "writable: swappiness set" "$(cat $SW)" 10
mount -o remount,bind,ro $SW || not_ok "read-only swappiness"
out=$(nocontainer "${LIVE[@]}" --undo 2>&1)
check "read-only --undo: exit 0" test $? -eq 0
check "read-only --undo: says why the value stays" grep -q \
        "sysctl .*skip .*vm.swappiness = 60 .*Read-only file system.*stays until the next boot" <<<"$out"
check_fails "read-only --undo: the drop-in removed" test -e /etc/sysctl.d/60-memprov.conf
check_fails "read-only --undo: the state removed" test -e /var/lib/memprov/state

exit $T_FAILED
