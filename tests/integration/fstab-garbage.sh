#!/bin/bash
# Issue 21, item 9: a line of fstab that libmount cannot read (too few fields, a NUL byte) is kept
# byte for byte and passed over, as systemd does: memprov warns once naming file:line, adds its
# entry, and --undo gives the bytes back. systemd's own fstab-generator (SYSTEMD_FSTAB) reads the
# written fstab and must still make the swapfile's swap unit and every unit it made from the admin's lines.
# --root on a loop-mounted ext4.
# shellcheck disable=SC1091
source "$(dirname "$0")/../lib.sh"
enter_mount_namespace "$@"
[ "$(id -u)" = 0 ] || { skip "fstab garbage" "needs root"; exit 0; }
mount_loop_fs ext4 4G "$SCRATCH/fs" || { not_ok "ext4: mkfs and mount"; exit 1; }
GEN=/lib/systemd/system-generators/systemd-fstab-generator

# The mount and swap units systemd's generator makes from fstab FILE, one a line. It runs as PID 1 of a new PID namespace with container= set empty: that is how
# systemd's virtualization check is told "no container" (else it ignores every swap entry).
fstab_units() {
        local out
        out=$(mktemp -d "$SCRATCH/gen.XXXXXX")
        unshare -pf --mount-proc env container= SYSTEMD_FSTAB="$1" SYSTEMD_PROC_CMDLINE= \
                SYSTEMD_LOG_LEVEL=err "$GEN" "$out" "$out" "$out" >/dev/null 2>&1
        (cd "$out" && ls -d -- *.mount *.swap 2>/dev/null)
}

# case NAME LINE-NUMBER FSTAB-BYTES (printf format)
n=0
fstab_case() {
        local name=$1 line=$2 fmt=$3 R before err units_before
        n=$((n + 1))
        R=$SCRATCH/fs/r$n
        mkdir -p "$R/etc" "$R/var/lib" && touch "$R/etc/debian_version"
        # shellcheck disable=SC2059
        printf "$fmt" >"$R/etc/fstab"
        before=$(sha256sum <"$R/etc/fstab")
        MP=("$MEMPROV" --defaults "$DEFAULTS" --root "$R" --assume-ram 1G --set swap.size=256M)
        "${MP[@]}" >"$SCRATCH/out" 2>"$SCRATCH/err"
        check_eq "$name: first boot exits 0" "$?" 0
        err=$(grep -c "fstab" "$SCRATCH/err")
        check_eq "$name: one warning line about fstab" "$err" 1
        check "$name: it names $R/etc/fstab:$line" grep -q "$R/etc/fstab:$line: line not understood" "$SCRATCH/err"
        check "$name: the admin's bytes kept in front" cmp -s -n "$(printf "$fmt" | wc -c)" \
                <(printf "$fmt") "$R/etc/fstab"
        check_eq "$name: one entry for the swapfile" "$(grep -ac '^/swapfile ' "$R/etc/fstab")" 1
        if [ -x "$GEN" ]; then
                units_before=$(printf "$fmt" >"$SCRATCH/orig" && fstab_units "$SCRATCH/orig")
                check_eq "$name: systemd-fstab-generator: the admin's units and the swapfile's" \
                        "$(fstab_units "$R/etc/fstab")" \
                        "$(printf '%s\n' "$units_before" swapfile.swap | sed '/^$/d' | sort)"
        else
                skip "$name: systemd-fstab-generator" "not installed"
        fi
        local tree
        tree=$(tree_sums "$R")
        "${MP[@]}" --rerun >/dev/null 2>&1
        check_eq "$name: --rerun changes nothing" "$(tree_sums "$R")" "$tree"
        "${MP[@]}" --undo >/dev/null 2>&1
        check_eq "$name: --undo exits 0" "$?" 0
        check_eq "$name: --undo gives fstab's bytes back" "$(sha256sum <"$R/etc/fstab")" "$before"
}

fstab_case "too few fields" 2 'UUID=x / ext4 defaults 0 1\n/dev/vdc1\n/dev/vdb2 /srv ext4 defaults 0 2\n'
fstab_case "NUL line" 2 'UUID=x / ext4 defaults 0 1\n\0\0\0\n/dev/vdb2 /srv ext4 defaults 0 2\n'
fstab_case "NUL in the last line" 3 'UUID=x / ext4 defaults 0 1\n/dev/vdb2 /srv ext4 defaults 0 2\n/dev/vdb3 none swap sw\0junk\n'
fstab_case "NUL last line, no final newline" 2 'UUID=x / ext4 defaults 0 1\nga\0rbage'
exit "$T_FAILED"
