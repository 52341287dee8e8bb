#!/bin/bash
# Issue 3: the EL layout (tests/fixtures/el: /etc/httpd with 00-mpm.conf, /etc/php-fpm.d with two
# pools, MySQL in /usr/libexec with /etc/my.cnf.d) under --root for every tier, and the MySQL 8
# rule on a Debian layout whose dpkg status (tests/fixtures/services) names MySQL 8.0. EL's
# letter-named cnf files are checked with the real my_print_defaults and mariadbd on an overlay
# of /etc in a private mount namespace.
[ -n "${MEMPROV_TEST_NS:-}" ] || MEMPROV_TEST_NS=1 exec unshare -m --propagation private bash "$0" "$@"
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/fixtures/services/lib.sh"
. "$TESTS_DIR/fixtures/services/db-shapes.sh"

FIXTURE=$TESTS_DIR/fixtures/el
fixture_before=$(tree_sums "$FIXTURE")

provision() {
        "$MEMPROV" --defaults "$DEFAULTS" --root "$1" --assume-ram "$2" --set swap.size=none "${@:3}"
}

check_el_tier() {
        local tier=$1 root=$SCRATCH/el-$1 conf pool cnf mrw limit tpc
        cp -a "$FIXTURE" "$root"
        check "el $tier: memprov" provision "$root" "$tier"
        conf=$root/etc/httpd/conf.d/memprov.conf
        pool=$root/etc/php-fpm.d/zz-memprov.conf
        cnf=$root/etc/my.cnf.d/99-memprov.cnf
        check "el $tier: event block from 00-mpm.conf" grep -qx '<IfModule mpm_event_module>' "$conf"
        check_eq "el $tier: one MPM block" "$(grep -c '<IfModule mpm_' "$conf")" 1
        # EL's php-fpm.conf hands PHP to "proxy:unix:/run/php-fpm/www.sock|fcgi://localhost":
        # the same worker name as Debian's, so the same back-pressure worker (issues 9, 23). With
        # real-vCPU page times no cap is written (it would only couple the sites); with slow
        # pages (qemu TCG's 3 s) the worker is written, its acquire from the 10 s target.
        # 250 ms pages: no cap up to 4G; above, Apache admits far more than 8 PHP children finish
        # in the target, and the worker's acquire is 10 s - 20 pages x 250 ms (php.page_ms).
        check_eq "el $tier: any back-pressure worker waits 10 s - 20 x 250 ms" \
                "$(grep 'fcgi://' "$conf" | grep -vc 'acquire=5000 retry=0>$')" 0
        cp -a "$FIXTURE" "$root-slow"
        check "el $tier: slow pages" provision "$root-slow" "$tier" \
                --set model.php.page_ms=3000
        check "el $tier: Apache's back-pressure worker to PHP-FPM" grep -Eq \
                '^    <Proxy "fcgi://localhost" max=[1-9][0-9]* acquire=7000 retry=0>$' \
                "$root-slow/etc/httpd/conf.d/memprov.conf"
        mrw=$(dropin_value "$conf" MaxRequestWorkers)
        limit=$(dropin_value "$conf" ServerLimit)
        tpc=$(dropin_value "$conf" ThreadsPerChild)
        check "el $tier: MaxRequestWorkers/ThreadsPerChild <= ServerLimit <= twice that" \
                test "$limit" -ge $((mrw / tpc)) -a "$limit" -le $((2 * mrw / tpc))
        check "el $tier: no a2enconf link on EL" test ! -e "$root/etc/httpd/conf-enabled"
        check_eq "el $tier: [global] then both pools repeated" "$(grep -E '^\[' "$pool" | tr '\n' ' ')" \
                "[global] [shop] [www] "
        check_eq "el $tier: a reload waits for requests in flight" \
                "$(sed -n '/^\[global\]/,/^\[/s/^process_control_timeout = //p' "$pool")" 30s
        check "el $tier: [mysqld] in my.cnf.d" grep -qx '\[mysqld\]' "$cnf"
        check_fails "el $tier: unknown MySQL version, no query cache" grep -q query_cache "$cnf"
        for unit in httpd mysqld php-fpm; do
                check "el $tier: $unit drop-in" \
                        grep -q '^OOMScoreAdjust=' "$root/etc/systemd/system/$unit.service.d/50-memprov.conf"
                # The fixture's units carry no Restart=: on-abnormal everywhere.
                check "el $tier: $unit Restart=on-abnormal" grep -qx 'Restart=on-abnormal' \
                        "$root/etc/systemd/system/$unit.service.d/50-memprov.conf"
        done
        check "el $tier: no drop-in for sshd (it protects its own listener)" \
                test ! -e "$root/etc/systemd/system/sshd.service.d/50-memprov.conf"
        check "el $tier: OOMPolicy=continue for httpd and php-fpm" grep -qx OOMPolicy=continue \
                "$root/etc/systemd/system/httpd.service.d/50-memprov.conf" \
                "$root/etc/systemd/system/php-fpm.service.d/50-memprov.conf"
        # Containment from the model (issue 18, item 4): PHP's cgroup only.
        check "el $tier: php-fpm MemoryHigh" grep -q '^MemoryHigh=[0-9]*M$' \
                "$root/etc/systemd/system/php-fpm.service.d/50-memprov.conf"
        check "el $tier: php-fpm MemoryMax" grep -q '^MemoryMax=[0-9]*M$' \
                "$root/etc/systemd/system/php-fpm.service.d/50-memprov.conf"
        check_fails "el $tier: no memory limit for httpd (no mod_php) or mysqld" grep -q Memory \
                "$root/etc/systemd/system/httpd.service.d/50-memprov.conf" \
                "$root/etc/systemd/system/mysqld.service.d/50-memprov.conf"
        check "el $tier: a second run changes nothing" \
                bash -c "'$MEMPROV' --defaults '$DEFAULTS' --root '$root' --assume-ram $tier \
                        --set swap.size=none --rerun | grep -Eq '^  file +(written|linked)' && exit 1 || exit 0"
}

