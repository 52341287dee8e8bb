#!/bin/bash
# --root (image baking): every write lands under the root, fstab keeps every admin byte, bad
# input (read-only root) changes nothing, an unreadable fstab line is passed over, existing swap
# is respected, symlinks are not followed.
source "$(dirname "$0")/../lib.sh"
enter_mount_namespace "$@"
[ "$(id -u)" = 0 ] || { skip "root integration" "needs root"; exit 0; }

CORPUS=$TESTS_DIR/fixtures/fstab/corpus
mount_loop_fs ext4 24G "$SCRATCH/disk" || { not_ok "mkfs"; exit 1; }
R=$SCRATCH/disk/root
MP=("$MEMPROV" --defaults "$DEFAULTS" --root "$R" --assume-ram 1G --set swap.image=yes)

fresh_root() {
        rm -rf "$R" && mkdir -p "$R/etc/sysctl.d" "$R/var/lib" && touch "$R/etc/debian_version"
        cp "$CORPUS" "$R/etc/fstab"
}

# The corpus has a swap partition line: respected, no swapfile.
fresh_root
host_before=$(tree_sums /etc /var/lib/memprov)
out=$("${MP[@]}" 2>&1)
check "existing swap: exit 0" test $? -eq 0
check "existing swap: respected and said so" grep -q "existing swap /dev/vdb2 is respected" <<<"$out"
check_fails "existing swap: no swapfile" test -e "$R/swapfile"
check "existing swap: fstab untouched" cmp -s "$CORPUS" "$R/etc/fstab"

# swap.add = yes: memprov's entry is appended; every other byte survives.
fresh_root
out=$("${MP[@]}" --set swap.add=yes --rerun --json 2>&1)
check "corpus: exit 0" test $? -eq 0
size=$(stat -c %s "$CORPUS")
check "corpus: admin bytes intact" cmp -s "$CORPUS" <(head -c "$size" "$R/etc/fstab")
check_eq "corpus: newline added after the last line, then the entry" \
        "$(tail -c +$((size + 1)) "$R/etc/fstab")" \
        "$(printf '\n# memprov swapfile: managed by memprov, see memprov(8)\n/swapfile none swap sw 0 0')"
check_eq "corpus: swapfile under the root, 0600" "$(stat -c %a "$R/swapfile")" 600
check "corpus: swap signature" bash -c "blkid -p -o value -s TYPE '$R/swapfile' | grep -qx swap"
check "corpus: sysctl drop-in under the root" test -f "$R/etc/sysctl.d/60-memprov.conf"
check "corpus: state under the root" test -f "$R/var/lib/memprov/state"
check_eq "--root: the host's /etc and state untouched" "$(tree_sums /etc /var/lib/memprov)" \
        "$host_before"
check_eq "--root: swapfile not activated" "$(grep -c "$R" /proc/swaps)" 0

# Again: no duplicate entry, byte-identical files.
before=$(tree_sums "$R")
"${MP[@]}" --set swap.add=yes --rerun >/dev/null 2>&1
check_eq "corpus: rerun changes nothing" "$(tree_sums "$R")" "$before"
check_eq "corpus: one entry" "$(grep -c '^/swapfile ' "$R/etc/fstab")" 1

# Removal restores the admin's file byte for byte: its last line had no newline, and memprov's
# entry, appended after one, ends without one (issue 21, item 9).
"${MP[@]}" --set swap.add=yes --set swap.size=none --rerun >/dev/null 2>&1
check "corpus: removal restores the admin's fstab" cmp -s "$CORPUS" "$R/etc/fstab"
check_fails "corpus: swapfile removed" test -e "$R/swapfile"

# A line of fstab libmount cannot read is passed over, as systemd does (issue 21, item 9): one
# warning naming the line, exit 0, every admin byte kept in front of memprov's entry
# (tests/integration/fstab-garbage.sh checks it against systemd's own fstab-generator).
fresh_root
printf 'UUID=abc / ext4 defaults 0 1\n/dev/vdb1 /srv ext4 "unterminated\n' >"$R/etc/fstab"
printf '/dev/vdc1\n' >>"$R/etc/fstab"
cp "$R/etc/fstab" "$SCRATCH/fstab.garbage"
out=$("${MP[@]}" 2>&1)
rc=$?
check_eq "unreadable fstab line: exit 0" "$rc" 0
check "unreadable fstab line: names the file and line" grep -q "$R/etc/fstab:3: line not understood" <<<"$out"
check "unreadable fstab line: the admin's bytes kept" cmp -s -n "$(stat -c %s "$SCRATCH/fstab.garbage")" \
        "$SCRATCH/fstab.garbage" "$R/etc/fstab"
check_eq "unreadable fstab line: memprov's entry added" "$(grep -c '^/swapfile ' "$R/etc/fstab")" 1

# A read-only root: one clear error, nothing changed.
fresh_root
mkdir -p "$SCRATCH/ro" && mount --bind "$R" "$SCRATCH/ro" && mount -o remount,bind,ro "$SCRATCH/ro"
before=$(tree_sums "$R")
out=$("$MEMPROV" --defaults "$DEFAULTS" --root "$SCRATCH/ro" --assume-ram 1G --set swap.add=yes --set swap.image=yes 2>&1)
rc=$?
check "read-only root: non-zero exit" test "$rc" -ne 0
check "read-only root: says read-only" grep -q "read-only" <<<"$out"
check_eq "read-only root: nothing changed" "$(tree_sums "$R")" "$before"
umount "$SCRATCH/ro"

