#!/bin/bash
# memprov under valgrind's memcheck (plain build; ASan covers the other build): a --dry-run on a
# root with services' files and cloud-init user-data, then a --root apply that makes the swapfile
# (loop-mounted ext4) and the drop-ins, then a rerun. Each: 0 errors, no definite or indirect
# leak (valgrind --error-exitcode), exit 0.
# shellcheck disable=SC1091
source "$(dirname "$0")/../lib.sh"
enter_mount_namespace "$@"
if ! command -v valgrind >/dev/null; then
        skip "valgrind" "valgrind is not installed (make check installs it)"
        exit 0
fi
[ "$(id -u)" = 0 ] || { skip "valgrind --root apply" "needs root (loop mount)"; exit 0; }

mount_loop_fs ext4 8G "$SCRATCH/disk" || { not_ok "mkfs"; exit 1; }
R=$SCRATCH/disk/root
mkdir -p "$R/etc/memprov/conf.d" "$R/etc/sysctl.d" "$R/var/lib" "$R/run/cloud-init" \
        "$R/etc/mysql/mariadb.conf.d" "$R/etc/php/8.2/fpm/pool.d"
touch "$R/etc/debian_version"
printf 'UUID=abc / ext4 defaults 0 1\n' >"$R/etc/fstab"
printf '[sysctl]\nswappiness = 20\n' >"$R/etc/memprov/conf.d/50-local.conf"
cp "$TESTS_DIR/fixtures/cloud-init/combined-cloud-config.json" "$R/run/cloud-init/"
cp "$TESTS_DIR/fixtures/cloud-init/instance-data.json" "$R/run/cloud-init/"

memcheck() {
        local name=$1
        shift
        valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \
                --errors-for-leak-kinds=definite,indirect --log-file="$SCRATCH/vg.log" \
                "$MEMPROV" --defaults "$DEFAULTS" --root "$R" --assume-ram 1G "$@" \
                >/dev/null 2>"$SCRATCH/err"
        local rc=$?
        # Errors and leaks are "==PID==" lines; "--PID--" lines are valgrind's own notes (3.19
        # does not know openat2, answers ENOSYS, and memprov walks the path instead).
        if [ "$rc" -eq 0 ] && ! grep -q '^==' "$SCRATCH/vg.log"; then
                ok "memcheck: $name: 0 errors, exit 0"
        else
                not_ok "memcheck: $name: rc=$rc"
                grep -v '^--' "$SCRATCH/vg.log" | head -n 40 | sed 's/^/# /'
                head -n 10 "$SCRATCH/err" | sed 's/^/# /'
        fi
}

memcheck "--dry-run" --dry-run
memcheck "--root apply (swapfile, fstab, drop-ins, state)"
check "apply made the swapfile" test -s "$R/swapfile"
check "apply wrote the state" test -s "$R/var/lib/memprov/state"
memcheck "--root --rerun (reads the state back)" --rerun
memcheck "--status" --status
exit $T_FAILED