for tier in 512M 1G 2G 4G 8G 16G 32G 64G; do
        check_el_tier $tier
done

# prefork on EL: the uncommented LoadModule decides.
root=$SCRATCH/el-prefork
cp -a "$FIXTURE" "$root"
sed -i -e 's/^LoadModule mpm_event/#LoadModule mpm_event/' \
        -e 's/^#LoadModule mpm_prefork/LoadModule mpm_prefork/' "$root/etc/httpd/conf.modules.d/00-mpm.conf"
check "el prefork: memprov" provision "$root" 1G
check "el prefork: prefork block" grep -qx '<IfModule mpm_prefork_module>' \
        "$root/etc/httpd/conf.d/memprov.conf"

# Budget in --json and the text table; memory_high = no leaves MemoryHigh out.
root=$SCRATCH/el-json
cp -a "$FIXTURE" "$root"
out=$(provision "$root" 512M --dry-run --json)
check "el: --json carries the budget" grep -Eq '"budget": ?\{' <<<"$out"
check "el: --json budget lines" grep -Eq '"setting": ?"pm.max_children"' <<<"$out"
check "el: --json names the bound" grep -Eq '"bound": ?"(cpu|steady|burst|floor)"' <<<"$out"
out=$(provision "$root" 512M --dry-run)
check "el: --dry-run budget table" grep -Eq '^  budget  sum .* of 512M RAM' <<<"$out"
check "el: --dry-run changed nothing" test ! -e "$root/etc/php-fpm.d/zz-memprov.conf"
check "el: oom.memory_high = no" provision "$root" 1G --set oom.memory_high=no
check_fails "el: no MemoryHigh for php-fpm" grep -q '^MemoryHigh=' \
        "$root/etc/systemd/system/php-fpm.service.d/50-memprov.conf"
check "el: MemoryMax stays" grep -q '^MemoryMax=[0-9]*M$' \
        "$root/etc/systemd/system/php-fpm.service.d/50-memprov.conf"
check "el: oom.ssh set by the admin is written" provision "$root" 1G --rerun --set oom.ssh=-500
check "el: sshd drop-in on request" grep -qx OOMScoreAdjust=-500 \
        "$root/etc/systemd/system/sshd.service.d/50-memprov.conf"
out=$(provision "$root" 1G --rerun)
check "el: without oom.ssh the sshd drop-in is removed" \
        test ! -e "$root/etc/systemd/system/sshd.service.d/50-memprov.conf"
check "el: ... and the plan says sshd must restart for logins" grep -q "after sshd restarts" <<<"$out"
check_fails "el: a bad OOMScoreAdjust is refused" provision "$root" 1G --set oom.php=2000
# Tier keys hold dots ("php.pm"), which --set SECTION.KEY=VALUE cannot address: use a file.
mkdir -p "$root/etc/memprov/conf.d"
printf '[tier 1G]\nphp.pm = lazy\n' >"$root/etc/memprov/conf.d/50-test.conf"
out=$(provision "$root" 1G 2>&1)
check "el: a bad pm is refused with file:line" grep -q "50-test.conf:2: invalid value for tier 1G.php.pm" <<<"$out"
printf '[tier 1G]\nphp.max_children = 1\n' >"$root/etc/memprov/conf.d/50-test.conf"
check "el: a tier value overridden in /etc/memprov" provision "$root" 1G --rerun
check_eq "el: overridden max_children (a cap on the master's children)" "$(dropin_value "$root/etc/php-fpm.d/zz-memprov.conf" process.max)" 1

# MySQL 8.0 named by dpkg's status: no query_cache options (the server would refuse to start).
root=$SCRATCH/mysql8
mkdir -p "$root/etc/mysql/mysql.conf.d" "$root/usr/sbin" "$root/var/lib/dpkg"
cp /dev/null "$root/usr/sbin/mysqld"
: >"$root/etc/fstab"
echo 12.0 >"$root/etc/debian_version"
cp "$TESTS_DIR/fixtures/services/dpkg-status-mysql8" "$root/var/lib/dpkg/status"
out=$(provision "$root" 1G 2>&1)
check "mysql8: drop-in in mysql.conf.d" test -f "$root/etc/mysql/mysql.conf.d/99-memprov.cnf"
check_fails "mysql8: no query_cache options" grep -q query_cache "$root/etc/mysql/mysql.conf.d/99-memprov.cnf"
check "mysql8: says why" grep -q 'MySQL 8.0 removed the query cache' <<<"$out"

