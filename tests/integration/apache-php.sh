#!/bin/bash
# Issue 23, Apache's back-pressure live: on a copy of this host's Debian configuration (event MPM,
# proxy_fcgi and php8.2-fpm.conf enabled as a2enmod/a2enconf make them, a second site whose vhost
# sends its PHP to a second pool's socket, the usual multi-site shape), memprov writes its Apache
# conf and PHP-FPM drop-in, and the real apache2 and php-fpm8.2 serve PHP pages through them in a
# private mount and network namespace.
# - memprov's default at 512M writes no fcgi://localhost worker (modules/apache-proxy.c): with
#   the first pool's children all busy and requests queued behind them, the second site's requests
#   are served by the second pool, and nothing is refused (no coupling).
# - With slow pages against the target, a worker per site (named by its DocumentRoot, capped by
#   its own pool's children): requests still reach their own pool through it, the loaded site's
#   cap refuses with a 503 (AH00941) once an Apache child's connections are all taken for longer
#   than acquire, and the other site's requests are served meanwhile (not coupled).
[ -n "${MEMPROV_TEST_NS:-}" ] ||
        MEMPROV_TEST_NS=1 exec unshare -m -n --propagation private bash "$0" "$@"
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/fixtures/services/lib.sh"

for prog in apache2 php-fpm8.2 curl ip; do
        if ! command -v $prog >/dev/null || [ ! -d /etc/apache2/mods-available ]; then
                skip "apache-php" "$prog or /etc/apache2 not installed (make test-deps)"
                exit 0
        fi
done
before=$(tree_sums /etc/apache2 /etc/php)

# memprov_on ARGS: provisions the root at 512M; the plan in R.plan, messages in R.err.
memprov_on() {
        "$MEMPROV" --defaults "$DEFAULTS" --root "$R" --assume-ram 512M --set swap.size=none \
                "$@" >"$R.plan" 2>"$R.err"
}

R=$SCRATCH/root
debian_root "$R" event || not_ok "fixture"
A=$R/etc/apache2
for f in proxy.load proxy.conf proxy_fcgi.load; do ln -s ../mods-available/$f "$A/mods-enabled/$f"; done
ln -s ../conf-available/php8.2-fpm.conf "$A/conf-enabled/php8.2-fpm.conf"
# The second site: its own vhost and pool, as Debian's php-fpm docs and panels set them up.
printf 'Listen 8081\n<VirtualHost *:8081>\n    DocumentRoot /var/www/b\n    <FilesMatch ".+\\.php$">\n        SetHandler "proxy:unix:/run/php/b.sock|fcgi://localhost"\n    </FilesMatch>\n</VirtualHost>\n' \
        >"$A/sites-available/b.conf"
ln -s ../sites-available/b.conf "$A/sites-enabled/b.conf"
F=$R/etc/php/8.2/fpm
printf '[b]\nuser = www-data\ngroup = www-data\nlisten = /run/php/b.sock\nlisten.owner = www-data\nlisten.group = www-data\npm = ondemand\npm.max_children = 5\nenv[POOL] = b\n' \
        >"$F/pool.d/b.conf"
echo 'env[POOL] = www' >>"$F/pool.d/www.conf"
sed -i -e "s|^error_log = .*|error_log = $SCRATCH/fpm.log|" "$F/php-fpm.conf"

check "512M: memprov" memprov_on
M=$A/conf-available/memprov.conf
check "512M default: no fcgi://localhost worker (it would couple the sites)" \
        bash -c "! grep -q '<Proxy' '$M'"
check "512M default: the plan says requests queue in PHP-FPM's backlog" \
        grep -q "wait in its listen backlog, no 503 cap" "$R.plan"
www_children=$(sed -n '/^\[www\]/,/^\[/s/^pm.max_children = //p' "$F/pool.d/zz-memprov.conf")
echo "# www pool: $www_children children"

# The daemons read the root's files: /etc/apache2 and /etc/php bound over the host's, private
# /run/php (the handlers' sockets), logs and run files in the scratch directory.
bind_etc "$R" apache2 php || not_ok "binds"
mount -t tmpfs tmpfs /run/php
mkdir -p "$SCRATCH/log" "$SCRATCH/run" "$SCRATCH/www/html" "$SCRATCH/www/b"
mount --bind "$SCRATCH/www" /var/www || not_ok "www bind"
printf '<?php usleep((int)($_GET["ms"] ?? 0) * 1000); echo getenv("POOL"), "\\n";\n' >/var/www/html/p.php
cp /var/www/html/p.php /var/www/b/p.php
chmod -R a+rX /var/www
ip link set lo up
# shellcheck disable=SC1091
APACHE_CONFDIR=/etc/apache2 . /etc/apache2/envvars
export APACHE_LOG_DIR=$SCRATCH/log APACHE_RUN_DIR=$SCRATCH/run APACHE_LOCK_DIR=$SCRATCH/run \
        APACHE_PID_FILE=$SCRATCH/run/apache2.pid
fpm_pid=/run/php/php8.2-fpm.pid
at_exit "[ -e \$APACHE_PID_FILE ] && apache2 -k stop; [ -e $fpm_pid ] && kill \$(cat $fpm_pid)"
check "apache2 -t accepts memprov.conf" apache2 -t
php-fpm8.2 --fpm-config /etc/php/8.2/fpm/php-fpm.conf -D || not_ok "php-fpm8.2 starts"
apache2 -k start 2>>"$SCRATCH/apache.out" || not_ok "apache2 starts"

