# shellcheck shell=bash disable=SC2154 # dir (tests/vm/run)
# Scenario 10 (issue 12): zswap at 512M on the first boot (live, the plan names the compressor)
# and after a reboot (tmpfiles.d); off at 4G. memprov's journal records at first boot carry their
# MESSAGE_ID and fields, and `journalctl -x` explains them from the installed catalog.
# Debian 12's cloud kernel (linux-image-cloud-amd64, the reference image's) is built without
# CONFIG_ZSWAP: there /sys/module/zswap does not exist, memprov must say so in the plan and write
# no tmpfiles.d line, and the "zswap enabled" checks are skipped with that reason. A kernel with
# zswap (linux-image-amd64) gets the full checks.

# check_zswap_on TAG: zswap enabled with zstd and the tier's pool, or the no-zswap-kernel path.
check_zswap_on() {
        local tag=$1
        if [ "$(rv zswap.enabled)" = none ]; then
                check "$tag: kernel without zswap: the plan says so" \
                        grep -q 'zswap left off: this kernel has no /sys/module/zswap/parameters' "$REPORT"
                check_eq "$tag: kernel without zswap: no tmpfiles.d line" "$(rv zswap.tmpfiles)" no
                skip "$tag: zswap enabled, compressor zstd, max_pool_percent 20" \
                        "the image's kernel (Debian 12 cloud) is built without CONFIG_ZSWAP"
                return
        fi
        check_eq "$tag: zswap enabled" "$(rv zswap.enabled)" Y
        check_eq "$tag: compressor zstd" "$(rv zswap.compressor)" zstd
        check_eq "$tag: max_pool_percent 20" "$(rv zswap.max_pool_percent)" 20
        check_eq "$tag: tmpfiles.d line" "$(rv zswap.tmpfiles)" yes
}

if boot "$dir" --ram 512M; then
        ok "s10: first boot at 512M"
        check_boot_sane s10.1
        check_zswap_on s10.1
        [ "$(rv zswap.enabled)" = none ] || check "s10.1: the plan names the compressor" \
                grep -q 'compressor zstd' <(sed -n '/^=== journalctl -b -u memprov$/,/^---/p' "$REPORT")
        check_eq "s10.1: one swap-created record" "$(rv journal.swap_created)" 1
        check_eq "s10.1: its MEMPROV_PATH" "$(rv journal.swap_created.path)" /swapfile
        check_eq "s10.1: its MEMPROV_TIER" "$(rv journal.swap_created.tier)" 512M
        check "s10.1: unit-disabled records" test "$(rv journal.unit_disabled)" -ge 1
        # journalctl -x prints the catalog's subject and its text, both naming the swapfile.
        check "s10.1: journalctl -x explains it (catalog)" \
                grep -q '^░░ Subject: memprov created the swapfile /swapfile$' "$REPORT"
        if boot "$dir" --ram 512M; then
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
if boot "$dir-4g" --ram 4G; then
        ok "s10: first boot at 4G"
        check_boot_sane s10.3
        check "s10.3: zswap off" grep -qx -e 'KV zswap.enabled=N' -e 'KV zswap.enabled=none' "$REPORT"
        check_eq "s10.3: no tmpfiles.d line" "$(rv zswap.tmpfiles)" no
        check_fails "s10.3: no zswap note at 4G" grep -q 'zswap left off' "$REPORT"
else
        not_ok "s10: first boot at 4G"
fi
