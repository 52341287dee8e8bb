#!/bin/bash
# Issue 11: how many flushes a first boot with a swapfile costs, by filesystem (--root, traced
# with strace). On one filesystem that commits in order (ext4 with a journal, xfs, btrfs): one,
# the syncfs before the first change, which the new swapfile (signature included) is made
# before. Where memprov cannot rely on that order (ext2, ext4 without a journal, /var/lib/memprov
# on another filesystem than /etc) the intent record's folder is fsynced after its rename, before
# the first change (issue 21, item 2), and the run ends with one more syncfs (per filesystem)
# before the state is saved; a swapfile on another filesystem than /etc is fsynced with its
# folder.
# shellcheck disable=SC1091
source "$(dirname "$0")/../lib.sh"
enter_mount_namespace "$@"
source "$TESTS_DIR/apply-lib.sh"
strace_tests "flushes" || exit 0 # LeakSanitizer does not run under ptrace

# flushes NAME EXPECTED ROOT [ARGS...]: "SYNCFS FSYNC" counts of a --root first boot, and a
# finished run: the swapfile's signature, the state, no intent record.
flushes() {
        local name=$1 expected=$2 root=$3 got sw
        shift 3
        mkdir -p "$root/etc" "$root/var/lib" && touch "$root/etc/debian_version" &&
                printf 'proc /proc proc defaults 0 0\n' >"$root/etc/fstab"
        strace -f -qq -o "$SCRATCH/trace" -e trace=syncfs,fsync,fdatasync,sync,msync \
                "$MEMPROV" --defaults "$DEFAULTS" --root "$root" --assume-ram 1G \
                --set swap.add=yes --set swap.image=yes "$@" >/dev/null 2>"$SCRATCH/err" ||
                { not_ok "$name: run ($(head -1 "$SCRATCH/err"))"; return; }
        got="$(grep -c ' syncfs(' "$SCRATCH/trace") $(grep -cE ' f(data)?sync\(' "$SCRATCH/trace")"
        check_eq "$name: syncfs and fsync calls" "$got" "$expected"
        sw=$root$(grep -oP '^path = \K.*' "$root/var/lib/memprov/state" 2>/dev/null)
        check_eq "$name: swapfile signed" "$(blkid -p -o value -s TYPE -s LABEL "$sw" 2>/dev/null |
                tr '\n' ' ')" "memprov swap "
        check "$name: state saved, intent record gone" \
                test -f "$root/var/lib/memprov/state" -a ! -e "$root/var/lib/memprov/intent"
}

# On btrfs one more: the facts' syncfs before statfs, so that the free space counts every
# extent a run before this one freed or allocated (lib/facts.c, issue 21, item 7).
for fs in ext4 xfs btrfs; do
        mount_loop_fs "$fs" 4G "$SCRATCH/$fs" || { not_ok "$fs: mkfs and mount"; continue; }
        flushes "$fs" "$([ $fs = btrfs ] && echo 2 || echo 1) 0" "$SCRATCH/$fs/root"
done

mount_loop_fs ext2 4G "$SCRATCH/ext2" || not_ok "ext2: mkfs and mount"
flushes ext2 "2 1" "$SCRATCH/ext2/root"

truncate -s 4G "$SCRATCH/nojournal.img" && mkfs.ext4 -q -F -O ^has_journal "$SCRATCH/nojournal.img" &&
        mkdir -p "$SCRATCH/nojournal" && mount -o loop "$SCRATCH/nojournal.img" "$SCRATCH/nojournal" &&
        at_exit "umount -l '$SCRATCH/nojournal'" || not_ok "ext4 without a journal: mkfs and mount"
flushes "ext4 without a journal" "2 1" "$SCRATCH/nojournal/root"

# /var/lib/memprov on a filesystem of its own: each sync point is a syncfs of both.
R=$SCRATCH/ext4/split
mkdir -p "$R/var/lib/memprov"
mount_loop_fs ext4 1G "$R/var/lib/memprov" || not_ok "split: mkfs and mount"
flushes "/var/lib/memprov on another filesystem" "4 1" "$R"

# The swapfile on another filesystem than /etc: it and its folder are fsynced.
R=$SCRATCH/ext4/swapfs
mkdir -p "$R/swap"
mount_loop_fs ext4 4G "$R/swap" || not_ok "swapfs: mkfs and mount"
flushes "swapfile on another filesystem" "1 2" "$R" --set swap.path=/swap/swapfile
exit "$T_FAILED"
