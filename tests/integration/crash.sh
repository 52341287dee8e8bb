#!/bin/bash
# Issue 11: a run killed at any mutating syscall leaves a machine the next run completes.
# An uninterrupted run is traced with strace to enumerate its mutating syscalls (openat with
# O_CREAT, write (pwrite64: the swap signature), fsync, rename, fallocate, swapon, swapoff,
# symlink, unlink, mkdir, fchmod, and any spawn (clone3) and wait (wait4): memprov writes the
# swap signature itself since it stopped spawning mkswap); then, for each point N, the same run is
# killed there with `strace -e inject=SYSCALL:signal=SIGKILL:when=N`, and a plain run followed
# by a --rerun must leave exactly what the uninterrupted run left: the same files and bytes
# (/etc and /var/lib are overlays whose upper dirs are compared), the swapfile at the same size,
# mode and label, active, no temp or side file (the loop: tests/apply-lib.sh run_points).
# Scenarios: a live first boot and a live --rerun resize and a live --rerun swap.path move on
# loop-mounted ext4, an offline --root first boot with services and units; the first boot's swap
# steps again on ext2 (zero-filled, no fallocate), xfs and btrfs, in the long suite only
# (MEMPROV_TEST_LONG=1, make check-long): they are the same steps on other filesystems, and make
# check keeps ext4's.
# shellcheck disable=SC1091
source "$(dirname "$0")/../lib.sh"
enter_mount_namespace "$@"
source "$TESTS_DIR/apply-lib.sh"
strace_tests "crash points" || exit 0
source "$TESTS_DIR/fixtures/services/lib.sh"

ALL=openat,write,pwrite64,fsync,fdatasync,syncfs,rename,renameat,renameat2,fallocate,swapon
ALL=$ALL,swapoff,symlink,symlinkat,unlink,unlinkat,mkdir,mkdirat,fchmod,clone,clone3,vfork,wait4
SWAP_STEPS=openat,pwrite64,fsync,syncfs,renameat,renameat2,fallocate,ioctl,swapon,swapoff,unlinkat,clone3,wait4

live_ext4
first_boot() { live_reset "$SCRATCH/ext4"; }
snap_ext4() { live_snap "$SCRATCH/ext4"; }
run_points "live first boot (ext4)" "$ALL" first_boot snap_ext4 0 -- \
        "${MP[@]}" --set "swap.path=$SW" --set swap.size=256M

provisioned() { live_reset "$SCRATCH/ext4" && "${MP[@]}" --set "swap.path=$SW" --set swap.size=256M >/dev/null 2>&1; }
run_points "live --rerun resize (ext4)" "$ALL" provisioned snap_ext4 1 -- \
        "${MP[@]}" --set "swap.path=$SW" --set swap.size=768M --rerun

# --undo: swapped off, fstab's line removed before the file, the state replaced by the marker.
run_points "live --undo (ext4)" "$ALL" provisioned snap_ext4 1 -- \
        "${MP[@]}" --set "swap.path=$SW" --set swap.size=256M --undo

# A swap.path move: the old file swapped off and removed, its fstab line replaced.
run_points "live --rerun swap.path move (ext4)" "$ALL" provisioned snap_ext4 1 -- \
        "${MP[@]}" --set "swap.path=$SCRATCH/ext4/moved" --set swap.size=256M --rerun

# ext2 has no fallocate: the swapfile is written with zeros, 64 KiB a write (4096 writes for
# 256M). The swap steps, and of the zero-fill's writes the first, a middle one and the last.
zero_fill_points() {
        strace -qq -o "$SCRATCH/wtrace" -e trace=write "$@" >/dev/null 2>&1
        awk '/^write\(/ { n++ } /^write\(.*, 65536\) = 65536$/ { z[++k] = n }
             END { if (k) print "write", z[1] "\nwrite", z[int((k + 1) / 2)] "\nwrite", z[k] }' \
                "$SCRATCH/wtrace"
}
boot_ext2() { live_reset "$SCRATCH/ext2"; }
snap_ext2() { live_snap "$SCRATCH/ext2"; }
name="live first boot, swap steps and zero-fill (ext2)"
if long_scenario "$name"; then
        mount_loop_fs ext2 8G "$SCRATCH/ext2" || not_ok "ext2: mkfs and mount"
        POINTS_ONLY=swapfile MORE_POINTS=zero_fill_points run_points "$name" "$SWAP_STEPS" \
                boot_ext2 snap_ext2 0 -- \
                "${MP[@]}" --set "swap.path=$SCRATCH/ext2/swapfile" --set swap.size=256M
        swapoff_under "$SCRATCH/ext2"
fi

for fs in xfs btrfs; do
        long_scenario "live first boot, swap steps ($fs)" || continue
        mount_loop_fs "$fs" 8G "$SCRATCH/$fs" || { not_ok "$fs: mkfs and mount"; continue; }
        eval "boot_$fs() { live_reset '$SCRATCH/$fs'; }; snap_$fs() { live_snap '$SCRATCH/$fs'; }"
        POINTS_ONLY=swapfile run_points "live first boot, swap steps ($fs)" "$SWAP_STEPS" \
                "boot_$fs" "snap_$fs" 0 -- \
                "${MP[@]}" --set "swap.path=$SCRATCH/$fs/swapfile" --set swap.size=256M
        swapoff_under "$SCRATCH/$fs"
done

# --- offline: a --root tree with the services' config and enabled units, on ext4 ---
overlay /etc && overlay /var/lib
T=$SCRATCH/template R=$SCRATCH/ext4/root
ENABLED="proftpd.service named.service postgresql.service clamav-daemon.service"
debian_root "$T" event && cp -a "$TESTS_DIR/fixtures/units/lib" "$T/" ||
        not_ok "offline: fixture root"
# shellcheck disable=SC2086
systemctl --root="$T" --quiet enable $ENABLED 2>/dev/null || not_ok "offline: enable the fixture units"
offline_reset() { swapoff_under "$SCRATCH/ext4"; settle; find "$SCRATCH/ext4" -mindepth 1 -delete && cp -a "$T" "$R"; }
offline_snap() {
        (cd "$R" && find . -path ./swapfile -prune -o -printf '%p %y %m %l\n' | sort &&
                find . -path ./swapfile -prune -o -type f -print0 | sort -z | xargs -0 -r sha256sum)
        [ ! -e "$R/swapfile" ] || echo "swapfile $(stat -c '%s %a %F' "$R/swapfile")" \
                "$(blkid -o export -s TYPE -s LABEL "$R/swapfile" | tr '\n' ' ')"
}
run_points "offline --root first boot" "$ALL" offline_reset offline_snap 0 -- \
        "$MEMPROV" --defaults "$DEFAULTS" --root "$R" --assume-ram 1G --set swap.size=256M

# Issue 21, items 4-6: --undo and a --rerun that enables units again, killed at every point. The
# boot run after the kill finishes an --undo that had begun (its intent record) and a --rerun's
# enable of named.service and its bind9.service alias, clamav-daemon and its socket, from the
# record, whatever links it finds; the command again then changes nothing.
OFF=("$MEMPROV" --defaults "$DEFAULTS" --root "$R" --set swap.size=256M)
offline_provisioned() { offline_reset && "${OFF[@]}" --assume-ram 1G >/dev/null 2>&1; }
run_points "offline --undo" "$ALL" offline_provisioned offline_snap 1 -- "${OFF[@]}" --assume-ram 1G --undo
run_points "offline --rerun enabling units again (8G)" "$ALL" offline_provisioned offline_snap 1 -- \
        "${OFF[@]}" --assume-ram 8G --rerun
exit 0
