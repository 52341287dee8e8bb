#!/bin/bash
# Issue 12: memprov --undo. Offline (--root): a provisioned root with units, an Apache link and
# a swapfile goes back to the root as it was before memprov, except the file the admin edited
# (kept and named) and the unit the admin enabled again; --dry-run changes nothing; a second
# --undo changes nothing; boot does not provision again, --rerun does. Live, in a private mount
# namespace: the swapfile is swapped off and removed, fstab and vm.swappiness come back.
# shellcheck disable=SC1091
source "$(dirname "$0")/../lib.sh"
enter_mount_namespace "$@"
[ "$(id -u)" = 0 ] || { skip "undo integration" "needs root"; exit 0; }
command -v systemctl >/dev/null || { skip "undo integration" "systemctl not installed"; exit 0; }

mount_loop_fs ext4 24G "$SCRATCH/disk" || { not_ok "mkfs"; exit 1; }
R=$SCRATCH/disk/root
O=$SCRATCH/disk/oracle
MP=("$MEMPROV" --defaults "$DEFAULTS" --root "$R" --assume-ram 1G --set swap.add=yes --set swap.image=yes)
ENABLED="proftpd.service named.service postgresql.service spamassassin-maintenance.timer"

# A Debian root with units enabled as their postinst does, Apache (event MPM) and an fstab.
# /etc/sysctl.d and /etc/tmpfiles.d as Debian's systemd package ships them (dpkg -S).
mkdir -p "$R/etc/sysctl.d" "$R/etc/tmpfiles.d" "$R/var/lib" "$R/usr/sbin" "$R/etc/apache2/mods-enabled" \
        "$R/etc/apache2/conf-available" "$R/etc/apache2/conf-enabled" && touch "$R/etc/debian_version"
touch "$R/usr/sbin/apache2" "$R/etc/apache2/mods-enabled/mpm_event.load"
printf '# fstab\nUUID=abc / ext4 defaults 0 1\n' >"$R/etc/fstab"
cp -a "$TESTS_DIR/fixtures/units/lib" "$R/"
# apache2.service as Debian ships and enables it: memprov sizes an enabled Apache only (issue 23).
cp /lib/systemd/system/apache2.service "$R/lib/systemd/system/"
ln -s /lib/systemd/system/apache2.service "$R/etc/systemd/system/multi-user.target.wants/" 2>/dev/null ||
        { mkdir -p "$R/etc/systemd/system/multi-user.target.wants" &&
                ln -s /lib/systemd/system/apache2.service "$R/etc/systemd/system/multi-user.target.wants/"; }
# shellcheck disable=SC2086
systemctl --root="$R" --quiet enable $ENABLED 2>/dev/null || { not_ok "fixture units"; exit 1; }
cp -a "$R" "$O" && cp -a "$R" "$SCRATCH/disk/pristine"
# Every file, link and directory but memprov's own /var/lib/memprov.
tree_but_state() { (cd "$1" && tree_sums . | grep -v '\./var/lib/memprov'); }

out=$("${MP[@]}" 2>&1)
check "provision: exit 0" test $? -eq 0
check "provision: swapfile" test -f "$R/swapfile"
check "provision: units disabled" bash -c "! test -e '$R/etc/systemd/system/multi-user.target.wants/proftpd.service'"
check "provision: apache link" test -L "$R/etc/apache2/conf-enabled/memprov.conf"

# The admin edits one managed file and enables one unit again.
echo "# mine" >>"$R/etc/apache2/conf-available/memprov.conf"
edited=$(cat "$R/etc/apache2/conf-available/memprov.conf")
systemctl --root="$R" --quiet enable named.service 2>/dev/null

before=$(tree_sums "$R")
out=$("${MP[@]}" --undo --dry-run 2>&1)
check "--undo --dry-run: exit 0" test $? -eq 0
check_eq "--undo --dry-run: changes nothing" "$(tree_sums "$R")" "$before"
check "--undo --dry-run: plans the swapfile's removal" grep -q "swap    remove    /swapfile" <<<"$out"
check "--undo --dry-run: plans enabling proftpd" grep -q "unit    enable    proftpd.service" <<<"$out"
check "--undo --dry-run: names the edited file" \
        grep -q "skip .*/etc/apache2/conf-available/memprov.conf .*edited by the admin" <<<"$out"

out=$("${MP[@]}" --undo 2>&1)
check "--undo: exit 0" test $? -eq 0
check "--undo: says removed" grep -q "swap    removed   /swapfile" <<<"$out"
check "--undo: names the kept file" \
        grep -q "$R/etc/apache2/conf-available/memprov.conf: edited by the admin" <<<"$out"
check_eq "--undo: the edited file kept" "$(cat "$R/etc/apache2/conf-available/memprov.conf")" "$edited"
check_fails "--undo: swapfile gone" test -e "$R/swapfile"
check_fails "--undo: state gone" test -e "$R/var/lib/memprov/state"
rm "$R/etc/apache2/conf-available/memprov.conf"
systemctl --root="$O" --quiet enable named.service 2>/dev/null
check_eq "--undo: the root is as before memprov (but the admin's edit)" \
        "$(tree_but_state "$R")" "$(tree_but_state "$O")"
