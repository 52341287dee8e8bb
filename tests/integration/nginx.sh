#!/bin/bash
# Issue 23, nginx in front of PHP-FPM (LEMP): on a copy of this host's Debian configuration with
# nginx 1.22.1 instead of Apache (tests/fixtures/services/web-shapes.sh lemp_root: sites-enabled
# links as the package makes them), memprov gives nginx.service the web role's OOM drop-in,
# writes /etc/nginx/conf.d/memprov.conf (accepted by the real `nginx -t`) and a listen.backlog for
# the pools nginx sends requests to, and only those; EL's layout (an upstream in conf.d, the
# fastcgi_pass in default.d) resolves the same way. Then the real nginx and php-fpm8.2 serve from
# the written files in a private mount and network namespace: with every PHP child busy and the
# queue full, a request is answered 502 at once instead of waiting.
[ -n "${MEMPROV_TEST_NS:-}" ] ||
        MEMPROV_TEST_NS=1 exec unshare -m -n --propagation private bash "$0" "$@"
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/fixtures/services/lib.sh"
. "$TESTS_DIR/fixtures/services/db-shapes.sh"
. "$TESTS_DIR/fixtures/services/web-shapes.sh"

for prog in nginx php-fpm8.2 curl; do
        if ! command -v $prog >/dev/null || [ ! -d /etc/nginx ]; then
                skip "nginx" "$prog or /etc/nginx not installed (make test-deps)"
                exit 0
        fi
done
before=$(tree_sums /etc/nginx /etc/php)

# memprov_on ROOT RAM [ARGS]: provisions the root; the plan in ROOT.plan, messages in ROOT.err.
memprov_on() {
        local root=$1 ram=$2
        shift 2
        "$MEMPROV" --defaults "$DEFAULTS" --root "$root" --assume-ram "$ram" --set swap.size=none \
                "$@" >"$root.plan" 2>"$root.err"
}

# --- Debian: OOM drop-in, the snippet, the backlog of the pool nginx uses ---------------------
R=$SCRATCH/lemp
lemp_root "$R" || not_ok "lemp: fixture"
printf '[site1]\nuser = www-data\ngroup = www-data\nlisten = /run/php/site1.sock\npm = ondemand\npm.max_children = 5\n' \
        >"$R"/etc/php/8.2/fpm/pool.d/site1.conf
check "lemp 512M: memprov" memprov_on "$R" 512M
D=$R/etc/systemd/system/nginx.service.d/50-memprov.conf
check_eq "nginx.service: the web role's OOM score" "$(dropin_value "$D" OOMScoreAdjust)" 300
check_eq "nginx.service: OOMPolicy=continue (Debian's unit has none)" "$(dropin_value "$D" OOMPolicy)" continue
check_eq "nginx.service: Restart=on-abnormal (Debian's unit has none)" "$(dropin_value "$D" Restart)" on-abnormal
check "nginx.service: no memory limit (its cgroup holds no PHP)" \
        bash -c "! grep -q '^Memory' '$D'"
S=$R/etc/nginx/conf.d/memprov.conf
check_eq "snippet: fastcgi_connect_timeout" "$(dropin_value "$S" fastcgi_connect_timeout)" "10s;"
check "snippet: memprov's header" grep -q memprov "$S"
P=$R/etc/php/8.2/fpm/pool.d/zz-memprov.conf
www_children=$(sed -n '/^\[www\]/,/^\[/s/^pm.max_children = //p' "$P")
check_eq "www (nginx's pool): listen.backlog = children x (10 s - 250 ms) / 250 ms" \
        "$(sed -n '/^\[www\]/,/^\[/s/^listen.backlog = //p' "$P")" "$((www_children * 39))"
check_eq "site1 (no fastcgi_pass names it): PHP-FPM's own backlog" \
        "$(sed -n '/^\[site1\]/,/^\[/s/^listen.backlog = //p' "$P")" ""
check "no Apache drop-in" test ! -e "$R"/etc/apache2
check "admin's files untouched: sites-enabled/lemp still a link" \
        test "$(readlink "$R"/etc/nginx/sites-enabled/lemp)" = /etc/nginx/sites-available/lemp
check_eq "no warning" "$(cat "$R.err")" ""

# A pool's backlog counts the children that can run: its pm.max_children (the admin's 10),
# at most the master's process.max (the admin's 3): 3 x 3 s / 250 ms, not 10 x 12.
R2=$SCRATCH/lemp-cap
cp -a "$R" "$R2"
sed -i 's|^;\{0,1\} *process.max = .*|process.max = 3|' "$R2"/etc/php/8.2/fpm/php-fpm.conf
printf '[www]\npm.max_children = 10\n' >"$R2"/etc/php/8.2/fpm/pool.d/zz-admin.conf
check "process.max 3: memprov" memprov_on "$R2" 512M --rerun
check_eq "process.max 3: www's backlog counts 3 children, not its 10" \
        "$(sed -n '/^\[www\]/,/^\[/s/^listen.backlog = //p' "$R2"/etc/php/8.2/fpm/pool.d/zz-memprov.conf)" 117

