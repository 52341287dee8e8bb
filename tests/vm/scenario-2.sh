# shellcheck shell=bash disable=SC2154 # dir (tests/vm/run), MiB (tests/vm/lib.sh)
# Scenario 2: 512 MiB RAM, no user-data: as scenario 1 at the smallest tier. Swap, swappiness,
# the drop-ins read back from the live MariaDB, Apache and PHP-FPM, the small tier's groups
# disabled; memprov's budget (lines + OS reserve) fits in RAM; nothing OOM-killed during boot.
if boot "$dir" --ram 512M; then
        ok "s2: boot at 512M, report read back"
        check_boot_sane s2
        check_eq "s2: no 'Killed process' in the kernel log" "$(rv oom_killed)" 0
        check_swap s2 "$((512 * MiB))"
        check_db_swappiness s2
        check_dropins s2
        check_live_web s2
        check_budget s2
        check_units s2 enabled mariadb apache2 "$PHPFPM"
        check_units s2 disabled proftpd named postgresql mailman3
        echo "# s2 mariadb (buffer pool, max_connections): $(rv mariadb); budget $(rv budget)"
else
        not_ok "s2: boot at 512M, report read back"
fi
