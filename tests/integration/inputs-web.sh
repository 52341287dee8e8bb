#!/bin/bash
# Issue 18's web inputs: memprov --dry-run --json --root on roots shaped like real hosts
# (tests/fixtures/services/web-shapes.sh) reads what the real daemons read. The pools' values are
# compared with what php-fpm8.2 -tt prints for the same files, each pool's memory_limit with what
# the running php-fpm8.2 serves (ini_get through cgi-fcgi, on the socket memprov read), mod_php's
# ini chain with what php8.2 reads from the same php.ini and conf.d. The copies are bound over
# /etc/php and a tmpfs over /run/php only inside a private mount namespace.
[ -n "${MEMPROV_TEST_NS:-}" ] || MEMPROV_TEST_NS=1 exec unshare -m --propagation private bash "$0" "$@"
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/fixtures/services/lib.sh"
. "$TESTS_DIR/fixtures/services/web-shapes.sh"

for prog in jq php-fpm8.2 php8.2 cgi-fcgi; do
        if ! command -v $prog >/dev/null; then
                skip "inputs-web" "$prog not installed (make test-deps)"
                exit 0
        fi
done
before=$(tree_sums /etc/php /run/php)

# inputs ROOT: the dry run's JSON in ROOT.json, its messages in ROOT.err.
inputs() {
        "$MEMPROV" --defaults "$DEFAULTS" --root "$1" --dry-run --json --assume-ram 1G \
                --assume-cpus 3 --set swap.size=none >"$1.json" 2>"$1.err"
}

# bytes VALUE: PHP's shorthand (128M, 1G, -1) as memprov's JSON gives it.
bytes() {
        case $1 in
        -1) echo -1 ;;
        *[kK]) echo $((${1%?} * 1024)) ;;
        *[mM]) echo $((${1%?} * 1024 * 1024)) ;;
        *[gG]) echo $((${1%?} * 1024 * 1024 * 1024)) ;;
        *) echo "$1" ;;
        esac
}

# --- A panel: two PHP versions, eleven pools in 8.2 -----------------------------------------
R=$SCRATCH/panel
panel_root "$R" || not_ok "panel: fixture"
check "panel: memprov --dry-run --json" inputs "$R"
J() { jq -r "$1" "$R.json"; }
P='.inputs.php[] | select(.version == "8.2")'
check_eq "panel: the PHP-FPM masters" "$(J '[.inputs.php[].version] | join(" ")')" "8.1 8.2"
check_eq "panel: 8.2's pools in php-fpm's order" "$(J "[$P | .pools[].name] | join(\" \")")" \
        "site01 site02 site03 site04 site05 site06 site07 site08 site09 site10 www"
check_eq "panel: process.max, the admin's" \
        "$(J "$P | .process_max | \"\\(.value) \\(.source) \\(.origin)\"")" \
        "40 admin /etc/php/8.2/fpm/php-fpm.conf:14"
check_eq "panel: a pool's own php_admin_value wins over a later file's" \
        "$(J "$P | .pools[] | select(.name == \"site03\") | .memory_limit | \"\\(.value) \\(.source) \\(.origin)\"")" \
        "268435456 admin /etc/php/8.2/fpm/pool.d/site03.conf:7"
check_eq "panel: a later file's pm.max_children wins" \
        "$(J "$P | .pools[] | select(.name == \"site03\") | .max_children | \"\\(.value) \\(.origin)\"")" \
        "20 /etc/php/8.2/fpm/pool.d/zz-panel.conf:2"
check_eq "panel: -1 is no limit, locked" \
        "$(J "$P | .pools[] | select(.name == \"site05\") | \"\\(.memory_limit.value) \\(.memory_limit_locked)\"")" \
        "-1 true"
check_eq "panel: www.conf's pool takes php.ini's limit (Debian's, read through the copy)" \
        "$(J "$P | .pools[] | select(.name == \"www\") | .memory_limit | \"\\(.value) \\(.source) \\(.origin)\"")" \
        "134217728 distro /etc/php/8.2/fpm/php.ini:$(grep -n '^memory_limit' "$R/etc/php/8.2/fpm/php.ini" | cut -d: -f1)"