# The real nginx reads the written snippet (http level) with the package's files.
mount --bind "$R"/etc/nginx /etc/nginx
mkdir -p "$SCRATCH/log" "$SCRATCH/www" && mount --bind "$SCRATCH/log" /var/log/nginx
mount -t tmpfs tmpfs /run && mkdir -p /run/php
check "nginx -t accepts memprov.conf" nginx -t -q
check_eq "nginx -T: fastcgi_connect_timeout in http, once" \
        "$(nginx -T 2>/dev/null | grep -c '^fastcgi_connect_timeout 10s;')" 1

# --- The refusal, live: one PHP child, a queue of one, pages that take 1 s --------------------
# The wait (10 s - 3 s) / php.page_ms 3000 ms x 1 child = listen.backlog 3; Linux admits 4.
printf '[www]\npm.max_children = 1\n' >"$R"/etc/php/8.2/fpm/pool.d/zz-admin.conf
check "live: memprov --rerun (one child)" memprov_on "$R" 512M --rerun --set model.php.page_ms=3000
check_eq "live: www listen.backlog 3" "$(sed -n '/^\[www\]/,/^\[/s/^listen.backlog = //p' "$P")" 3
mount --bind "$R"/etc/php /etc/php
mkdir -p /var/www/lemp 2>/dev/null; mount --bind "$SCRATCH/www" /var/www/lemp
printf '<?php usleep(1000000); echo "done\\n";\n' >"$SCRATCH/www/index.php"
ip link set lo up
php-fpm8.2 --fpm-config /etc/php/8.2/fpm/php-fpm.conf -D || not_ok "live: php-fpm8.2 starts"
nginx || not_ok "live: nginx starts"
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -S /run/php/php8.2-fpm.sock ] && break; sleep 0.2; done
for i in 1 2 3 4 5 6 7 8; do
        curl -s -o /dev/null -w '%{http_code} %{time_total}\n' --max-time 20 \
                http://127.0.0.1:8080/index.php >"$SCRATCH/r$i" &
done
wait
cat "$SCRATCH"/r? | sort >"$SCRATCH/results"
sed 's/^/# /' "$SCRATCH/results"
served=$(grep -c '^200 ' "$SCRATCH/results")
refused=$(grep -c '^502 ' "$SCRATCH/results")
check "live: 8 requests on 1 child: some served ($served), the rest refused 502 ($refused)" \
        test "$served" -ge 1 -a "$refused" -ge 1 -a $((served + refused)) -eq 8
check "live: every 502 came back within 0.5 s (not after a wait)" \
        awk '$1 == 502 && $2 >= 0.5 { bad = 1 } END { exit bad }' "$SCRATCH/results"
check "live: nginx logged the full queue (EAGAIN)" \
        grep -q 'Resource temporarily unavailable' "$SCRATCH/log/error.log"

# --- listen.backlog reaches PHP-FPM at a restart, not at a reload (modules/phpfpm-live.c) -----
# ss -lx: a listening socket's Send-Q is its backlog. (10 s - 600 ms) / 600 ms x 1 child = 16.
backlog() { ss -lxn | awk '$5 == "/run/php/php8.2-fpm.sock" { print $4 }'; }
check_eq "reload: php-fpm listens with memprov's backlog 3" "$(backlog)" 3
check "reload: memprov --rerun (backlog 16)" memprov_on "$R" 512M --rerun --set model.php.page_ms=600
check_eq "reload: www listen.backlog 16 written" "$(sed -n '/^\[www\]/,/^\[/s/^listen.backlog = //p' "$P")" 16
kill -USR2 "$(cat /run/php/php8.2-fpm.pid)"
sleep 1.5 # the master re-executes itself and starts its pools again
check "reload: php-fpm still runs" kill -0 "$(cat /run/php/php8.2-fpm.pid)"
check_eq "reload (USR2): the old queue stays (socket inherited, no listen())" "$(backlog)" 3
kill -QUIT "$(cat /run/php/php8.2-fpm.pid)"
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -S /run/php/php8.2-fpm.sock ] || break; sleep 0.2; done
php-fpm8.2 --fpm-config /etc/php/8.2/fpm/php-fpm.conf -D || not_ok "restart: php-fpm8.2 starts"
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -S /run/php/php8.2-fpm.sock ] && break; sleep 0.2; done
check_eq "restart: the new backlog 16" "$(backlog)" 16
kill "$(cat /run/nginx.pid)" "$(cat /run/php/php8.2-fpm.pid)" 2>/dev/null
sleep 0.3
umount /var/www/lemp /etc/php /run /var/log/nginx /etc/nginx