echo "# mine" >"$R/etc/apache2/conf-available/memprov.conf"

before=$(tree_sums "$R")
out=$("${MP[@]}" --undo 2>&1)
check "second --undo: exit 0" test $? -eq 0
check "second --undo: says nothing to undo" grep -q "nothing to undo" <<<"$out"
check_eq "second --undo: changes nothing" "$(tree_sums "$R")" "$before"
out=$("${MP[@]}" 2>&1)
check "after --undo a plain run (boot) provisions nothing" grep -q "put this machine back" <<<"$out"
check_eq "... and changes nothing" "$(tree_sums "$R")" "$before"
"${MP[@]}" --rerun >/dev/null 2>&1
check "--rerun provisions again" test -f "$R/swapfile"
check_fails "--rerun removes the undo marker" test -e "$R/var/lib/memprov/undone"

# Issue 21, item 5: --undo after a first boot that did not finish (killed after its intent
# record was in place and part of its changes made) undoes what that run may have changed, from
# its record, instead of saying "nothing to undo"; the next boot then provisions nothing.
if command -v strace >/dev/null && ! grep -aq 'libasan\.so' "$MEMPROV"; then
        P=$SCRATCH/disk/interrupted
        cp -a "$SCRATCH/disk/pristine" "$P"
        IP=("$MEMPROV" --defaults "$DEFAULTS" --root "$P" --assume-ram 1G --set swap.add=yes --set swap.image=yes)
        (strace -qq -o /dev/null -e trace=renameat,renameat2,rename \
                -e inject=renameat,renameat2,rename:signal=SIGKILL:when=4 "${IP[@]}" >/dev/null 2>&1; true) 2>/dev/null
        check "interrupted first boot: its intent record left" test -f "$P/var/lib/memprov/intent"
        check "interrupted first boot: some change made" \
                bash -c "! test -e '$P/etc/systemd/system/multi-user.target.wants/proftpd.service' || test -e '$P/swapfile'"
        out=$("${IP[@]}" --undo 2>&1)
        check "--undo after an interrupted first boot: exit 0" test $? -eq 0
        check "--undo after an interrupted first boot: says so" grep -q "did not finish" <<<"$out"
        check_eq "--undo after an interrupted first boot: the root is as before memprov" \
                "$(tree_but_state "$P")" "$(tree_but_state "$SCRATCH/disk/pristine")"
        check_fails "--undo after an interrupted first boot: no intent record left" test -e "$P/var/lib/memprov/intent"
        out=$("${IP[@]}" 2>&1)
        check "... and the next boot provisions nothing" grep -q "put this machine back" <<<"$out"
else
        skip "--undo after an interrupted first boot" "needs strace and the plain build"
fi

# Live: swap off, file and fstab line gone, vm.swappiness back to the value before memprov.
live_overlays || { not_ok "overlay /etc and /var/lib"; exit 1; }
live_fresh_etc
fstab=$(cat /etc/fstab)
mount_loop_fs ext4 24G "$SCRATCH/live" || { not_ok "live fs"; exit 1; }
sw=$SCRATCH/live/swapfile
# No compressed swap: its swappiness would follow the host's kernel (zswap.sh tests it).
LIVE=("$MEMPROV" --defaults "$DEFAULTS" --set swap.add=yes --set "swap.path=$sw" --assume-ram 1G
        --set swap.zswap=no --set swap.zram=no)
"${LIVE[@]}" >/dev/null 2>&1
check "live: swapfile active" grep -q "^$sw " /proc/swaps
check_eq "live: swappiness set" "$(cat /proc/sys/vm/swappiness)" 10
check "live: the value before memprov recorded" grep -qx "swappiness_before = 60" /var/lib/memprov/state
out=$("${LIVE[@]}" --undo 2>&1)
check "live --undo: exit 0" test $? -eq 0
check_eq "live --undo: swap off" "$(grep -c "^$sw " /proc/swaps)" 0
check_fails "live --undo: swapfile gone" test -e "$sw"
check_eq "live --undo: fstab as before" "$(cat /etc/fstab)" "$fstab"
check_eq "live --undo: swappiness back" "$(cat /proc/sys/vm/swappiness)" 60
check_fails "live --undo: drop-in gone" test -e /etc/sysctl.d/60-memprov.conf

# A value the admin set since is theirs: left alone, and said so.
rm -rf /var/lib/memprov
"${LIVE[@]}" >/dev/null 2>&1
echo 5 >/proc/sys/vm/swappiness
out=$("${LIVE[@]}" --undo 2>&1)
check_eq "live --undo: the admin's swappiness left alone" "$(cat /proc/sys/vm/swappiness)" 5
check "live --undo: says so" grep -q "changed since memprov set 10: left alone" <<<"$out"
exit "$T_FAILED"