check_eq "panel: OPcache loaded through phpenmod's absolute link, PHP's default size" \
        "$(J "$P | .opcache | \"\\(.enabled) \\(.memory_consumption.value) \\(.memory_consumption.source)\"")" \
        "true 134217728 default"
check_eq "panel: the 8.1 master's pool" "$(J '.inputs.php[0].pools | map(.name) | join(" ")')" legacy
check "panel: the text plan names the pool's own limit" \
        grep -q "php 8.2 pool site03: memory_limit 256M, php_admin_value" \
        <("$MEMPROV" --defaults "$DEFAULTS" --root "$R" --dry-run --assume-ram 1G --set swap.size=none 2>&1)
check_eq "panel: no warnings" "$(cat "$R.err")" ""

# The same files through php-fpm's own parser: every pool's pm, pm.max_children and listen, and
# the memory_limit php-fpm applies (its lists are printed in the order it applies them: the last
# php_admin_value, else the last php_value).
mount --bind "$R/etc/php" /etc/php && at_exit umount /etc/php
mount -t tmpfs -o mode=0755 tmpfs /run/php && at_exit umount /run/php
tt=$(php-fpm8.2 -tt -y /etc/php/8.2/fpm/php-fpm.conf 2>&1 | sed -E 's/^\[[^]]*\] NOTICE: \t?//')
check "panel: php-fpm8.2 -tt accepts the panel's files" grep -q "test is successful" <<<"$tt"
check_eq "panel: process.max as php-fpm reads it" "$(sed -n 's/^process.max = //p' <<<"$tt")" 40
for pool in $(J "[$P | .pools[].name] | join(\" \")"); do
        block=$(awk -v p="[$pool]" '$0 == p {on = 1; next} /^\[/ {on = 0} on' <<<"$tt")
        want=$(sed -n 's/^php_admin_value\[memory_limit\] = //p' <<<"$block" | tail -1)
        [ -n "$want" ] || want=$(sed -n 's/^php_value\[memory_limit\] = //p' <<<"$block" | tail -1)
        got=$(J "$P | .pools[] | select(.name == \"$pool\") | \"\\(.pm.value) \\(.max_children.value) \\(.listen) \\(.memory_limit.value)\"")
        [ -n "$want" ] || want=$(cut -d' ' -f4 <<<"$got") # the ini chain: checked live below
        check_eq "panel: pool $pool as php-fpm8.2 -tt reads it" "$got" \
                "$(sed -n 's/^pm = //p' <<<"$block") $(sed -n 's/^pm.max_children = //p' <<<"$block") $(sed -n 's/^listen = //p' <<<"$block") $(bytes "$want")"
done

# The running master: each pool's memory_limit as its scripts see it, on the socket memprov read.
# One script per pool: OPcache's optimizer folds ini_get("memory_limit") into the compiled script
# where the pool locked it (php_admin_value), and the pools share OPcache's segment, so one
# script read by every pool showed site03's 256M in site04 and site05 whenever site03 compiled it
# first (php-fpm 8.2.36, half of the runs; never with OPcache off). Each child's limit is its own.
php-fpm8.2 -F -R -y /etc/php/8.2/fpm/php-fpm.conf >/dev/null 2>&1 &
pid=$!
at_exit "kill $pid; wait $pid"
for pool in www site01 site03 site04 site05; do
        sock=$(J "$P | .pools[] | select(.name == \"$pool\") | .listen")
        for ((i = 0; i < 100; i++)); do [ -S "$sock" ] && break; sleep 0.1; done
        printf '<?php echo ini_get("memory_limit");\n' >"$SCRATCH/ml-$pool.php"
        served=$(SCRIPT_FILENAME=$SCRATCH/ml-$pool.php SCRIPT_NAME=/ml.php REQUEST_METHOD=GET \
                cgi-fcgi -bind -connect "$sock" 2>/dev/null | tail -1)
        check_eq "panel: pool $pool serves the memory_limit memprov read" "$(bytes "$served")" \
                "$(J "$P | .pools[] | select(.name == \"$pool\") | .memory_limit.value")"
