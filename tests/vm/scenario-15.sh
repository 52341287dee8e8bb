# shellcheck shell=bash disable=SC2154 # dir (tests/vm/run)
# Scenario 15 (issue 23): the compressed-swap cushion on the kernels VPS run, and the gauges.
# The cloud kernel (no CONFIG_ZSWAP): zram0 from systemd-zram-generator, priority 100 above the
# swapfile, memprov's drop-in in place, swappiness for compressed swap (a database is installed:
# 100), zswap absent; after a reboot the same, with memprov's zstd. The generic kernel (bookworm's
# image only): zswap on with the zsmalloc pool, no zram device (memprov's drop-in sets it to 0).
# Each first boot runs memprov.swaptest=1: a process takes ~90% of RAM, then memprov --status
# writes the gauges, which must show the cushion active and swap written.
check_cushion() { # TAG KERNEL
        local tag=$1 kernel=$2
        check_eq "$tag: generator installed in the image" "$(rv zram.generator)" yes
        check_eq "$tag: memprov's zram-generator drop-in" "$(rv zram.conf)" yes
        check_eq "$tag: swappiness for compressed swap with a database" "$(rv sysctl.swappiness)" 100
        check "$tag: swapfile priority below zram's 100" test "$(rv swapfile.priority)" -lt 100
        if [ "$kernel" = cloud ]; then
                check_eq "$tag: cloud kernel: no zswap" "$(rv zswap.enabled)" none
                check_eq "$tag: zram0 active, priority 100" "$(rv zram.swap)" active:100
                check_eq "$tag: dev-zram0.swap active" "$(rv zram.unit)" active
                check_eq "$tag: gauge: zram active" "$(rv metrics.cushion_zram)" 1
        else
                check_eq "$tag: zswap enabled" "$(rv zswap.enabled)" Y
                check_eq "$tag: zswap pool zsmalloc" "$(rv zswap.zpool)" zsmalloc
                check_eq "$tag: no zram0 swap" "$(rv zram.swap)" ""
                check_eq "$tag: gauge: zswap active" "$(rv metrics.cushion_zswap)" 1
                check_eq "$tag: gauge: zram not active" "$(rv metrics.cushion_zram)" 0
        fi
        check_eq "$tag: metrics file written by --status" "$(rv metrics.file)" yes
        check "$tag: gauge: memory PSI" test -n "$(rv metrics.psi_some_avg10)"
}

KERNELS=(cloud)
[ "$SUITE" = bookworm ] && KERNELS+=(generic)
# MEMPROV_S15_KERNELS="generic": only those halves (each boots twice, 10-30 min in the VM queue).
[ -n "${MEMPROV_S15_KERNELS:-}" ] && read -ra KERNELS <<<"$MEMPROV_S15_KERNELS"
for k in "${KERNELS[@]}"; do
        d=$dir-$k
        rm -rf "$d" "$d.boot.log"
        if boot "$d" --ram 512M --kernel "$k" --append memprov.swaptest=1; then
                ok "s15: $k kernel: first boot at 512M"
                check_boot_sane "s15.$k.1"
                check_cushion "s15.$k.1" "$k"
                check_eq "s15.$k.1: the swap test ran" "$(rv swaptest.done)" yes
                if [ "$k" = cloud ]; then
                        check "s15.$k.1: gauge: pages written to swap (zram)" test "$(rv metrics.swap_out)" -gt 0
                else
                        check "s15.$k.1: pages stored in zswap" test "$(rv zswap.stored_pages_after)" != 0
                fi
                if boot "$d" --ram 512M --kernel "$k"; then
                        ok "s15: $k kernel: second boot of the same disk"
                        check_boot_sane "s15.$k.2"
                        check_cushion "s15.$k.2" "$k"
                        [ "$k" = cloud ] && check_eq "s15.$k.2: zram0 compresses with zstd" "$(rv zram.algorithm)" zstd
                else
                        not_ok "s15: $k kernel: second boot of the same disk"
                fi
        else
                not_ok "s15: $k kernel: first boot at 512M"
        fi
done
