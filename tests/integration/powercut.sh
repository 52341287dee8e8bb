#!/bin/bash
# Issue 21 item 2: a power cut at any mutating call of a first boot, with /var (so the state and
# the intent record, /var/lib/memprov) on a filesystem of its own. /etc's journal can then commit
# a change before the other filesystem commits the intent record's rename (init/intent.c
# intent_commit() fsyncs the folder for that). An offline first boot (--root: the services'
# configuration and enabled units, as crash.sh's) on two loop-mounted ext4 images, mounted with
# commit=600 so that no timer commit hides a missing flush. For each mutating call N of the
# uninterrupted run (tests/apply-lib.sh points), the run is stopped right after it (strace's
# SIGSTOP injection: the signal comes as the call returns), both images' backing files are copied
# while it is frozen (what the disks hold at that moment: what the filesystems flushed, not what
# is in their page cache), then it is killed. The copies are checked (e2fsck -fy replays the
# journals), mounted where the originals were and booted: the boot run, then the run again, must
# leave exactly what the uninterrupted run left (files, bytes, modes, the swapfile), as after a
# kill (crash.sh; the loop is tests/apply-lib.sh run_points). POWERCUT_FS=ext4-nojournal: /etc's
# filesystem without a journal (ext2's ordering: nothing commits in order there).
# shellcheck disable=SC1091
source "$(dirname "$0")/../lib.sh"
enter_mount_namespace "$@"
source "$TESTS_DIR/apply-lib.sh"
strace_tests "power cuts" || exit 0
command -v e2fsck >/dev/null || { skip "power cuts" "e2fsck not installed"; exit 0; }
source "$TESTS_DIR/fixtures/services/lib.sh"

ALL=openat,write,pwrite64,fsync,fdatasync,syncfs,rename,renameat,renameat2,fallocate,swapon
ALL=$ALL,swapoff,symlink,symlinkat,unlink,unlinkat,mkdir,mkdirat,fchmod,clone,clone3,vfork,wait4

PC=$SCRATCH/pc R=$SCRATCH/root T=$SCRATCH/template
mkdir -p "$PC" "$R"
ENABLED="proftpd.service named.service postgresql.service clamav-daemon.service"
debian_root "$T" event && cp -a "$TESTS_DIR/fixtures/units/lib" "$T/" ||
        { not_ok "fixture root"; exit 1; }
# shellcheck disable=SC2086
systemctl --root="$T" --quiet enable $ENABLED 2>/dev/null || not_ok "enable the fixture units"

# The pristine images: / (1G) and /var (128M), the template copied in.
root_mkfs=(mkfs.ext4 -q -F) root_opts=loop,commit=600
# Without a journal there is no commit to delay (the kernel refuses commit= then: "can't mount
# with commit=, fs mounted w/o journal", measured); what is dirty goes by writeback only, after
# dirty_expire_centisecs (30 s), longer than a stopped run waits before its copy.
[ "${POWERCUT_FS:-ext4}" = ext4-nojournal ] && root_mkfs+=(-O ^has_journal) root_opts=loop
truncate -s 1G "$PC/root.img" && truncate -s 128M "$PC/var.img" &&
        "${root_mkfs[@]}" "$PC/root.img" >/dev/null 2>&1 && mkfs.ext4 -q -F "$PC/var.img" >/dev/null 2>&1 &&
        mount -o loop "$PC/root.img" "$R" && cp -a "$T/." "$R/" && mkdir -p "$R/var" &&
        mount -o loop "$PC/var.img" "$R/var" && cp -a "$T/var/." "$R/var/" &&
        umount "$R/var" && umount "$R" || { not_ok "the pristine images"; exit 1; }
at_exit "umount '$R/var'; umount '$R'"

