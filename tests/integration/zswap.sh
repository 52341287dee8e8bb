#!/bin/bash
# zswap in front of the swapfile on the smallest tiers: the plan (on at 512M and 1G, off at 2G
# and above, [swap] zswap = yes/no, never without swap), the compressor the kernel tree has
# (zstd, else lz4, else the default), the tmpfiles.d line fed to the real systemd-tmpfiles, the
# file removed after a --rerun at 4G; live writes into a private copy of
# /sys/module/zswap/parameters (the shared host kernel is never changed; the VM scenario 10
# checks the real thing).
source "$(dirname "$0")/../lib.sh"
enter_mount_namespace "$@"

TMPF=/etc/tmpfiles.d/memprov-zswap.conf
P=/sys/module/zswap/parameters
json_get() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval("d"+sys.argv[1]))' "$1"; }
plan() { "$MEMPROV" --defaults "$DEFAULTS" --dry-run --json --root "$R" --set swap.image=yes "$@"; }
# The note of the plan's tmpfiles.d file ("None": no such file; under --root the file is all).
znote() { json_get '.get("files") and next((f.get("note") for f in d["files"] if f["path"] == "'$TMPF'"), None)'; }

R=$SCRATCH/root
mkdir -p "$R/etc" "$R/var/lib"
: >"$R/etc/fstab"

for tier in 512M 1G; do
        out=$(plan --assume-ram $tier)
        check "$tier: zswap's tmpfiles.d file in the plan" grep -q "^zswap at every boot" <<<"$(znote <<<"$out")"
        check "$tier: max_pool_percent 20" grep -q "max_pool_percent 20" <<<"$(znote <<<"$out")"
        check_eq "$tier: no live zswap actions under --root" "$(json_get '.get("zswap")' <<<"$out")" None
done
for tier in 2G 4G 32G; do
        out=$(plan --assume-ram $tier)
        check_eq "$tier: no zswap" "$(znote <<<"$out")" None
done
out=$(plan --assume-ram 4G --set swap.zswap=yes)
check "swap.zswap=yes turns it on at 4G" grep -q "^zswap at every boot" <<<"$(znote <<<"$out")"
out=$(plan --assume-ram 512M --set swap.zswap=no)
check_eq "swap.zswap=no keeps it off at 512M" "$(znote <<<"$out")" None
out=$(plan --assume-ram 512M --set swap.size=none)
check_eq "no swap: no zswap" "$(znote <<<"$out")" None
check "no swap: the plan says why" grep -q "zswap left off: there is no swap" <<<"$out"
check_fails "swap.zswap=maybe is an error" plan --assume-ram 512M --set swap.zswap=maybe
check_fails "zswap.max_pool_percent=101 is an error" \
        plan --assume-ram 512M --set "tier 512M.zswap.max_pool_percent=101"

# The compressor: what every kernel installed in the root has (modules.dep / modules.builtin).
K=$R/usr/lib/modules/6.1.0-test-amd64
mkdir -p "$K"
echo "kernel/crypto/lzo.ko:" >"$K/modules.dep"
: >"$K/modules.builtin"
out=$(plan --assume-ram 512M)
check "neither zstd nor lz4: the kernel's default" grep -q "default compressor" <<<"$(znote <<<"$out")"
echo "kernel/crypto/lz4.ko.xz: kernel/lib/lz4/lz4_compress.ko.xz" >>"$K/modules.dep"
out=$(plan --assume-ram 512M)
check "lz4 as a module: lz4" grep -q "compressor lz4" <<<"$(znote <<<"$out")"
echo "kernel/crypto/zstd.ko" >>"$K/modules.builtin"
out=$(plan --assume-ram 512M)
check "zstd built in: zstd" grep -q "compressor zstd" <<<"$(znote <<<"$out")"
check "the text plan names the compressor" \
        bash -c "'$MEMPROV' --defaults '$DEFAULTS' --dry-run --root '$R'  --assume-ram 512M --set swap.image=yes | grep -q 'compressor zstd'"