# A managed path that is a symlink is left alone, never followed.
fresh_root
echo "vm.swappiness = 77" >"$SCRATCH/target.conf"
ln -s "$SCRATCH/target.conf" "$R/etc/sysctl.d/60-memprov.conf"
out=$("${MP[@]}" --set swap.add=yes 2>&1)
check "symlink: exit 0" test $? -eq 0
check_eq "symlink: target untouched" "$(cat "$SCRATCH/target.conf")" "vm.swappiness = 77"
check "symlink: still a symlink" test -L "$R/etc/sysctl.d/60-memprov.conf"
check "symlink: plan says left alone" grep -q "left alone" <<<"$out"

# A symlinked directory on the way to a managed file is not followed: for /etc/sysctl.d the
# drop-in is skipped and named, the run goes on (modules/sysctl.c, tests/integration/linked-dirs.sh).
fresh_root
rm -rf "$R/etc/sysctl.d" && mkdir -p "$SCRATCH/elsewhere" && ln -s "$SCRATCH/elsewhere" "$R/etc/sysctl.d"
out=$("${MP[@]}" --set swap.size=none 2>&1)
check "symlinked dir: exit 0" test $? -eq 0
check "symlinked dir: the drop-in skipped and named" grep -q "skip .*60-memprov.conf .*symbolic link" <<<"$out"
check_eq "symlinked dir: nothing written through it" "$(ls -A "$SCRATCH/elsewhere")" ""

# An admin-edited managed file survives a rerun.
fresh_root
"${MP[@]}" --set swap.size=none >/dev/null 2>&1
echo "vm.swappiness = 1" >>"$R/etc/sysctl.d/60-memprov.conf"
edited=$(cat "$R/etc/sysctl.d/60-memprov.conf")
"${MP[@]}" --set swap.size=none --set sysctl.swappiness=20 --rerun >/dev/null 2>&1
check_eq "admin edit survives --rerun" "$(cat "$R/etc/sysctl.d/60-memprov.conf")" "$edited"

# Links are tracked like files: made once, left alone when the admin's, removed when stale.
fresh_root
mkdir -p "$R/usr/sbin" "$R/etc/apache2/mods-enabled" "$R/etc/apache2/conf-available" \
        "$R/etc/apache2/conf-enabled"
touch "$R/usr/sbin/apache2" "$R/etc/apache2/mods-enabled/mpm_event.load"
# apache2.service as Debian ships and enables it: memprov sizes an enabled Apache only (issue 23).
mkdir -p "$R/lib/systemd/system" "$R/etc/systemd/system/multi-user.target.wants"
cp /lib/systemd/system/apache2.service "$R/lib/systemd/system/"
ln -s /lib/systemd/system/apache2.service "$R/etc/systemd/system/multi-user.target.wants/"
LINK=$R/etc/apache2/conf-enabled/memprov.conf
"${MP[@]}" --set swap.size=none >/dev/null 2>&1
check_eq "link: a2enconf's link made" "$(readlink "$LINK")" "../conf-available/memprov.conf"
check "link: recorded in the state" grep -qx \
        "/etc/apache2/conf-enabled/memprov.conf = ../conf-available/memprov.conf apache" \
        "$R/var/lib/memprov/state"
before=$(tree_sums "$R")
"${MP[@]}" --set swap.size=none --rerun >/dev/null 2>&1
check_eq "link: rerun changes nothing" "$(tree_sums "$R")" "$before"
rm "$R/usr/sbin/apache2"
"${MP[@]}" --set swap.size=none --rerun >/dev/null 2>&1
check_fails "link: removed once Apache is gone" test -L "$LINK"
check_fails "link: its drop-in removed too" test -e "$R/etc/apache2/conf-available/memprov.conf"
touch "$R/usr/sbin/apache2" && ln -s /somewhere/else "$LINK"
out=$("${MP[@]}" --set swap.size=none --rerun 2>&1)
check "link: an admin's link in the way is not fatal" test $? -eq 0
check_eq "link: the admin's link is left alone" "$(readlink "$LINK")" /somewhere/else
check "link: plan says so" grep -q "not memprov's link" <<<"$out"

# A managed path longer than inih's 50-character section names is recorded whole, so an admin's
# edit of it is recognised and kept.
fresh_root
mkdir -p "$R/lib/systemd/system"
touch "$R/lib/systemd/system/mariadb.service"
DROPIN=/etc/systemd/system/mariadb.service.d/50-memprov.conf
"${MP[@]}" --set swap.size=none >/dev/null 2>&1
check "long path: recorded whole in the state" grep -q "^$DROPIN = [0-9a-f]\{16\} 0644 oom$" \
        "$R/var/lib/memprov/state"
echo "OOMScoreAdjust=-100" >>"$R$DROPIN"
edited=$(cat "$R$DROPIN")
out=$("${MP[@]}" --set swap.size=none --rerun 2>&1)
check_eq "long path: the admin's edit survives --rerun" "$(cat "$R$DROPIN")" "$edited"
check "long path: plan says left alone" grep -q "50-memprov.conf.*left alone" <<<"$out"