# get URL OUT: one request in the background; OUT gets "code seconds body".
get() {
        curl -s -o "$2.body" -w '%{http_code} %{time_total}' --max-time 30 "$1" >"$2"
        printf ' %s\n' "$(head -c 20 "$2.body")" >>"$2"
}
ready() {
        local i
        for ((i = 0; i < 50; i++)); do
                curl -s --max-time 2 http://127.0.0.1/p.php | grep -qx www && return 0
                sleep 0.2
        done
        return 1
}
# load N MS: N concurrent requests for the first site's page that takes MS, the second site's
# page requested one at a time 3 times meanwhile; results in $SCRATCH/{a,b}.
load() {
        local i
        rm -f "$SCRATCH"/a.* "$SCRATCH"/b.*
        for ((i = 0; i < $1; i++)); do get "http://127.0.0.1/p.php?ms=$2" "$SCRATCH/a.$i" & done
        sleep 0.5
        for i in 1 2 3; do get http://127.0.0.1:8081/p.php "$SCRATCH/b.$i"; done
        wait
        cat "$SCRATCH"/a.? "$SCRATCH"/a.?? 2>/dev/null | sort >"$SCRATCH/a"
        cat "$SCRATCH"/b.? | sort >"$SCRATCH/b"
        sed 's/^/# first site: /' "$SCRATCH/a"
        sed 's/^/# second site: /' "$SCRATCH/b"
}
count() { grep -c "^$1 " "$2"; }

check "apache2 and php-fpm answer" ready
check_eq "a page of the first site, served by its pool www" "$(curl -s http://127.0.0.1/p.php)" www
check_eq "a page of the second site, served by its pool b" "$(curl -s http://127.0.0.1:8081/p.php)" b
# Every www child busy for 1 s pages, 4 requests per child: the queue is PHP-FPM's backlog.
n=$((4 * www_children))
load $n 1000
check_eq "no worker: all $n of the first site's requests served (queued, none refused)" \
        "$(grep -c '^200 .* www$' "$SCRATCH/a")" $n
check_eq "no worker: the second site's 3 requests served by pool b meanwhile" \
        "$(grep -c '^200 .* b$' "$SCRATCH/b")" 3

# Slow pages against the target: a worker max=2 acquire=1000 (modules/apache-proxy.c).
check "slow pages: memprov --rerun" memprov_on --rerun \
        --set model.php.page_ms=1000 \
        --set model.php.target_latency_ms=1000
# One worker per site, named by its DocumentRoot (mod_proxy matches worker names as prefixes
# of fcgi://localhost/FILE), max = 2 x its own pool's children x 1 page / 5 Apache children.
check "slow pages: the first site's worker (pool www, $www_children children)" \
        grep -qx "    <Proxy \"fcgi://localhost/var/www/html/\" max=$(((2 * www_children + 4) / 5)) acquire=1000 retry=0>" "$M"
check "slow pages: the second site's own worker (pool b, 5 children)" \
        grep -qx '    <Proxy "fcgi://localhost/var/www/b/" max=2 acquire=1000 retry=0>' "$M"
check "slow pages: no worker shared by every site" \
        bash -c "! grep -q '<Proxy \"fcgi://localhost\"' '$M'"
check "apache2 -t accepts the worker" apache2 -t
apache2 -k stop 2>>"$SCRATCH/apache.out"
for ((i = 0; i < 50; i++)); do [ -e "$APACHE_PID_FILE" ] || break; sleep 0.1; done
apache2 -k start 2>>"$SCRATCH/apache.out" || not_ok "apache2 starts with the worker"
check "apache2 with the worker answers" ready
check_eq "through the worker: the first site's page from pool www" \
        "$(curl -s http://127.0.0.1/p.php)" www
check_eq "through the worker: the second site's page from pool b (no socket in the worker)" \
        "$(curl -s http://127.0.0.1:8081/p.php)" b
# 16 requests of 2 s pages on the first site: an Apache child holds at most max connections to
# its pool, so the rest wait for acquire (1 s) and are refused; the second site's worker is its
# own, so its requests meanwhile are served (session 7, one shared worker: 9 of 20 refused).
load 16 2000
served=$(count 200 "$SCRATCH/a") refused=$(count 503 "$SCRATCH/a")
check "worker: of 16, some served ($served), the rest refused 503 ($refused)" \
        test "$served" -ge 1 -a "$refused" -ge 1 -a $((served + refused)) -eq 16
check "worker: Apache logged AH00941 (no free connection within acquire)" \
        grep -q AH00941 "$SCRATCH/log/error.log"
check_eq "worker: the second site's 3 requests served by pool b meanwhile (its own worker: not coupled)" \
        "$(grep -c '^200 .* b$' "$SCRATCH/b")" 3

apache2 -k stop 2>>"$SCRATCH/apache.out"
kill "$(cat $fpm_pid)"
for ((i = 0; i < 50; i++)); do [ -e "$APACHE_PID_FILE" ] || [ -e $fpm_pid ] || break; sleep 0.1; done
check "apache2 and php-fpm stopped" test ! -e "$APACHE_PID_FILE" -a ! -e $fpm_pid
umount /var/www /run/php /etc/php /etc/apache2
check_eq "the host's /etc/apache2 and /etc/php unchanged" "$(tree_sums /etc/apache2 /etc/php)" "$before"
exit $T_FAILED