# --- nginx installed, not enabled (Apache's host with nginx pulled in): not budgeted, its ----
# pools keep PHP-FPM's backlog; the OOM drop-in and the snippet stay (inert until enabled).
R=$SCRATCH/disabled
lemp_root "$R" || not_ok "disabled: fixture"
rm "$R"/etc/systemd/system/multi-user.target.wants/nginx.service
check "disabled: memprov --dry-run --json" memprov_on "$R" 512M --dry-run --json
check_eq "disabled: inputs say not enabled" "$(jq -r .inputs.nginx.enabled "$R.plan")" false
check_eq "disabled: no nginx line in the budget" \
        "$(jq -r '[.budget.lines[] | select(.id == "nginx")] | length' "$R.plan")" 0
check "disabled: memprov" memprov_on "$R" 512M
check_eq "disabled: www keeps PHP-FPM's backlog" \
        "$(sed -n '/^\[www\]/,/^\[/s/^listen.backlog = //p' "$R"/etc/php/8.2/fpm/pool.d/zz-memprov.conf)" ""
check "disabled: the OOM drop-in still written" \
        test -s "$R"/etc/systemd/system/nginx.service.d/50-memprov.conf
R=$SCRATCH/enabled
lemp_root "$R" || not_ok "enabled: fixture"
check "enabled: memprov --dry-run --json" memprov_on "$R" 512M --dry-run --json --assume-cpus 2
check_eq "enabled: nginx budgeted, 1M + 2 workers x 3M" \
        "$(jq -r '.budget.lines[] | select(.id == "nginx") | .total_bytes' "$R.plan")" $((7 * 1048576))

# --- nginx.conf without conf.d in http: no snippet, a note ------------------------------------
R=$SCRATCH/noconfd
lemp_root "$R" || not_ok "noconfd: fixture"
sed -i '/conf.d\/\*.conf/d' "$R"/etc/nginx/nginx.conf
check "noconfd: memprov" memprov_on "$R" 1G
check "noconfd: no memprov.conf" test ! -e "$R"/etc/nginx/conf.d/memprov.conf
check "noconfd: the plan says why" grep -q 'does not include /etc/nginx/conf.d/' "$R.plan"

# --- EL: an upstream in conf.d, fastcgi_pass to it in default.d -------------------------------
R=$SCRATCH/el
cp -a "$TESTS_DIR/fixtures/el" "$R" || not_ok "el: fixture"
mkdir -p "$R"/usr/sbin "$R"/etc/nginx/conf.d "$R"/etc/nginx/default.d "$R"/usr/lib/systemd/system
touch "$R"/usr/sbin/nginx "$R"/etc/nginx/fastcgi_params
cp /lib/systemd/system/nginx.service "$R"/usr/lib/systemd/system/
# EL 9's nginx.conf and php-fpm's nginx files, as the packages ship them (abridged).
printf 'user nginx;\nworker_processes auto;\nevents {\n    worker_connections 1024;\n}\nhttp {\n    include /etc/nginx/conf.d/*.conf;\n    server {\n        listen 80;\n        include /etc/nginx/default.d/*.conf;\n    }\n}\n' \
        >"$R"/etc/nginx/nginx.conf
mkdir -p "$R"/etc/systemd/system/multi-user.target.wants
ln -s /usr/lib/systemd/system/nginx.service "$R"/etc/systemd/system/multi-user.target.wants/
printf 'upstream php-fpm {\n    server unix:/run/php-fpm/www.sock;\n}\n' >"$R"/etc/nginx/conf.d/php-fpm.conf
printf 'index index.php;\nlocation ~ \\.php$ {\n    fastcgi_pass php-fpm;\n    include fastcgi_params;\n}\n' \
        >"$R"/etc/nginx/default.d/php.conf
check "el: memprov" memprov_on "$R" 1G
check "el: memprov.conf written" test -s "$R"/etc/nginx/conf.d/memprov.conf
check "el: nginx.service drop-in" test -s "$R"/etc/systemd/system/nginx.service.d/50-memprov.conf
EP=$(ls "$R"/etc/php-fpm.d/zz-memprov.conf 2>/dev/null)
check "el: www (the upstream's socket) gets a listen.backlog" \
        test -n "$(sed -n '/^\[www\]/,/^\[/s/^listen.backlog = //p' "$EP")"
check_eq "el: shop (not nginx's) does not" "$(sed -n '/^\[shop\]/,/^\[/s/^listen.backlog = //p' "$EP")" ""

check_eq "host /etc/nginx and /etc/php unchanged" "$(tree_sums /etc/nginx /etc/php)" "$before"
exit $T_FAILED