# EL's MariaDB (issue 18): /etc/my.cnf includes /etc/my.cnf.d, whose packaged files are named
# with a letter and so are read after 99-memprov.cnf (the server reads a directory's *.cnf in
# strcmp order: modules/mysql-cnf.c). As shipped they set no option memprov sizes, so every
# value memprov writes is the server's; an option the admin adds to mariadb-server.cnf (where EL
# points admins) wins, memprov leaves it out, budgets it and says why. The real my_print_defaults
# and mariadbd --print-defaults read the tree's /etc/my.cnf and my.cnf.d from an overlay of /etc
# (the host's /etc/mysql hidden there), in this private mount namespace only.
# server_last KEY: the last value of KEY the real server reads for [mysqld] and its groups.
server_last() {
        my_print_defaults --mysqld | sed -n "s/^--$1=//p" | tail -1
}
el_mariadb_checks() {
        local root=$SCRATCH/el-mariadb ovl=$SCRATCH/etc-ovl cnf key out want
        cp -a "$FIXTURE" "$root" && rm -f "$root"/usr/libexec/mysqld "$root"/etc/my.cnf.d/* &&
                db_el_mariadb "$root" && rm -f "$root"/etc/my.cnf.d/galera-admin.cnf &&
                printf '[client]\n\n[client-mariadb]\n' >"$root"/etc/my.cnf.d/client.cnf ||
                return 1
        mkdir -p "$ovl" && mount -t tmpfs tmpfs "$ovl" && mkdir "$ovl"/u "$ovl"/w &&
                mount -t overlay overlay -o lowerdir=/etc,upperdir="$ovl"/u,workdir="$ovl"/w /etc ||
                return 1
        at_exit "umount -l '$ovl'"
        rm -rf /etc/mysql
        cnf=$root/etc/my.cnf.d/99-memprov.cnf
        check "el mariadb: memprov" provision "$root" 1G
        rm -rf /etc/my.cnf /etc/my.cnf.d && cp -a "$root"/etc/my.cnf "$root"/etc/my.cnf.d /etc/
        for key in innodb_buffer_pool_size max_connections key_buffer_size table_open_cache; do
                want=$(dropin_value "$cnf" $key)
                [ -n "$want" ] || continue
                check_eq "el mariadb: the server reads memprov's $key" "$(server_last $key)" "$want"
        done
        check "el mariadb: mariadbd --print-defaults has memprov's max_connections last" bash -c \
                "mariadbd --print-defaults | tr ' ' '\n' | grep -- '^--max_connections=' | tail -1 |
                grep -qx -- '--max_connections=$(dropin_value "$cnf" max_connections)'"
        # The admin sets max_connections in mariadb-server.cnf: it wins over memprov's.
        sed -i 's/^pid-file=.*/&\nmax_connections = 300/' "$root"/etc/my.cnf.d/mariadb-server.cnf
        out=$(provision "$root" 1G --rerun 2>&1)
        check_fails "el mariadb: memprov leaves the admin's max_connections out" \
                grep -q '^max_connections' "$cnf"
        check "el mariadb: ... and says why" grep -qF "database: max_connections = 300 \
($root/etc/my.cnf.d/mariadb-server.cnf:8) is read after memprov's drop-in and wins (the server \
reads /etc/my.cnf.d's *.cnf in byte order: mariadb-server.cnf after 99-memprov.cnf)" <<<"$out"
        check "el mariadb: the budget counts 300 connections, bound admin" grep -Eq \
                '^  budget  mariadb +max_connections +300 .* admin$' <<<"$out"
        rm -rf /etc/my.cnf.d && cp -a "$root"/etc/my.cnf.d /etc/
        check_eq "el mariadb: the server reads the admin's 300" "$(server_last max_connections)" 300
        check_eq "el mariadb: ... and memprov's pool" "$(server_last innodb_buffer_pool_size)" \
                "$(dropin_value "$cnf" innodb_buffer_pool_size)"
}
if command -v my_print_defaults >/dev/null && command -v mariadbd >/dev/null; then
        host_etc=$(tree_sums /etc/mysql)
        el_mariadb_checks || not_ok "el mariadb: fixture and overlay of /etc"
        umount -l /etc 2>/dev/null
        check_eq "host /etc/mysql unchanged" "$(tree_sums /etc/mysql)" "$host_etc"
else
        skip "el mariadb" "my_print_defaults or mariadbd not installed (make test-deps)"
fi

check_eq "the fixture is unchanged" "$(tree_sums "$FIXTURE")" "$fixture_before"
exit $T_FAILED
