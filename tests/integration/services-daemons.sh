#!/bin/bash
# Issue 3: the real daemons started with memprov's drop-ins for the lowest tiers. MariaDB on a
# private datadir and socket reports @@innodb_buffer_pool_size and @@max_connections from the
# drop-in; PHP-FPM with the generated pool runs at most pm.max_children workers under load
# (read from its status page). Everything runs in a private mount namespace with the copied
# configuration bound over /etc; every daemon is stopped and the host's /etc checked unchanged.
[ -n "${MEMPROV_TEST_NS:-}" ] || MEMPROV_TEST_NS=1 exec unshare -m --propagation private bash "$0" "$@"
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/fixtures/services/lib.sh"

for prog in mariadbd mariadb-install-db mariadb mariadb-admin php-fpm8.2 cgi-fcgi; do
        if ! command -v $prog >/dev/null; then
                skip "services-daemons" "$prog not installed (make test-deps)"
                exit 0
        fi
done
before=$(tree_sums /etc/php /etc/mysql)

wait_for_socket() {
        local i
        for ((i = 0; i < 300; i++)); do
                [ -S "$1" ] && return 0
                kill -0 "$2" 2>/dev/null || return 1
                sleep 0.1
        done
        return 1
}

# check_live_to TIER OLD-CNF NEW-CNF SOCKET: memprov's live apply (SET GLOBAL, read back) of a
# larger tier's drop-in on the server running this tier's: tests/unit/test-live.c checks that
# what memprov names live runs the new value and what it names as needing a restart does not.
check_live_to() {
        local out
        printf '[client]\nsocket = %s\n' "$4" >/etc/mysql/conf.d/zz-test-socket.cnf
        out=$(MEMPROV_TEST_MYSQL_TIERS="$2:$3" "$(dirname "$MEMPROV")/unit-tests" mysql_live_names 2>&1)
        rm -f /etc/mysql/conf.d/zz-test-socket.cnf
        echo "$out" | grep -v '^unit:' | sed 's/^ok/# ok/; s/^not ok/# not ok/'
        check "$1: the 4G drop-in set live, each variable read back" \
                grep -q "^ok - mysql_live_names_what_the_server_runs ([1-9][0-9]* checks)" <<<"$out"
}

check_mariadb() {
        local tier=$1 root=$2 next=$3 dir=$SCRATCH/db-$1 cnf pid vals
        cnf=$root/etc/mysql/mariadb.conf.d/99-memprov.cnf
        bind_etc "$root" mysql
        check "$tier: mariadb-install-db with the drop-in" mariadb-install-db --user=root \
                --datadir="$dir/data" --auth-root-authentication-method=socket --skip-test-db
        mariadbd --user=root --datadir="$dir/data" --socket="$dir/sock" --pid-file="$dir/pid" \
                --skip-networking --log-error="$dir/err.log" &
        pid=$!
        at_exit "kill $pid; wait $pid"
        if wait_for_socket "$dir/sock" $pid; then
                vals=$(mariadb --socket="$dir/sock" -N -B -e \
                        'select @@innodb_buffer_pool_size, @@max_connections, @@query_cache_size')
                echo "# $tier mariadbd: pool, max_connections, query_cache_size: $vals;" \
                        "RSS $(ps -o rss= -p $pid) KiB"
                check_eq "$tier: @@innodb_buffer_pool_size" "$(cut -f1 <<<"$vals")" \
                        $(($(dropin_value "$cnf" innodb_buffer_pool_size | tr -d M) * 1048576))
                check_eq "$tier: @@max_connections" "$(cut -f2 <<<"$vals")" \
                        "$(dropin_value "$cnf" max_connections)"
                check_eq "$tier: @@query_cache_size" "$(cut -f3 <<<"$vals")" 0
                [ -n "$next" ] && check_live_to "$tier" "$cnf" "$next" "$dir/sock"
                check "$tier: mariadb stops" mariadb-admin --socket="$dir/sock" shutdown
        else
                not_ok "$tier: mariadbd started ($(tail -3 "$dir/err.log" 2>/dev/null))"
        fi
        kill $pid 2>/dev/null
        wait $pid 2>/dev/null
        DAEMONS+=($pid)
        unbind_etc mysql
}

# fcgi_get SOCKET SCRIPT: one FastCGI GET request, as a web server would send it.
fcgi_get() {
        SCRIPT_NAME=$2 SCRIPT_FILENAME=$2 REQUEST_METHOD=GET QUERY_STRING= \
                cgi-fcgi -bind -connect "$1" 2>/dev/null
}

