# shellcheck shell=bash disable=SC2154 # dir (tests/vm/run), GiB (tests/vm/lib.sh)
# Scenario 5: resize. Boot at 1 GiB (provisions), power off, boot the same disk at 4 GiB: the
# boot-time run only notices the change (user-data sets [memprov] on_resize = report; the
# default re-tiers at boot, scenario 7); `memprov --rerun` re-sizes the swapfile (one swapfile
# at the end), re-tiers every drop-in and re-enables the units it had disabled, but not
# proftpd, which the admin disabled before memprov ever ran (user-data bootcmd, first boot
# only); a third run changes nothing.
# Issue 10: the rerun makes the new tier live without a reboot: MariaDB runs the new buffer
# pool and max_connections (SET GLOBAL, same main PID), Apache's children run the new
# ThreadsPerChild and PHP-FPM the new pm (graceful reloads through systemd), and an HTTP
# request loop (Apache -> PHP-FPM) running across the rerun sees no failed request. What the
# server does not take live (MariaDB 11.8's buffer pool above its start-up size) memprov names
# as needing a restart, never live.
cat >"$dir.user-data" <<'UD'
#cloud-config
bootcmd:
  - [cloud-init-per, once, admin-disables-proftpd, systemctl, disable, proftpd.service]
memprov:
  on_resize: report
UD
# The tier --rerun wrote is what the running services use, read back from them, no reboot.
check_live_after_rerun() {
        local pids0 pids1 tpc stopping live_sql pool
        pids0=$(rv live.main_pids_before) pids1=$(rv rerun.1.main_pids)
        check_eq "s5.2: HTTP loop across the rerun: no failed request" \
                "$(sed -n 's/.*failed=\([0-9]*\).*/\1/p' <<<"$(rv live.http)")" 0
        check "s5.2: HTTP loop served requests" grep -Eq 'ok=[1-9]' <<<"$(rv live.http)"
        live_sql=$(sed -n '/^=== memprov --rerun (1): stdout$/,/^---/{s/.*service set live .*# //p}' "$REPORT")
        check_eq "s5.2: live MariaDB runs the new max_connections" "$(cut -d' ' -f2 <<<"$(rv rerun.1.mariadb)")" \
                "$(rv rerun.1.mariadb.dropin.max_connections)"
        check "s5.2: the rerun names max_connections live" grep -Eq '^live: ([a-z_]+, )*max_connections[,;]' <<<"$live_sql"
        # MariaDB 10.11.19 (Debian 12) grows the buffer pool live; 11.8 keeps its start-up size
        # (innodb_buffer_pool_size_max, MDEV-29445): either way memprov names what the server runs.
        pool=$(to_bytes "$(rv rerun.1.mariadb.dropin.innodb_buffer_pool_size)")
        if [ "$(cut -d' ' -f1 <<<"$(rv rerun.1.mariadb)")" = "$pool" ]; then
                check "s5.2: the server runs the new buffer pool and the rerun names it live" \
                        grep -Eq '^live: ([a-z_]+, )*innodb_buffer_pool_size[,;]' <<<"$live_sql"
        else
                check "s5.2: the server kept its buffer pool and the rerun names it as needing a restart" \
                        grep -Eq 'needs a restart: ([a-z_]+, )*innodb_buffer_pool_size(,|$)' <<<"$live_sql"
                check_eq "s5.2: the rerun does not name the kept buffer pool live" \
                        "$(grep -Ec '^live: [^;]*innodb_buffer_pool_size' <<<"$live_sql")" 0
        fi
        check "s5.2: MariaDB was not restarted (same main PID)" \
                test "${pids0%%,*}" = "${pids1%%,*}" -a -n "${pids0%%,*}"
        check "s5.2: Apache reloaded, not restarted (same main PID)" \
                test "$(cut -d, -f2 <<<"$pids0")" = "$(cut -d, -f2 <<<"$pids1")"
        tpc=$(rv rerun.1.apache.dropin.ThreadsPerChild) stopping=$(rv rerun.1.apache.live.stopping)
        check_eq "s5.2: live Apache children run the new ThreadsPerChild ($tpc)" \
                "$(($(rv rerun.1.apache.live.workers) / ($(rv rerun.1.apache.live.processes) - ${stopping:-0})))" "$tpc"
        check_eq "s5.2: live PHP-FPM runs the new pm" "$(rv rerun.1.php.live.pm)" \
                "$(sed -n 's/^pm = \([a-z]*\);.*/\1/p' <<<"$(rv rerun.1.php.dropin)")"
        check "s5.2: the rerun's output names what still needs a restart" \
                grep -q 'needs a restart' <(sed -n '/^=== memprov --rerun (1): stdout$/,/^---/p' "$REPORT")
        echo "# s5.2 live after --rerun: mariadb $(rv rerun.1.mariadb); apache $(rv rerun.1.apache.live.processes)" \
                "processes $(rv rerun.1.apache.live.workers) workers; php pm $(rv rerun.1.php.live.pm);" \
                "pids $pids0 -> $pids1; http $(rv live.http)"
}

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
        if boot "$dir" --ram 4G --user-data "$dir.user-data" --append memprov.live_rerun=2; then
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
                check_live_after_rerun

        else
                not_ok "s5: second boot of the same disk at 4G"
        fi
else
        not_ok "s5: first boot at 1G"
fi
