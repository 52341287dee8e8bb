# shellcheck shell=bash disable=SC2154 # dir (tests/vm/run), GiB (tests/vm/lib.sh)
# Scenario 5: resize. Boot at 1 GiB (provisions), power off, boot the same disk at 4 GiB: the
# boot-time run only notices the change; `memprov --rerun` re-sizes the swapfile (one swapfile
# at the end), re-tiers every drop-in and re-enables the units it had disabled, but not
# proftpd, which the admin disabled before memprov ever ran (user-data bootcmd, first boot
# only); a third run changes nothing.
cat >"$dir.user-data" <<'UD'
#cloud-config
bootcmd:
  - [cloud-init-per, once, admin-disables-proftpd, systemctl, disable, proftpd.service]
UD
if boot "$dir" --ram 1G --user-data "$dir.user-data"; then
        ok "s5: first boot at 1G"
        check_boot_sane s5.1
        check_swap s5.1 "$GiB"
        check_units s5.1 disabled named postgresql mailman3
        # The admin's disable ran after the boot transaction queued proftpd's start job, so it
        # still runs this boot; memprov leaves a unit it did not disable alone.
        check_eq "s5.1: proftpd disabled (by the admin)" "$(rv unit.proftpd.enabled)" disabled
        sums1=$(rv disk_sums)
        managed1=$(rv managed_sums)
        if boot "$dir" --ram 4G --user-data "$dir.user-data" --append memprov.rerun=2; then
                ok "s5: second boot of the same disk at 4G"
                check_boot_sane s5.2
                check_eq "s5.2: the boot-time run changes nothing (only reports)" "$(rv disk_sums)" "$sums1"
                check "s5.2: the boot-time run says to run --rerun" \
                        grep -q -e '--rerun' <(sed -n '/^=== journalctl -b -u memprov$/,/^---/p' "$REPORT")
                check_eq "s5.2: memprov --rerun succeeds" "$(rv rerun.1.rc)" 0
                check_eq "s5.2: memprov --rerun changes the system" "$(rv rerun.1.changed)" yes
                check_swap s5.2 "$((4 * GiB))" rerun.1.
                check_eq "s5.2: vm.swappiness still 10" "$(rv rerun.1.swappiness)" 10
                managed2=$(rv rerun.1.managed_sums)
                for f in /etc/mysql/mariadb.conf.d/99-memprov.cnf /etc/apache2/conf-available/memprov.conf \
                        "/etc/php/$PHPV/fpm/pool.d/zz-memprov.conf"; do
                        a=$(sum_of "$managed1" "$f") b=$(sum_of "$managed2" "$f")
                        if [ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ]; then
                                ok "s5.2: --rerun re-tiers $f"
                        else
                                not_ok "s5.2: --rerun re-tiers $f (before '$a', after '$b')"
                        fi
                done
                echo "# s5.2 mariadb drop-in after --rerun: $(rv rerun.1.mariadb.dropin.innodb_buffer_pool_size)" \
                        "$(rv rerun.1.mariadb.dropin.max_connections)"
                for u in named postgresql mailman3; do
                        check_eq "s5.2: --rerun at 4G re-enables $u (memprov had disabled it)" \
                                "$(rv "rerun.1.unit.$u.enabled")" enabled
                done
                check_eq "s5.2: --rerun leaves proftpd disabled (the admin disabled it)" \
                        "$(rv rerun.1.unit.proftpd.enabled)" disabled
                check_eq "s5.2: a third run succeeds" "$(rv rerun.2.rc)" 0
                check_eq "s5.2: a third run changes nothing" "$(rv rerun.2.changed)" no
        else
                not_ok "s5: second boot of the same disk at 4G"
        fi
else
        not_ok "s5: first boot at 1G"
fi
