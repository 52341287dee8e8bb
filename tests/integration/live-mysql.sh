#!/bin/bash
# Issue 10: --rerun sets the database's changed dynamic variables live through the server's own
# client, and names what needs a restart. A private mariadbd (its own datadir and socket, no
# network) answers; tests/unit/test-live.c drives memprov's code against it. The client finds
# the private socket as on a real machine, through /etc/mysql ([client] socket), here a scratch
# copy bound over /etc/mysql inside a private mount namespace.
[ -n "${MEMPROV_TEST_NS:-}" ] || MEMPROV_TEST_NS=1 exec unshare -m --propagation private bash "$0" "$@"
. "$(dirname "$0")/../lib.sh"

UNIT_TESTS=$(dirname "$MEMPROV")/unit-tests
for prog in mariadb-install-db /usr/sbin/mariadbd /usr/bin/mariadb; do
        if ! command -v $prog >/dev/null; then
                skip "live-mysql" "$prog not installed (make test-deps)"
                exit 0
        fi
done
[ "$(id -u)" = 0 ] || { skip "live-mysql" "needs root (mariadbd --user=root)"; exit 0; }

DB=$SCRATCH/db SOCK=$SCRATCH/mysqld.sock
mkdir -p "$DB" "$SCRATCH/etc-mysql"
printf '[client]\nsocket = %s\n' "$SOCK" >"$SCRATCH/etc-mysql/my.cnf"
mount --bind "$SCRATCH/etc-mysql" /etc/mysql || { not_ok "bind /etc/mysql"; exit 1; }
mariadb-install-db --no-defaults --datadir="$DB" --user=root --auth-root-authentication-method=socket \
        >"$SCRATCH/install.log" 2>&1 || { not_ok "mariadb-install-db"; cat "$SCRATCH/install.log"; exit 1; }
# A server with innodb_buffer_pool_size_max (MariaDB 10.11.12 / 11.4.6 / 11.8.2 and later,
# MDEV-29445) is capped at 64M, as MariaDB 11.8 caps at its start-up size by default: the test
# then grows the pool beyond it and expects memprov to read back what the server kept.
pool_max=()
if /usr/sbin/mariadbd --verbose --help 2>/dev/null | grep -q -- '--innodb-buffer-pool-size-max='; then
        pool_max=(--innodb-buffer-pool-size-max=64M)
        export MEMPROV_TEST_MYSQL_POOL_MAX=64M
else
        echo "# $(/usr/sbin/mariadbd --version): no innodb_buffer_pool_size_max, the cap is not tested"
fi
/usr/sbin/mariadbd --no-defaults --datadir="$DB" --socket="$SCRATCH/mysqld.sock" --skip-networking \
        --user=root --pid-file="$SCRATCH/mysqld.pid" --innodb-buffer-pool-size=32M "${pool_max[@]}" \
        --log-error="$SCRATCH/mysqld.err" 2>>"$SCRATCH/mysqld.err" &
pid=$!
at_exit "kill $pid; wait $pid 2>/dev/null"
for _ in $(seq 300); do
        [ -S "$SOCK" ] && mariadb -e 'SELECT 1' >/dev/null 2>&1 && break
        sleep 0.2
done
check "private mariadbd answers" mariadb -e 'SELECT 1'
out=$(MEMPROV_TEST_MYSQL=1 "$UNIT_TESTS" mysql_live)
echo "$out" | grep -v '^unit:'
check "the live test ran its checks" grep -q "^ok - mysql_live_sets_what_changed ([1-9][0-9]* checks)" \
        <<<"$out"
exit $T_FAILED