check_phpfpm() {
        local tier=$1 root=$2 etc=$2/etc/php/8.2/fpm sock=$SCRATCH/fpm-$1.sock pid children i st req
        children=$(dropin_value "$etc/pool.d/zz-memprov.conf" pm.max_children)
        # The copy only: a private socket, pid and log, root workers (-R) and a status page.
        sed -i -e "s|^pid = .*|pid = $SCRATCH/fpm-$tier.pid|" \
                -e "s|^error_log = .*|error_log = $SCRATCH/fpm-$tier.log|" "$etc/php-fpm.conf"
        sed -i -e "s|^listen = .*|listen = $sock|" -e 's/^user = .*/user = root/' \
                -e 's/^group = .*/group = root/' "$etc/pool.d/www.conf"
        echo "pm.status_path = /status" >>"$etc/pool.d/www.conf"
        printf '<?php usleep(3000000); echo "done";\n' >"$SCRATCH/slow.php"
        bind_etc "$root" php
        php-fpm8.2 -F -R >/dev/null 2>&1 &
        pid=$!
        at_exit "kill $pid; wait $pid"
        if wait_for_socket "$sock" $pid; then
                # One at a time: ondemand forks a worker per accept event, not per queued request.
                for ((i = 0; i < children + 3; i++)); do
                        fcgi_get "$sock" "$SCRATCH/slow.php" >/dev/null &
                        sleep 0.1
                done
                wait_jobs_but $pid
                st=$(fcgi_get "$sock" /status)
                echo "# $tier php-fpm status: $(tr '\r\n' '  ' <<<"$st" | tr -s ' ')"
                check_eq "$tier: php-fpm process manager" \
                        "$(sed -n 's/^process manager: *//p' <<<"$st" | tr -d '\r')" ondemand
                check_eq "$tier: php-fpm never above pm.max_children" \
                        "$(sed -n 's/^max active processes: *//p' <<<"$st" | tr -d '\r')" "$children"
                check "$tier: php-fpm reached pm.max_children under load" \
                        grep -Eq '^max children reached: *[1-9]' <<<"$st"
                # --rerun's reload (USR2, as Debian's ExecReload) while a 3 s request runs: with
                # the drop-in's process_control_timeout the request is answered (PHP-FPM's
                # default 0 resets it: modules/phpfpm.c).
                fcgi_get "$sock" "$SCRATCH/slow.php" >"$SCRATCH/reload-$tier.out" &
                req=$!
                sleep 1
                kill -USR2 $pid
                wait $req
                check_eq "$tier: a request in flight across a php-fpm reload is answered" \
                        "$(tail -c 4 "$SCRATCH/reload-$tier.out")" "done"
                # The reload is over once the re-executed master answers: a stop sent while it
                # re-executes is lost (seen: a master that outlived the test).
                for ((i = 0; i < 100; i++)); do
                        grep -q '^pool:' <<<"$(fcgi_get "$sock" /status)" && break
                        sleep 0.1
                done
        else
                not_ok "$tier: php-fpm started ($(tail -3 "$SCRATCH/fpm-$tier.log" 2>/dev/null))"
        fi
        kill $pid 2>/dev/null
        wait $pid 2>/dev/null
        DAEMONS+=($pid)
        unbind_etc php
}

# Waits for every background job except the daemon's pid.
wait_jobs_but() {
        local j
        for j in $(jobs -p); do [ "$j" = "$1" ] || wait "$j"; done
}

DAEMONS=()
for tier in 512M 1G; do
        root=$SCRATCH/root-$tier
        debian_root "$root" event || { not_ok "$tier: fixture"; continue; }
        check "$tier: memprov" "$MEMPROV" --defaults "$DEFAULTS" --root "$root" \
                --assume-ram $tier --set swap.size=none
done
# The 4G tier's drop-in only (no daemons at 4G): the resize scenario 5 makes live in a VM.
debian_root "$SCRATCH/root-4G" event &&
        check "4G: memprov" "$MEMPROV" --defaults "$DEFAULTS" --root "$SCRATCH/root-4G" \
                --assume-ram 4G --set swap.size=none
for tier in 512M 1G; do
        root=$SCRATCH/root-$tier
        [ -d "$root" ] || continue
        # The 1G server also takes the 4G drop-in live, as --rerun does after a resize.
        next=
        [ $tier = 1G ] && next=$SCRATCH/root-4G/etc/mysql/mariadb.conf.d/99-memprov.cnf
        check_mariadb $tier "$root" "$next"
        check_phpfpm $tier "$root"
done
check_eq "the host's /etc is unchanged" "$(tree_sums /etc/php /etc/mysql)" "$before"
alive=0
for pid in "${DAEMONS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=$((alive + 1)); done
check_eq "every daemon stopped (${#DAEMONS[@]} started)" $alive 0
exit $T_FAILED
