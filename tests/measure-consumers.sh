#!/bin/bash
# The resident cost of the other memory consumers in conf.d/25-consumers.conf, measured (not a
# test: run by hand as root on a Debian machine with the packages installed:
#   apt-get install redis-server memcached postfix dovecot-imapd
#   tests/measure-consumers.sh [RUNS]
# Each daemon runs idle as its Debian unit starts it (the packaged configuration), alone in a
# private network namespace (loopback only) and mount namespace, and the PSS of all its processes
# (/proc/PID/smaps_rollup) is added up after it settled. Prints "name runs min max" in KiB.
# Idle means the cost of being there: a cache's data (Redis, memcached) comes on top and is bounded
# by its own setting (maxmemory, -m), which the table names.
set -uo pipefail
[ -n "${MEMPROV_MEASURE_NS:-}" ] || MEMPROV_MEASURE_NS=1 exec unshare -n -m --propagation private bash "$0" "$@"
runs=${1:-3}
ip link set lo up
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# Writable places the daemons expect, private to this namespace.
for d in /run /var/log /var/spool/postfix/pid /var/lib/redis; do
        mkdir -p "$d"
done
mount -t tmpfs tmpfs /run && mount -t tmpfs tmpfs /var/log &&
        mkdir -p /run/redis /run/memcached /run/dovecot && chown redis: /run/redis
# Dovecot's 10-ssl.conf names /etc/dovecot/private/dovecot.pem, which Debian's postinst links to
# ssl-cert's snakeoil pair: a throwaway pair in its place (bound over, in this namespace only).
if [ ! -e /etc/dovecot/private/dovecot.pem ]; then
        mkdir -p "$scratch/private"
        openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
                -keyout "$scratch/private/dovecot.key" -out "$scratch/private/dovecot.pem" 2>/dev/null
        mount --bind "$scratch/private" /etc/dovecot/private
fi

# pss PID...: the sum of Pss: lines, KiB.
pss() {
        local p sum=0 v
        for p in "$@"; do
                v=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null) || continue
                sum=$((sum + ${v:-0}))
        done
        echo "$sum"
}

# descendants PID: PID and every process below it.
descendants() {
        local p=$1 c
        echo "$p"
        for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do descendants "$c"; done
}

measure() { # NAME SETTLE START_COMMAND...: prints the PSS of the tree the command starts
        local name=$1 settle=$2 pid
        shift 2
        "$@" >"$scratch/$name.log" 2>&1 &
        pid=$!
        sleep "$settle"
        pss $(descendants "$pid")
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
}

measure_postfix() { # postfix daemonizes: its master and children (qmgr, pickup)
        local master
        postfix -c /etc/postfix start >/dev/null 2>&1
        sleep 3
        master=$(cat /var/spool/postfix/pid/master.pid 2>/dev/null | tr -d ' ')
        pss $(descendants "$master")
        postfix -c /etc/postfix stop >/dev/null 2>&1
        sleep 1
}

declare -A all
for ((i = 0; i < runs; i++)); do
        all[redis]+=" $(measure redis 2 redis-server /etc/redis/redis.conf --daemonize no \
                --supervised no --logfile '')"
        all[memcached]+=" $(measure memcached 2 /usr/share/memcached/scripts/systemd-memcached-wrapper \
                /etc/memcached.conf)"
        all[dovecot]+=" $(measure dovecot 3 dovecot -F)"
        all[postfix]+=" $(measure_postfix)"
done
for name in redis memcached postfix dovecot; do
        # shellcheck disable=SC2086
        printf '%s %d %s\n' "$name" "$runs" "$(printf '%s\n' ${all[$name]} | sort -n | sed -n '1p;$p' | tr '\n' ' ')"
done
