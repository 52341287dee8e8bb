# shellcheck shell=bash disable=SC2154 # kv, section, disk_sums, php_fpm... come from memprov-report
# Issue 10, scenario 5: `memprov --rerun` makes the new tier live. memprov.live_rerun=N on the
# kernel command line runs `memprov --rerun` N times (as memprov.rerun=N does, same KV names),
# the first with an HTTP request loop (Apache -> PHP-FPM) running across it, and after each run
# reads the values back from the live services: MariaDB's variables, Apache's mod_status,
# PHP-FPM's status page, and each service's main PID (a reload keeps it).
live_rerun=0
read -r -a live_words </proc/cmdline
for w in "${live_words[@]}"; do
    case $w in memprov.live_rerun=*) live_rerun=${w#*=} ;; esac
done

# GETs /live.php until /run/http-loop.stop exists; prints "ok=N failed=M" and each failure with
# its wall-clock time (to match the daemons' logs).
http_loop() {
    rm -f /run/http-loop.stop
    python3 - <<'PY'
import datetime, os, urllib.request, urllib.error
ok = failed = 0
errors = []
while not os.path.exists("/run/http-loop.stop"):
    at = datetime.datetime.now().strftime("%H:%M:%S.%f")
    try:
        r = urllib.request.urlopen("http://127.0.0.1/live.php", timeout=30)
        body = r.read()
        if r.status == 200 and body.startswith(b"live"):
            ok += 1
        else:
            failed += 1
            errors.append("%s status %d %r" % (at, r.status, body[:40]))
    except urllib.error.HTTPError as e:
        failed += 1
        errors.append("%s HTTP %d %r" % (at, e.code, e.read()[:120]))
    except Exception as e:
        failed += 1
        errors.append("%s %s" % (at, e))
print("ok=%d failed=%d" % (ok, failed))
for e in errors[:20]:
    print("error: %s" % e)
PY
}

# The drop-in's innodb_buffer_pool_size in bytes (InnoDB resizes in the background), unless
# memprov said the server did not take it (MariaDB 11.8 caps it at innodb_buffer_pool_size_max).
wait_buffer_pool() {
    local v n want live
    grep -q 'needs a restart: .*innodb_buffer_pool_size' /run/rerun.out && return
    v=$(sed -n 's/^innodb_buffer_pool_size *= *//p' /etc/mysql/mariadb.conf.d/99-memprov.cnf)
    n=${v%[KMG]}
    case $v in *K) want=$((n * 1024)) ;; *M) want=$((n * 1048576)) ;; *G) want=$((n * 1073741824)) ;; *) want=$v ;; esac
    for _ in $(seq 120); do
        live=$(mariadb -N -B -e 'SELECT @@innodb_buffer_pool_size' 2>/dev/null)
        [ "$live" = "$want" ] && break
        sleep 0.5
    done
}

main_pids() {
    local u
    for u in mariadb apache2 "$php_fpm"; do
        printf '%s:%s,' "$u" "$(systemctl show -p MainPID --value "$u.service")"
    done
}

if [ "$live_rerun" -gt 0 ]; then
    printf '<?php echo "live ", getmypid(), "\\n";\n' >"$(web_root)/live.php"
    kv live.main_pids_before "$(main_pids)"
    for ((i = 1; i <= live_rerun; i++)); do
        before=$(disk_sums | sha256sum)
        if [ "$i" = 1 ]; then
            loop_start=$(date +%s)
            http_loop >/run/http-loop.out 2>&1 &
            loop_pid=$!
            sleep 3
        fi
        memprov --rerun >/run/rerun.out 2>/run/rerun.err
        rc=$?
        if [ "$i" = 1 ]; then
            sleep 3
            touch /run/http-loop.stop
            wait "$loop_pid"
            kv live.http "$(head -n 1 /run/http-loop.out)"
            section "HTTP loop across memprov --rerun" cat /run/http-loop.out
            # What the web server and PHP-FPM logged while the loop ran: a failed request's cause.
            section "apache2 error.log across the rerun" tail -n 40 /var/log/apache2/error.log
            section "$php_fpm log across the rerun" tail -n 40 "/var/log/$php_fpm.log"
            section "journal of the services across the rerun" journalctl -q --no-pager \
                -o short-precise --since "@$loop_start" -u apache2.service -u "$php_fpm.service" \
                -u mariadb.service
        fi
        after=$(disk_sums | sha256sum)
        kv "rerun.$i.rc" "$rc"
        kv "rerun.$i.changed" "$([ "$before" = "$after" ] && echo no || echo yes)"
        section "memprov --rerun ($i): stdout" cat /run/rerun.out
        section "memprov --rerun ($i): stderr" cat /run/rerun.err
        swap_facts | sed "s/^KV /KV rerun.$i./"
        kv "rerun.$i.managed_sums" "$(managed_sums)"
        mariadb_dropin "rerun.$i."
        for u in "${services[@]}"; do
            kv "rerun.$i.unit.$u.enabled" "$(systemctl is-enabled "$u.service" 2>/dev/null)"
        done
        kv "rerun.$i.disk_sums" "$(disk_sums | sha256sum | cut -c1-16)"
        wait_buffer_pool
        kv "rerun.$i.mariadb" "$(mariadb -N -B -e 'SELECT @@innodb_buffer_pool_size, @@max_connections' 2>/dev/null | tr '\t' ' ')"
        apache_live | sed "s/^KV /KV rerun.$i./"
        fpm_live | sed "s/^KV /KV rerun.$i./"
        kv "rerun.$i.main_pids" "$(main_pids)"
    done
    section "memprov --status after live reruns" memprov --status
fi