# mount_pair ROOT.IMG VAR.IMG: / at $R, /var at $R/var, each on its own loop device.
mount_pair() {
        mount -o "$root_opts" "$1" "$R" && mount -o loop,commit=600 "$2" "$R/var"
}
unmount_pair() {
        umount "$R/var" 2>/dev/null
        umount "$R" 2>/dev/null
        true
}
# A fresh machine: the pristine images copied (sparse: the copy takes what mkfs wrote).
fresh() {
        unmount_pair
        cp --sparse=always "$PC/root.img" "$PC/w-root.img" &&
                cp --sparse=always "$PC/var.img" "$PC/w-var.img" && mount_pair "$PC/w-root.img" "$PC/w-var.img"
}
snap() {
        (cd "$R" && find . -path ./swapfile -prune -o -printf '%p %y %m %l\n' | sort &&
                find . -path ./swapfile -prune -o -type f -print0 | sort -z | xargs -0 -r sha256sum)
        [ ! -e "$R/swapfile" ] || echo "swapfile $(stat -c '%s %a %F' "$R/swapfile")" \
                "$(blkid -o export -s TYPE -s LABEL "$R/swapfile" | tr '\n' ' ')"
}

# stop_and_copy SYSCALL N CMD...: CMD stopped right after its Nth SYSCALL, the disks copied to
# $PC/c-*.img while it is frozen, then killed. Fails if it never stopped there.
stop_and_copy() {
        local sc=$1 n=$2 spid child i stopped=
        shift 2
        rm -f "$PC/trace"
        strace -qq -o "$PC/trace" -e trace="$sc" -e inject="$sc:signal=SIGSTOP:when=$n" \
                "$@" >/dev/null 2>&1 &
        spid=$!
        for ((i = 0; i < 1200; i++)); do
                grep -q "stopped by SIGSTOP" "$PC/trace" 2>/dev/null && { stopped=1; break; }
                kill -0 "$spid" 2>/dev/null || break
                sleep 0.05
        done
        [ -n "$stopped" ] && cp --sparse=always "$PC/w-root.img" "$PC/c-root.img" &&
                cp --sparse=always "$PC/w-var.img" "$PC/c-var.img" || stopped=
        child=$(pgrep -P "$spid")
        [ -z "$child" ] || kill -KILL "$child"
        wait "$spid" 2>/dev/null
        settle
        [ -n "$stopped" ]
}

# A copy's filesystems checked as a boot's fsck would: 0 clean, 1 errors corrected (a journal
# replayed); more is a filesystem the cut broke.
fsck_copy() {
        local rc
        e2fsck -fy "$1" >"$PC/fsck.log" 2>&1
        rc=$?
        [ "$rc" -le 1 ]
}

# power_cut SYSCALL N CMD...: the machine as it comes back from a power cut right after CMD's
# Nth SYSCALL (run_points' INTERRUPT): the copies checked and mounted where the disks were.
power_cut() {
        stop_and_copy "$@" || { echo stop; return 1; }
        unmount_pair
        fsck_copy "$PC/c-root.img" && fsck_copy "$PC/c-var.img" || { echo fsck; return 1; }
        mount_pair "$PC/c-root.img" "$PC/c-var.img" || { echo mount; return 1; }
}

opts=${root_opts#loop} # ", commit=600" in the name of the check, or nothing
CMD=("$MEMPROV" --defaults "$DEFAULTS" --root "$R" --assume-ram 1G --set swap.size=256M)
fresh && "${CMD[@]}" >/dev/null 2>&1 || { not_ok "uninterrupted run"; exit 1; }
check "the run wrote its state on /var's filesystem" \
        test "$(stat -c %d "$R/var/lib/memprov/state")" != "$(stat -c %d "$R/etc")"
INTERRUPT=power_cut WHAT="power cuts" run_points \
        "offline first boot, /var its own filesystem (${POWERCUT_FS:-ext4}${opts/,/, })" \
        "$ALL" fresh snap 0 -- "${CMD[@]}"
unmount_pair
exit 0
