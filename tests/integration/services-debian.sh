#!/bin/bash
# Issue 3: for every tier and every Apache MPM, memprov's drop-ins on a copy of the configuration
# apt installed are accepted by the real parsers: apache2ctl -t, php-fpm8.2 -t/-tt (values read
# back), my_print_defaults / mariadbd --print-defaults, systemd-analyze verify. The copies are bound
# over /etc only inside a private mount namespace; the host's /etc is checked unchanged.
# Into the private mount namespace before lib.sh makes its scratch directory: a re-exec after it
# would leave the first one behind.
[ -n "${MEMPROV_TEST_NS:-}" ] || MEMPROV_TEST_NS=1 exec unshare -m --propagation private bash "$0" "$@"
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/fixtures/services/lib.sh"

for prog in apache2ctl php-fpm8.2 my_print_defaults mariadbd systemd-analyze; do
        if ! command -v $prog >/dev/null; then
                skip "services-debian" "$prog not installed (make test-deps)"
                exit 0
        fi
done
before=$(tree_sums /etc/apache2 /etc/php /etc/mysql /etc/systemd/system)

# memprov_on ROOT RAM: provisions the root, quietly; prints the plan to ROOT.plan.
memprov_on() {
        "$MEMPROV" --defaults "$DEFAULTS" --root "$1" --assume-ram "$2" --set swap.size=none \
                >"$1.plan" 2>"$1.err"
}

check_apache() {
        local tier=$1 mpm=$2 root=$SCRATCH/$1-$2 out conf mrw limit tpc
        debian_root "$root" "$mpm" || { not_ok "$tier $mpm: fixture"; return; }
        check "$tier $mpm: memprov" memprov_on "$root" "$tier"
        conf=$root/etc/apache2/conf-available/memprov.conf
        check_eq "$tier $mpm: a2enconf link" "$(readlink "$root/etc/apache2/conf-enabled/memprov.conf")" \
                ../conf-available/memprov.conf
        check_eq "$tier $mpm: only the active MPM" "$(grep -c '<IfModule mpm_' "$conf")" 1
        mrw=$(dropin_value "$conf" MaxRequestWorkers)
        limit=$(dropin_value "$conf" ServerLimit)
        tpc=$(dropin_value "$conf" ThreadsPerChild)
        # One more generation of slots for children finishing gracefully, at every tier and MPM
        # (Apache's event docs, "Graceful process termination and Scoreboard usage"; issue 18:
        # a slot is shared memory, not a process). Prefork: ThreadsPerChild is 1.
        [ "$mpm" = prefork ] && tpc=1
        check_eq "$tier $mpm: ServerLimit = 2 x MaxRequestWorkers/ThreadsPerChild" \
                "$limit" $((2 * mrw / tpc))
        check "$tier $mpm: ServerLimit > MaxRequestWorkers/ThreadsPerChild" test "$limit" -gt $((mrw / tpc))
        bind_etc "$root" apache2
        # AH00558 (no ServerName) is the stock configuration's; anything else is a finding.
        out=$(apache2ctl -t 2>&1 | grep -v AH00558)
        check_eq "$tier $mpm: apache2ctl -t" "$out" "Syntax OK"
        out=$(apache2ctl -t -D DUMP_RUN_CFG 2>&1 | grep -v AH00558 | grep -ci warn)
        check_eq "$tier $mpm: no MPM warnings" "$out" 0
        unbind_etc apache2
}

check_php() {
        local tier=$1 root=$SCRATCH/$1-event conf out
        conf=$root/etc/php/8.2/fpm/pool.d/zz-memprov.conf
        bind_etc "$root" php
        check "$tier: php-fpm8.2 -t" php-fpm8.2 -t
        out=$(php-fpm8.2 -tt 2>&1)
        check_eq "$tier: -tt pm" "$(sed -n 's/.*\tpm = //p' <<<"$out")" "$(dropin_value "$conf" pm)"
        check_eq "$tier: -tt pm.max_children" "$(sed -n 's/.*\tpm.max_children = //p' <<<"$out")" \
                "$(dropin_value "$conf" pm.max_children)"
        check_eq "$tier: -tt pm.max_requests" "$(sed -n 's/.*\tpm.max_requests = //p' <<<"$out")" \
                "$(dropin_value "$conf" pm.max_requests)"
        check_eq "$tier: -tt process.max" "$(sed -n 's/.*\tprocess.max = //p' <<<"$out")" \
                "$(dropin_value "$conf" process.max)"
        # The wall-clock bound at the small tiers (issue 18, item 5); php-fpm's default 0s above.
        check_eq "$tier: -tt request_terminate_timeout" \
                "$(sed -n 's/.*\trequest_terminate_timeout = //p' <<<"$out")" \
                "$(v=$(dropin_value "$conf" request_terminate_timeout); echo "${v:-0s}")"
        # Issue 18: memprov no longer lowers memory_limit; Debian's php.ini (128M) stays in force.
        check_fails "$tier: no memory_limit in the pool drop-in" grep -q memory_limit "$conf"
        check_eq "$tier: -tt memory_limit is Debian's" \
                "$(sed -n 's/.*php_admin_value\[memory_limit\] = //p' <<<"$out")" ""
        unbind_etc php
}

