# shellcheck shell=bash disable=SC2154 # dir (tests/vm/run)
# Scenario 10 (issue 12): zswap at 512M on the first boot (live, the plan names the compressor)
# and after a reboot (tmpfiles.d); off at 4G. memprov's journal records at first boot carry their
# MESSAGE_ID and fields, and `journalctl -x` explains them from the installed catalog.
if boot "$dir" --ram 512M; then
        ok "s10: first boot at 512M"
        check_boot_sane s10.1
        check_eq "s10.1: zswap enabled" "$(rv zswap.enabled)" Y
        check_eq "s10.1: compressor zstd" "$(rv zswap.compressor)" zstd
        check_eq "s10.1: max_pool_percent 20" "$(rv zswap.max_pool_percent)" 20
        check_eq "s10.1: tmpfiles.d line" "$(rv zswap.tmpfiles)" yes
        check "s10.1: the plan names the compressor" \
                grep -q 'compressor zstd' <(sed -n '/^=== journalctl -b -u memprov$/,/^---/p' "$REPORT")
        check_eq "s10.1: one swap-created record" "$(rv journal.swap_created)" 1
        check_eq "s10.1: its MEMPROV_PATH" "$(rv journal.swap_created.path)" /swapfile
        check_eq "s10.1: its MEMPROV_TIER" "$(rv journal.swap_created.tier)" 512M
        check "s10.1: unit-disabled records" test "$(rv journal.unit_disabled)" -ge 1
        check_eq "s10.1: journalctl -x explains it (catalog)" "$(rv journal.catalog)" 1
        if boot "$dir" --ram 512M; then
                ok "s10: second boot of the same disk at 512M"
                check_boot_sane s10.2
                check_eq "s10.2: zswap enabled after the reboot" "$(rv zswap.enabled)" Y
                check_eq "s10.2: compressor zstd after the reboot" "$(rv zswap.compressor)" zstd
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
        check_eq "s10.3: zswap off" "$(rv zswap.enabled)" N
        check_eq "s10.3: no tmpfiles.d line" "$(rv zswap.tmpfiles)" no
else
        not_ok "s10: first boot at 4G"
fi
