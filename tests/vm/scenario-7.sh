# shellcheck shell=bash disable=SC2154 # dir (tests/vm/run), MiB, GiB (tests/vm/lib.sh)
# Scenario 7 (issue 10): a resize re-tiers at boot. First boot at 1 GiB (provisions; the admin
# adds a MariaDB file of their own and edits memprov's MariaDB OOM drop-in afterwards), then the
# same disk at 512 MiB with no action by anyone: the boot run provisions again
# ([memprov] on_resize = rerun, the default), the 512M tier's values are what MariaDB, Apache
# and PHP-FPM run with, swap matches the 512M policy, and the admin's file and edit are kept.
cat >"$dir.user-data" <<'UD'
#cloud-config
write_files:
  - path: /etc/mysql/mariadb.conf.d/60-admin.cnf
    content: |
      [mysqld]
      log_warnings = 2
runcmd:
  - [sh, -c, 'echo "# the admin was here" >> /etc/systemd/system/mariadb.service.d/50-memprov.conf']
UD
if boot "$dir" --ram 1G --user-data "$dir.user-data"; then
        ok "s7: first boot at 1G"
        check_boot_sane s7.1
        check_eq "s7.1: tier 1G" "$(rv state.tier)" 1G
        check_swap s7.1 "$GiB"
        managed1=$(rv managed_sums)
        php1=$(rv php.dropin)
        admin1=$(rv admin_sums)
        if boot "$dir" --ram 512M --user-data "$dir.user-data"; then
                ok "s7: second boot of the same disk at 512M, nobody ran anything"
                check_boot_sane s7.2
                check_eq "s7.2: the boot run provisioned again (on_resize = rerun)" \
                        "$(rv journal.memprov_resize)" 1
                check_eq "s7.2: tier 512M" "$(rv state.tier)" 512M
                check_swap s7.2 "$((512 * MiB))"
                check_dropins s7.2
                check_live_web s7.2
                check "s7.2: the PHP-FPM pool was re-tiered" test "$(rv php.dropin)" != "$php1"
                # The sizing model at 512M and 2 vCPUs (-smp 2): 5 children, the steady bound
                # (tests/sizing-table; issue 18). 8 at 1G (the cpu bound).
                check "s7.2: PHP-FPM runs the 512M plan's 5 children at most" \
                        grep -q 'pm.max_children = 5;' <<<"$(rv php.parsed)"
                f=/etc/php/8.2/fpm/pool.d/zz-memprov.conf
                check "s7.2: $f changed" test "$(sum_of "$managed1" "$f")" != "$(sum_of "$(rv managed_sums)" "$f")"
                check_eq "s7.2: the admin's own cnf and edited drop-in untouched" \
                        "$(rv admin_sums)" "$admin1"
                check "s7.2: the plan says the edited drop-in was left alone" \
                        grep -q '50-memprov.conf.*left alone' \
                        <(sed -n '/^=== journalctl -b -u memprov$/,/^---/p' "$REPORT")
                echo "# s7.2 php -tt: $(rv php.parsed); mariadb $(rv mariadb); swap $(rv swapfile.bytes)"
        else
                not_ok "s7: second boot of the same disk at 512M"
        fi
else
        not_ok "s7: first boot at 1G"
fi