done
# And the limit is enforced as read, whatever ini_get shows: 150M fits site03's 256M, not
# site04's 96M (PHP's fatal "Allowed memory size exhausted", answered 500).
printf '<?php $s = str_repeat("x", 150 * 1024 * 1024); echo "allocated";\n' >"$SCRATCH/big.php"
for pool in site03:allocated site04:500; do
        got=$(SCRIPT_FILENAME=$SCRATCH/big.php SCRIPT_NAME=/big.php REQUEST_METHOD=GET \
                cgi-fcgi -bind -connect "/run/php/${pool%:*}.sock" 2>/dev/null)
        case $got in *"Status: 500"*) got=500 ;; *allocated) got=allocated ;; esac
        check_eq "panel: pool ${pool%:*} enforces its memory_limit on a 150M string" "$got" "${pool#*:}"
done
kill $pid && wait $pid 2>/dev/null
umount /run/php /etc/php

# --- Apache prefork + mod_php through a2enmod's links ---------------------------------------
R=$SCRATCH/modphp
modphp_root "$R" || not_ok "mod_php: fixture"
check "mod_php: memprov --dry-run --json" inputs "$R"
check_eq "mod_php: detected through mods-enabled's links" \
        "$(J '.inputs.apache | "\(.layout) \(.mpm) \(.mod_php) \(.mod_php_version)"')" \
        "debian prefork true 8.2"
check_eq "mod_php: the apache2 SAPI's memory_limit, the admin's conf.d file" \
        "$(J '.inputs.apache.mod_php_memory_limit | "\(.value) \(.source) \(.origin)"')" \
        "268435456 admin /etc/php/8.2/apache2/conf.d/90-site.ini:1"
check_eq "mod_php: php8.2 reads the same chain" \
        "$(bytes "$(PHP_INI_SCAN_DIR=$R/etc/php/8.2/apache2/conf.d php8.2 -c "$R/etc/php/8.2/apache2/php.ini" \
                -r 'echo ini_get("memory_limit");')")" \
        "$(J '.inputs.apache.mod_php_memory_limit.value')"

# --- nginx -----------------------------------------------------------------------------------
R=$SCRATCH/nginx
nginx_root "$R" || not_ok "nginx: fixture"
check "nginx: memprov --dry-run --json" inputs "$R"
check_eq "nginx: Debian's layout, enabled, auto = the vCPUs, Debian's 768 connections" \
        "$(J '.inputs.nginx | "\(.layout) \(.enabled) \(.worker_processes.value) \(.worker_processes.auto) \(.worker_processes.origin) \(.worker_connections.value)"')" \
        "debian true 3 true /etc/nginx/nginx.conf:2 768"

# --- Bad input: one message each, the value unknown, the run goes on --------------------------
R=$SCRATCH/bad
panel_root "$R" || not_ok "bad: fixture"
printf '[site01]\nthis is not a setting\n' >"$R/etc/php/8.2/fpm/pool.d/site01.conf"
printf '[site02]\nphp_value[memory_limit] = lots\n' >>"$R/etc/php/8.2/fpm/pool.d/site02.conf"
ln -s ../../../../../../../../etc/shadow "$R/etc/php/8.2/fpm/pool.d/evil.conf"
check "bad: memprov --dry-run --json still plans" inputs "$R"
check_eq "bad: the syntax error named once" \
        "$(grep -c 'pool.d/site01.conf:2: not ini syntax' "$R.err")" 1
check_eq "bad: the unreadable limit named once, the pool's limit unknown" \
        "$(grep -c 'site02.conf:[0-9]*: php_value\[memory_limit\] = lots' "$R.err") $(J "$P | .pools[] | select(.name == \"site02\") | .memory_limit.source")" \
        "1 unknown"
check_eq "bad: the link out of the root refused once" \
        "$(grep -c 'evil.conf: a symbolic link on the path leads out of the root' "$R.err")" 1

check_eq "host /etc/php and /run/php unchanged" "$(tree_sums /etc/php /run/php)" "$before"
exit $T_FAILED