# Apply under --root: the tmpfiles.d file, which the real systemd-tmpfiles understands.
check "apply at 512M" "$MEMPROV" --defaults "$DEFAULTS" --root "$R" --assume-ram 512M --set swap.image=yes
check_eq "tmpfiles.d lines" "$(grep -v '^#' "$R$TMPF")" "$(printf '%s\n' \
        "w $P/compressor - - - - zstd" "w $P/max_pool_percent - - - - 20" "w $P/enabled - - - - Y")"
check_eq "tmpfiles.d mode" "$(stat -c %a "$R$TMPF")" 644
if command -v systemd-tmpfiles >/dev/null; then
        mkdir -p "$R$P"
        printf 'lzo\n' >"$R$P/compressor"
        printf '25\n' >"$R$P/max_pool_percent"
        printf 'N\n' >"$R$P/enabled"
        systemd-tmpfiles --root="$R" --create "$R$TMPF" >"$SCRATCH/tmpfiles.log" 2>&1
        check "systemd-tmpfiles accepts the file" test $? = 0 -a ! -s "$SCRATCH/tmpfiles.log"
        check_eq "systemd-tmpfiles writes enabled" "$(cat "$R$P/enabled")" Y
        check_eq "systemd-tmpfiles writes the compressor" "$(cat "$R$P/compressor")" zstd
        check_eq "systemd-tmpfiles writes max_pool_percent" "$(cat "$R$P/max_pool_percent")" 20
        rm -rf "$R/sys"
else
        skip "systemd-tmpfiles accepts the file" "no systemd-tmpfiles"
fi
out=$("$MEMPROV" --defaults "$DEFAULTS" --root "$R" --assume-ram 4G --set swap.image=yes --rerun 2>&1)
check_fails "--rerun at 4G removes the tmpfiles.d file" test -e "$R$TMPF"

# Live, into a private copy of the kernel's parameters. memprov's own swapfile sits on a
# loop-mounted ext4; /etc and /var/lib are overlays whose writes stay in the scratch dir.
if [ "$(id -u)" != 0 ]; then
        skip "live zswap" "needs root"
elif ! private_zswap_params; then
        skip "live zswap" "this kernel has no zswap"
else
        live_overlays || { not_ok "overlay /etc and /var/lib"; exit 1; }
        printf 'proc /proc proc defaults 0 0\n' >/etc/fstab
        rm -rf /var/lib/memprov /etc/memprov "$TMPF"
        echo N >"$P/enabled"
        mount_loop_fs ext4 4G "$SCRATCH/mnt" || not_ok "mkfs and mount"
        LIVE=("$MEMPROV" --defaults "$DEFAULTS" --set swap.add=yes --set "swap.path=$SCRATCH/mnt/swapfile")
        out=$("${LIVE[@]}" --assume-ram 512M) || not_ok "live run at 512M"
        check_eq "live: enabled" "$(cat "$P/enabled")" Y
        check_eq "live: max_pool_percent" "$(cat "$P/max_pool_percent")" 20
        check "live: tmpfiles.d file written" test -f "$TMPF"
        check "live: state records it" grep -qx "enabled = yes" /var/lib/memprov/state
        before=$(stat -c %Y "$P/enabled" "$P/max_pool_percent")
        sleep 1
        out=$("${LIVE[@]}" --assume-ram 512M --rerun --json)
        check_eq "live: a second run leaves the values alone" \
                "$(stat -c %Y "$P/enabled" "$P/max_pool_percent")" "$before"
        out=$("${LIVE[@]}" --assume-ram 4G --rerun --json) || not_ok "live --rerun at 4G"
        check_eq "live: off again at 4G" "$(cat "$P/enabled")" N
        check_fails "live: tmpfiles.d file removed at 4G" test -e "$TMPF"
        echo Y >"$P/enabled"
        rm -rf /var/lib/memprov
        "${LIVE[@]}" --assume-ram 4G >/dev/null 2>&1
        check_eq "live: zswap the admin turned on is not turned off" "$(cat "$P/enabled")" Y
fi
exit $T_FAILED
