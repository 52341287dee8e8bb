# shellcheck shell=bash disable=SC2154 # dir (tests/vm/run)
# Scenario 10 (issue 12): zswap at 512M on the first boot (live, the plan names the compressor)
# and after a reboot (tmpfiles.d); off at 4G. memprov's journal records at first boot carry their
# MESSAGE_ID and fields, and `journalctl -x` explains them from the installed catalog.
# The cloud kernels (linux-image-cloud-amd64: Debian 12's 6.1, Debian 13's 6.12) are built
# without CONFIG_ZSWAP, so bookworm's image also carries Debian's generic kernel
# (images/packages-bookworm.map) and this scenario boots it there (boot-vm --kernel generic):
# zswap must be enabled at 512M. On the cloud kernel (trixie, or MEMPROV_S10_KERNEL=cloud)
# /sys/module/zswap does not exist: memprov must say so in the plan and write no tmpfiles.d line.
KERNEL=${MEMPROV_S10_KERNEL:-$([ "$SUITE" = bookworm ] && echo generic || echo cloud)}
echo "# s10: $KERNEL kernel"

# check_zswap_on TAG: zswap enabled with zstd and the tier's pool (a kernel with zswap), or the
# no-zswap-kernel path (the cloud kernel).
check_zswap_on() {
        local tag=$1
        if [ "$KERNEL" = cloud ]; then
                check_eq "$tag: cloud kernel: no /sys/module/zswap" "$(rv zswap.enabled)" none
                check "$tag: kernel without zswap: the plan says so" \
                        grep -q 'zswap left off: this kernel has no /sys/module/zswap/parameters' "$REPORT"
                check_eq "$tag: kernel without zswap: no tmpfiles.d line" "$(rv zswap.tmpfiles)" no
                return
        fi
        check_eq "$tag: zswap enabled" "$(rv zswap.enabled)" Y
        check_eq "$tag: compressor zstd" "$(rv zswap.compressor)" zstd
        check_eq "$tag: max_pool_percent 20" "$(rv zswap.max_pool_percent)" 20
        check_eq "$tag: tmpfiles.d line" "$(rv zswap.tmpfiles)" yes
}

if boot "$dir" --ram 512M --kernel "$KERNEL"; then
        ok "s10: first boot at 512M"
        check_boot_sane s10.1
        check_zswap_on s10.1
        [ "$KERNEL" = cloud ] || check "s10.1: the plan names the compressor" \
                grep -q 'compressor zstd' <(sed -n '/^=== journalctl -b -u memprov$/,/^---/p' "$REPORT")
        check_eq "s10.1: one swap-created record" "$(rv journal.swap_created)" 1
        check_eq "s10.1: its MEMPROV_PATH" "$(rv journal.swap_created.path)" /swapfile
        check_eq "s10.1: its MEMPROV_TIER" "$(rv journal.swap_created.tier)" 512M
        check "s10.1: unit-disabled records" test "$(rv journal.unit_disabled)" -ge 1
        # journalctl -x prints the catalog's subject and its text, both naming the swapfile.
        check "s10.1: journalctl -x explains it (catalog)" \
                grep -q '^░░ Subject: memprov created the swapfile /swapfile$' "$REPORT"
        if boot "$dir" --ram 512M --kernel "$KERNEL"; then
                ok "s10: second boot of the same disk at 512M"
                check_boot_sane s10.2
                check_zswap_on s10.2
                check_eq "s10.2: no swap-created record (nothing created)" "$(rv journal.swap_created)" 0
        else
                not_ok "s10: second boot of the same disk at 512M"
        fi
else
        not_ok "s10: first boot at 512M"
fi
rm -rf "$dir-4g" "$dir-4g.boot.log"
if boot "$dir-4g" --ram 4G --kernel "$KERNEL"; then
        ok "s10: first boot at 4G"
        check_boot_sane s10.3
        check_eq "s10.3: zswap off" "$(rv zswap.enabled)" "$([ "$KERNEL" = cloud ] && echo none || echo N)"
        check_eq "s10.3: no tmpfiles.d line" "$(rv zswap.tmpfiles)" no
        check_fails "s10.3: no zswap note at 4G" grep -q 'zswap left off' "$REPORT"
else
        not_ok "s10: first boot at 4G"
fi