check_mysql() {
        local tier=$1 root=$SCRATCH/$1-event cnf want
        cnf=$root/etc/mysql/mariadb.conf.d/99-memprov.cnf
        want="--innodb_buffer_pool_size=$(dropin_value "$cnf" innodb_buffer_pool_size)"
        bind_etc "$root" mysql
        check "$tier: my_print_defaults reads the drop-in" \
                grep -qx -- "$want" <(my_print_defaults mysqld)
        check "$tier: mariadbd --print-defaults" \
                grep -q -- "--max_connections=$(dropin_value "$cnf" max_connections)" \
                <(mariadbd --print-defaults)
        unbind_etc mysql
}

# unit_dropin ROOT UNIT: memprov's drop-in for UNIT.
unit_dropin() { cat "$1/etc/systemd/system/$2.d/50-memprov.conf"; }

check_units() {
        local tier=$1 root=$SCRATCH/$1-event out
        check "$tier: OOM drop-ins" test -f "$root/etc/systemd/system/mariadb.service.d/50-memprov.conf" -a \
                -f "$root/etc/systemd/system/php8.2-fpm.service.d/50-memprov.conf"
        # The packaged units decide Restart= and OOMPolicy= (read from the copies in the root).
        check_fails "$tier: no drop-in says on-failure" grep -rq on-failure "$root/etc/systemd/system"
        check_fails "$tier: no RestartSec (the packaged one stays)" grep -rq RestartSec "$root/etc/systemd/system"
        check_fails "$tier: mariadb keeps its packaged Restart=on-abnormal" grep -q Restart= \
                <(unit_dropin "$root" mariadb.service)
        check "$tier: apache2 on-abort becomes on-abnormal" grep -qx Restart=on-abnormal \
                <(unit_dropin "$root" apache2.service)
        check_fails "$tier: apache2 already has OOMPolicy=continue" grep -q OOMPolicy \
                <(unit_dropin "$root" apache2.service)
        check "$tier: php-fpm OOMPolicy=continue" grep -qx OOMPolicy=continue \
                <(unit_dropin "$root" php8.2-fpm.service)
        check "$tier: php-fpm Restart=on-abnormal" grep -qx Restart=on-abnormal \
                <(unit_dropin "$root" php8.2-fpm.service)
        # Containment from the model (issue 18, item 4): PHP's cgroup only (no mod_php here).
        check "$tier: php-fpm MemoryHigh" grep -q '^MemoryHigh=[0-9]*M$' <(unit_dropin "$root" php8.2-fpm.service)
        check "$tier: php-fpm MemoryMax" grep -q '^MemoryMax=[0-9]*M$' <(unit_dropin "$root" php8.2-fpm.service)
        check_fails "$tier: no memory limit for apache2 or mariadb" grep -q Memory \
                <(unit_dropin "$root" apache2.service; unit_dropin "$root" mariadb.service)
        check "$tier: the plan says why" grep -q "Restart=on-abnormal (packaged: on-abort)" "$root.plan"
        mount --bind "$root/etc/systemd/system" /etc/systemd/system
        out=$(systemd-analyze verify mariadb.service apache2.service php8.2-fpm.service 2>&1 |
                grep -i memprov)
        check_eq "$tier: systemd-analyze verify accepts the drop-ins" "$out" ""
        umount /etc/systemd/system
        # The control: verify does read the drop-ins and names a bad one.
        [ "$tier" = 512M ] || return
        echo OOMScoreAdjust=bogus >>"$root/etc/systemd/system/mariadb.service.d/50-memprov.conf"
        mount --bind "$root/etc/systemd/system" /etc/systemd/system
        # Read to the end before umount: grep -q on a process substitution returns while
        # systemd-analyze still holds the bind mount busy, and the umount then fails.
        out=$(systemd-analyze verify mariadb.service 2>&1)
        check "systemd-analyze verify reports a bad drop-in" grep -q 50-memprov.conf <<<"$out"
        umount /etc/systemd/system
}

# [services] enabled = no (the load test's swap-and-units-only cell): no service drop-in, no
# budget, and still the OOM drop-ins (their own switch, [oom] enabled).
check_sizing_off() {
        local root=$SCRATCH/sizing-off
        debian_root "$root" event || { not_ok "sizing off: fixture"; return; }
        check "sizing off: memprov" "$MEMPROV" --defaults "$DEFAULTS" --root "$root" --assume-ram 512M \
                --set swap.size=none --set services.enabled=no
        check_fails "sizing off: no MariaDB drop-in" test -e "$root/etc/mysql/mariadb.conf.d/99-memprov.cnf"
        check_fails "sizing off: no Apache drop-in" test -e "$root/etc/apache2/conf-available/memprov.conf"
        check_fails "sizing off: no PHP-FPM drop-in" test -e "$root/etc/php/8.2/fpm/pool.d/zz-memprov.conf"
        check "sizing off: the OOM drop-ins stay" test -s "$root/etc/systemd/system/mariadb.service.d/50-memprov.conf"
        check_fails "sizing off: no budget in the plan" grep -q "budget " \
                <("$MEMPROV" --defaults "$DEFAULTS" --root "$root" --assume-ram 512M --set swap.size=none \
                        --set services.enabled=no --rerun --dry-run 2>&1)
}
check_sizing_off

for tier in 512M 1G 2G 4G 8G 16G 32G 64G; do
        for mpm in prefork worker event; do
                check_apache $tier $mpm
        done
        check_php $tier
        check_mysql $tier
        check_units $tier
done
check_eq "the host's /etc is unchanged" "$(tree_sums /etc/apache2 /etc/php /etc/mysql /etc/systemd/system)" \
        "$before"
exit $T_FAILED
