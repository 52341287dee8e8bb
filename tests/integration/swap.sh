#!/bin/bash
# Real swapfiles on loop-mounted ext4, xfs and btrfs: created, swapped on, in fstab, swappiness
# set; a second run changes nothing; --rerun resizes; tmpfs is refused; --dry-run and --root
# change nothing outside. Runs in a private mount namespace: /etc and /var/lib are overlays
# whose writes land in the scratch dir, /proc/sys/vm/swappiness is a bind-mounted file.
source "$(dirname "$0")/../lib.sh"
enter_mount_namespace "$@"

[ "$(id -u)" = 0 ] || { skip "swap integration" "needs root"; exit 0; }

# 1G turns zswap on live: into a private copy of its parameters (tests/lib.sh live_overlays).
live_overlays || { not_ok "overlay /etc and /var/lib"; exit 1; }
live_fresh_etc

# /proc/swaps shows this test's swap only (tests/lib.sh private_swaps). These tests add
# memprov's swapfile regardless of other swap; respecting existing swap is tested offline in
# root.sh.
# No compressed swap: its swappiness follows the host's kernel (zswap.sh and zram.sh test it).
MP=("$MEMPROV" --defaults "$DEFAULTS" --set swap.add=yes --set swap.zswap=no --set swap.zram=no)
json_get() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval("d"+sys.argv[1]))' "$1"; }

state_sums() { tree_sums /etc/fstab /etc/sysctl.d /var/lib/memprov "$1"; }

test_fs() {
        local fs=$1 mnt=$SCRATCH/mnt-$fs sw out size
        mount_loop_fs "$fs" 24G "$mnt" || { not_ok "$fs: mkfs and mount"; return; }
        sw=$mnt/swapfile
        rm -rf /var/lib/memprov
        printf '# fstab for tests\nproc /proc proc defaults 0 0\n' >/etc/fstab

        out=$("${MP[@]}" --set "swap.path=$sw" --assume-ram 1G --rerun --json) ||
                { not_ok "$fs: first run"; return; }
        size=$(json_get '["swap"]["size_bytes"]' <<<"$out")
        check_eq "$fs: plans 2G for 1G RAM" "$size" 2147483648
        check_eq "$fs: swapfile created" "$(stat -c %s "$sw" 2>/dev/null)" "$size"
        check_eq "$fs: swapfile mode 0600 root" "$(stat -c %a:%u "$sw")" "600:0"
        check "$fs: swapfile active" grep -q "^$sw " /proc/swaps
        check_eq "$fs: one fstab entry" "$(grep -c "^$sw none swap sw" /etc/fstab)" 1
        check "$fs: fstab keeps the admin's lines" \
                grep -qx 'proc /proc proc defaults 0 0' /etc/fstab
        check_eq "$fs: swappiness drop-in" \
                "$(grep -v '^#' /etc/sysctl.d/60-memprov.conf)" "vm.swappiness = 10"
        check_eq "$fs: live swappiness" "$(cat /proc/sys/vm/swappiness)" 10
        check "$fs: state written" grep -q "^path = $sw" /var/lib/memprov/state
        if [ "$fs" = btrfs ]; then
                check "$fs: NOCOW attribute" bash -c "lsattr '$sw' | cut -c1-22 | grep -q C"
        fi

        local before after
        before=$(state_sums "$sw"; stat -c %i:%s:%Y "$sw")
        "${MP[@]}" --set "swap.path=$sw" --assume-ram 1G >/dev/null 2>&1
        after=$(state_sums "$sw"; stat -c %i:%s:%Y "$sw")
        check_eq "$fs: second run changes nothing" "$after" "$before"
        out=$("${MP[@]}" --set "swap.path=$sw" --set memprov.on_resize=report --assume-ram 2G 2>&1)
        after=$(state_sums "$sw"; stat -c %i:%s:%Y "$sw")
        check "$fs: on_resize = report: a RAM change is only reported" \
                grep -q "RAM changed from 1G to 2G" <<<"$out"
        check_eq "$fs: ... and nothing changes" "$after" "$before"
        out=$("${MP[@]}" --set "swap.path=$sw" --assume-ram 1G --rerun --json)
        after=$(state_sums "$sw"; stat -c %i:%s:%Y "$sw")
        check_eq "$fs: --rerun with nothing changed writes nothing" "$after" "$before"
        check_eq "$fs: --rerun reports unchanged" \
                "$(json_get '["swap"]["changed"]' <<<"$out")" False

        out=$("${MP[@]}" --set "swap.path=$sw" --assume-ram 3G --rerun --json) ||
                { not_ok "$fs: resize run"; return; }
        check_eq "$fs: resize planned" "$(json_get '["swap"]["action"]' <<<"$out")" resize
        check_eq "$fs: resized to 3G" "$(stat -c %s "$sw")" 3221225472
        check "$fs: resized file active" grep -q "^$sw " /proc/swaps
        check_eq "$fs: no side file left" "$(grep -c "^$sw.memprov-resize" /proc/swaps)" 0
        check_eq "$fs: still one fstab entry" "$(grep -c "^$sw " /etc/fstab)" 1
        check_eq "$fs: resized mode 0600" "$(stat -c %a "$sw")" 600

        out=$("${MP[@]}" --set "swap.path=$sw" --set swap.size=none --rerun --json)
        check_eq "$fs: swap.size=none removes memprov's swapfile" \
                "$(json_get '["swap"]["action"]' <<<"$out")" remove
        check_fails "$fs: swapfile gone" test -e "$sw"
        check_eq "$fs: fstab entry gone" "$(grep -c "$sw" /etc/fstab)" 0
        check_eq "$fs: swap off" "$(grep -c "^$sw " /proc/swaps)" 0
        umount "$mnt"
}

