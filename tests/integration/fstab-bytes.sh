#!/bin/bash
# Issue 21, item 9: a first boot and its --undo give fstab back byte for byte with its owner, mode
# and extended attributes (a user.* one and an ACL), its last byte as it was (with and without a
# final newline); --root on a loop-mounted ext4.
# shellcheck disable=SC1091
source "$(dirname "$0")/../lib.sh"
enter_mount_namespace "$@"
[ "$(id -u)" = 0 ] || { skip "fstab bytes" "needs root"; exit 0; }
mount_loop_fs ext4 4G "$SCRATCH/fs" || { not_ok "ext4: mkfs and mount"; exit 1; }

# Owner, mode and every extended attribute with its value (python3: attr's tools are optional).
attrs() {
        stat -c '%u:%g %a' "$1"
        python3 -c 'import os, sys
for k in sorted(os.listxattr(sys.argv[1])): print(k, os.getxattr(sys.argv[1], k).hex())' "$1"
}

for ending in newline none; do
        R=$SCRATCH/fs/$ending
        mkdir -p "$R/etc" "$R/var/lib" && touch "$R/etc/debian_version"
        printf 'proc /proc proc defaults 0 0\n# last line\tUUID=x / ext4 defaults 0 1' >"$R/etc/fstab"
        [ $ending = none ] || echo >>"$R/etc/fstab"
        chown 0:4 "$R/etc/fstab" && chmod 0640 "$R/etc/fstab" &&
                python3 -c 'import os, sys; os.setxattr(sys.argv[1], "user.origin", b"admin")' "$R/etc/fstab" &&
                { ! command -v setfacl >/dev/null || setfacl -m u:1:r "$R/etc/fstab"; } ||
                not_ok "$ending: fixture"
        before=$(sha256sum <"$R/etc/fstab") a_before=$(attrs "$R/etc/fstab")
        MP=("$MEMPROV" --defaults "$DEFAULTS" --root "$R" --assume-ram 1G --set swap.size=256M)
        "${MP[@]}" >/dev/null 2>"$SCRATCH/err" || not_ok "$ending: first boot ($(head -1 "$SCRATCH/err"))"
        check "$ending: fstab names the swapfile" grep -q '^/swapfile' "$R/etc/fstab"
        check_eq "$ending: first boot keeps owner, mode, xattrs" "$(attrs "$R/etc/fstab")" "$a_before"
        [ $ending = newline ] || check_eq "$ending: no final newline added" \
                "$(tail -c1 "$R/etc/fstab" | od -An -c | tr -d ' ')" "0"
        "${MP[@]}" --undo >/dev/null 2>&1 || not_ok "$ending: --undo"
        check_eq "$ending: --undo gives fstab's bytes back" "$(sha256sum <"$R/etc/fstab")" "$before"
        check_eq "$ending: --undo keeps owner, mode, xattrs" "$(attrs "$R/etc/fstab")" "$a_before"
done
exit "$T_FAILED"
