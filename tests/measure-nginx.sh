#!/bin/bash
# nginx's resident cost for the budget ([budget] nginx.base, nginx.worker in conf.d/22-nginx.conf),
# measured (not a test: run by hand as root on Debian with nginx, php8.2-fpm and apache2-utils):
#   tests/measure-nginx.sh [RUNS]
# nginx runs with Debian's packaged /etc/nginx (worker_processes 2 instead of auto, so that two
# workers share the load) plus a PHP site through php8.2-fpm, in a private network and mount
# namespace. Per run: the PSS (/proc/PID/smaps_rollup) of the master and of each worker idle
# after start, then the highest sampled every 0.2 s while ab sends 4000 requests at 64
# concurrent keep-alive connections, half a static file (Debian's index page), half a PHP page of
# 256 KiB (fastcgi buffers, spilled to fastcgi_temp beyond them), and again idle after the load.
# Prints "run phase master_kib worker_kib(max of the workers)".
set -uo pipefail
[ -n "${MEMPROV_MEASURE_NS:-}" ] || MEMPROV_MEASURE_NS=1 exec unshare -n -m --propagation private bash "$0" "$@"
runs=${1:-3}
ip link set lo up
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mount -t tmpfs tmpfs /run && mkdir -p /run/php && mount -t tmpfs tmpfs /var/log && mkdir -p /var/log/nginx
mkdir -p "$scratch/etc" "$scratch/www"
cp -a /etc/nginx "$scratch/etc/" && mount --bind "$scratch/etc/nginx" /etc/nginx
sed -i 's/^worker_processes .*/worker_processes 2;/' /etc/nginx/nginx.conf
rm -f /etc/nginx/sites-enabled/* /etc/nginx/conf.d/memprov.conf
cat >/etc/nginx/sites-enabled/measure <<'SITE'
server {
	listen 127.0.0.1:8080;
	root /var/www/measure;
	location ~ \.php$ {
		include snippets/fastcgi-php.conf;
		fastcgi_pass unix:/run/php/php8.2-fpm.sock;
	}
}
SITE
mkdir -p /var/www/measure 2>/dev/null; mount --bind "$scratch/www" /var/www/measure
cp /var/www/html/index.nginx-debian.html "$scratch/www/index.html" 2>/dev/null ||
        printf '<html>%0600d</html>\n' 0 >"$scratch/www/index.html"
printf '<?php echo str_repeat("x", 262144);\n' >"$scratch/www/big.php"
chmod -R a+rX "$scratch"

pss() { awk '/^Pss:/ {print $2}' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0; }
workers() { pgrep -P "$(cat /run/nginx.pid)"; }
sample() { # PHASE: master and the largest worker now
        local w max=0 v
        for w in $(workers); do v=$(pss "$w"); [ "$v" -gt "$max" ] && max=$v; done
        echo "$(pss "$(cat /run/nginx.pid)") $max"
}

php-fpm8.2 -D || exit 1
for run in $(seq 1 "$runs"); do
        nginx || exit 1
        sleep 2
        echo "$run idle $(sample)"
        : >"$scratch/peak"
        ab -q -k -n 2000 -c 64 http://127.0.0.1:8080/index.html >/dev/null 2>&1 &
        ab -q -k -n 2000 -c 64 http://127.0.0.1:8080/big.php >"$scratch/ab.php" 2>&1 &
        while [ -n "$(jobs -r)" ]; do sample >>"$scratch/peak"; sleep 0.2; done
        wait
        echo "$run loaded $(sort -n -k2 "$scratch/peak" | tail -1)" \
                "(php: $(grep -E -m1 '^Complete requests' "$scratch/ab.php" | tr -s ' '), $(grep -E -m1 '^Failed requests' "$scratch/ab.php" | tr -s ' '), $(grep -E -m1 '^Non-2xx' "$scratch/ab.php" | tr -s ' ' || echo 'no non-2xx'))"
        sleep 2
        echo "$run after $(sample)"
        nginx -s quit 2>/dev/null; sleep 1
done
kill "$(cat /run/php/php8.2-fpm.pid)"