for fs in ext4 xfs btrfs; do
        test_fs "$fs"
done

# ext2 has no fallocate: the swapfile is written with zeros, and the kernel takes it.
if mount_loop_fs ext2 4G "$SCRATCH/ext2"; then
        sw=$SCRATCH/ext2/swapfile
        rm -rf /var/lib/memprov
        "${MP[@]}" --set "swap.path=$sw" --set swap.size=320M --assume-ram 1G >/dev/null 2>&1
        check "ext2: zero-filled swapfile active" grep -q "^$sw " /proc/swaps
        check "ext2: fully allocated (no holes)" test "$(du -B1 "$sw" | cut -f1)" -ge \
                "$(du -B1 --apparent-size "$sw" | cut -f1)"
        swapoff "$sw"
else
        not_ok "ext2: mkfs and mount"
fi

# btrfs over two devices cannot hold a swapfile: refused, with the reason.
truncate -s 3G "$SCRATCH/bt1.img" "$SCRATCH/bt2.img"
d1=$(losetup -f --show "$SCRATCH/bt1.img") && at_exit "losetup -d $d1"
d2=$(losetup -f --show "$SCRATCH/bt2.img") && at_exit "losetup -d $d2"
mkdir -p "$SCRATCH/bt2"
if mkfs.btrfs -q -f -d single -m raid1 "$d1" "$d2" >/dev/null 2>&1 &&
        mount "$d1" "$SCRATCH/bt2" && at_exit "umount -l '$SCRATCH/bt2'"; then
        rm -rf /var/lib/memprov
        out=$("${MP[@]}" --set "swap.path=$SCRATCH/bt2/swapfile" --set swap.size=256M \
                --assume-ram 1G 2>&1)
        check "btrfs on two devices: exit 0" test $? -eq 0
        check "btrfs on two devices: refused with the reason" grep -q "several devices" <<<"$out"
        check_fails "btrfs on two devices: no swapfile" test -e "$SCRATCH/bt2/swapfile"
else
        not_ok "btrfs on two devices: mkfs and mount"
fi

# tmpfs cannot hold a swapfile: refused with a reason, the other steps still run.
mkdir -p "$SCRATCH/tmpfs" && mount -t tmpfs -o size=64G tmpfs "$SCRATCH/tmpfs" &&
        at_exit "umount -l '$SCRATCH/tmpfs'"
rm -rf /var/lib/memprov /etc/sysctl.d/60-memprov.conf
out=$("${MP[@]}" --set "swap.path=$SCRATCH/tmpfs/swapfile" --assume-ram 1G 2>&1)
check "tmpfs: exit 0" test $? -eq 0
check "tmpfs: refusal explained" grep -q "cannot swap to a file on this filesystem" <<<"$out"
check_fails "tmpfs: no swapfile" test -e "$SCRATCH/tmpfs/swapfile"
check "tmpfs: sysctl still written" test -f /etc/sysctl.d/60-memprov.conf

# A disk too full for 256M of swap: no swapfile, and the plan says why.
mount_loop_fs ext4 2G "$SCRATCH/small" || not_ok "small fs"
rm -rf /var/lib/memprov
out=$("${MP[@]}" --set "swap.path=$SCRATCH/small/swapfile" --assume-ram 1G 2>&1)
check "full disk: exit 0" test $? -eq 0
check "full disk: reason given" grep -q "not enough free space" <<<"$out"
check_fails "full disk: no swapfile" test -e "$SCRATCH/small/swapfile"

# --dry-run changes nothing anywhere.
mount_loop_fs ext4 24G "$SCRATCH/dry" || not_ok "dry fs"
rm -rf /var/lib/memprov /etc/sysctl.d/60-memprov.conf
# The dry-run check's flake: it compared the kernel's whole swap list, which another run's
# swapon or swapoff changes (now private: tests/lib.sh private_swaps). By name, type and size:
# an active swap's Used column moves with the host's memory pressure, not with memprov.
swaps() { awk '{ print $1, $2, $3 }' /proc/swaps; }
before=$(state_sums "$SCRATCH/dry"; cat /proc/sys/vm/swappiness; swaps)
out=$("${MP[@]}" --set "swap.path=$SCRATCH/dry/swapfile" --assume-ram 1G --dry-run)
after=$(state_sums "$SCRATCH/dry"; cat /proc/sys/vm/swappiness; swaps)
check_eq "--dry-run changes nothing" "$after" "$before"
check "--dry-run shows the plan" grep -q "create .*swapfile 2G" <<<"$out"

# Bad configuration: one error naming file:line, non-zero exit, nothing changed.
mkdir -p /etc/memprov
printf '[swap]\npath = /swapfile\nsize = 2 G\n' >/etc/memprov/memprov.conf
before=$(state_sums "$SCRATCH/dry")
out=$("${MP[@]}" --set "swap.path=$SCRATCH/dry/swapfile" --assume-ram 1G 2>&1)
rc=$?
after=$(state_sums "$SCRATCH/dry")
check "bad config: non-zero exit" test "$rc" -ne 0
check "bad config: names file and line" grep -q "/etc/memprov/memprov.conf:3" <<<"$out"
check_eq "bad config: nothing changed" "$after" "$before"
rm -rf /etc/memprov
