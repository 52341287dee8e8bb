#!/bin/bash
# make bench: memprov against the bare `fallocate; mkswap; swapon` on the same loop-mounted ext4,
# one run after another, for a 1 GiB and a 4 GiB swapfile, in two cases:
#  - swap: the issue's definition of memprov's full provisioning (swapfile, fstab, sysctl, state)
#    with full durability. The services installed on this host (MariaDB, Apache, PHP-FPM: test
#    dependencies) are hidden in this private mount namespace, so memprov does exactly that work.
#  - services: the same plus what memprov does for the installed services (their drop-ins, OOM
#    drop-ins, the Apache conf link): more work than the bare sequence does, shown for scale.
# Every run starts from a fresh copy of the host's /etc and an empty /var/lib/memprov on the
# benchmark's ext4, which also holds the swapfile, so each one writes everything. Prints the median wall time, peak RSS and CPU time (user + system, children
# included: steadier than the wall time on a shared machine) of each, and the ratios.
# The swap case also runs FLOOR (tests/bench-floor.c): the same system calls memprov makes for
# its swapfile with the same durability (fallocate, the header's pwrite, fstab's temp file, one
# syncfs, swapon, the rename) and nothing else, and prints memprov's ratio to it (target <= 1.3).
# BENCH_CALLGRIND=FILE: also run memprov's swap case (1G) once under valgrind's callgrind, from
# the same fresh tree, and write its profile to FILE (instruction counts are repeatable on a busy
# host where times are not): `callgrind_annotate FILE` shows where memprov's CPU goes.
# Usage: tests/bench.sh MEMPROV BENCH_RUN DEFAULTS [RUNS] [FLOOR]
set -euo pipefail
MEMPROV=$(realpath "$1") BENCH_RUN=$(realpath "$2") DEFAULTS=$(realpath "$3") RUNS=${4:-7}
FLOOR=${5:+$(realpath "$5")}
CALLGRIND=${BENCH_CALLGRIND:+$(realpath -m "$BENCH_CALLGRIND")}
export MEMPROV DEFAULTS
source "$(dirname "$0")/lib.sh"
enter_mount_namespace "$@"
set +u

echo 60 >"$SCRATCH/swappiness" && mount --bind "$SCRATCH/swappiness" /proc/sys/vm/swappiness
mount_loop_fs ext4 24G "$SCRATCH/disk"
SW=$SCRATCH/disk/swapfile
# /etc, memprov's state folder and the swapfile on one filesystem, as on a VPS: /etc is a copy of
# the host's on the ext4 (bind-mounted; an overlay would be a filesystem of its own, with its own
# st_dev and syncfs), /var/lib/memprov a folder on it bound into a /var/lib overlay (which only
# provides the mount point; its upper dir is on the ext4 too). memprov's syncfs then flushes
# that one filesystem, not the host's (other work's) dirty data.
ROOT=${SCRATCH:?}/disk/root ETC=$SCRATCH/disk/etc.orig OV=$SCRATCH/disk/.ov
cp -a /etc "$ETC"
umask 077 # the bare sequence creates its swapfile 0600 too, as swapon asks
FALLOCATE=$(command -v fallocate) MKSWAP=$(command -v mkswap) SWAPON=$(command -v swapon)

# The services' programs and units, hidden by overlay whiteouts (memprov detects a service by
# its program or unit; PostgreSQL, for the database swappiness, by /usr/lib/postgresql/*). nginx
# too: installed on this host for the tests since session 8, it had added two drop-ins to the
# swap case.
hide() { # hide DIR NAME...
        local dir=$1 up=$SCRATCH/hide$1 name
        shift
        mkdir -p "$up/u" "$up/w"
        for name in "$@"; do [ -e "$dir/$name" ] && mknod "$up/u/$name" c 0 0; done
        mount -t overlay overlay -o "lowerdir=$dir,upperdir=$up/u,workdir=$up/w" "$dir"
}
hide_services() {
        local services=(apache2 httpd mariadbd mysqld nginx php-fpm php-fpm{7.4,8.1,8.2,8.3,8.4})
        hide /usr/sbin "${services[@]}"
        hide /usr/lib/systemd/system {mariadb,mysql,mysqld,apache2,httpd,nginx,php-fpm}.service \
                php{7.4,8.1,8.2,8.3,8.4}-fpm.service
        [ ! -d /usr/lib/postgresql ] || hide /usr/lib/postgresql $(ls /usr/lib/postgresql)
}

reset() {
        local d
        swapoff "$SW" 2>/dev/null || true
        rm -f "$SW"
        for d in /var/lib/memprov /var/lib /etc; do umount "$d" 2>/dev/null || true; done
        rm -rf "${ROOT:?}" "${OV:?}"
        mkdir -p "$ROOT/var/lib/memprov" "$OV/u" "$OV/w" && cp -a "$ETC" "$ROOT/etc"
        mount --bind "$ROOT/etc" /etc
        mount -t overlay overlay -o "lowerdir=/var/lib,upperdir=$OV/u,workdir=$OV/w" /var/lib
        mkdir -p /var/lib/memprov && mount --bind "$ROOT/var/lib/memprov" /var/lib/memprov
        printf 'proc /proc proc defaults 0 0\n' >/etc/fstab
        [ "$(stat -c %d /etc /var/lib/memprov "${SW%/*}" | sort -u | wc -l)" = 1 ] ||
                { echo "bench: /etc, /var/lib/memprov and the swapfile not on one filesystem" >&2 && exit 1; }
        sync
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

bench() { # bench CASE SIZE
        local i mp=$SCRATCH/mp bare=$SCRATCH/bare floor=$SCRATCH/floor
        : >"$mp" && : >"$bare" && : >"$floor"
        for ((i = 0; i < RUNS; i++)); do
                if [ "$1" = swap ] && [ -n "$FLOOR" ]; then
                        reset
                        "$BENCH_RUN" "$FLOOR" "$SW" "$2" /etc/fstab >>"$floor"
                fi
                reset
                "$BENCH_RUN" "$MEMPROV" --defaults "$DEFAULTS" --set "swap.path=$SW" \
                        --set "swap.size=$2" --set swap.add=yes >>"$mp"
                reset
                "$BENCH_RUN" "$FALLOCATE" -l "$2" "$SW" -- "$MKSWAP" -q "$SW" \
                        -- "$SWAPON" "$SW" >>"$bare"
        done
        reset
        awk -v c="$1" -v s="$2" -v n="$RUNS" \
                -v m="$(cut -d' ' -f1 "$mp" | median)" -v mk="$(cut -d' ' -f2 "$mp" | median)" \
                -v mc="$(cut -d' ' -f3 "$mp" | median)" \
                -v b="$(cut -d' ' -f1 "$bare" | median)" -v bk="$(cut -d' ' -f2 "$bare" | median)" \
                -v bc="$(cut -d' ' -f3 "$bare" | median)" 'BEGIN {
                printf "%-8s swapfile %s (median of %d): memprov %.1f ms (CPU %.1f ms), peak RSS %.1f MiB | bare fallocate+mkswap+swapon %.1f ms (CPU %.1f ms), peak RSS %.1f MiB | ratio %.2f (CPU %.2f)\n",
                        c, s, n, m / 1000, mc / 1000, mk / 1024, b / 1000, bc / 1000, bk / 1024, m / b, mc / bc }'
        [ -s "$floor" ] || return 0
        awk -v s="$2" -v n="$RUNS" \
                -v m="$(cut -d' ' -f1 "$mp" | median)" -v mc="$(cut -d' ' -f3 "$mp" | median)" \
                -v f="$(cut -d' ' -f1 "$floor" | median)" -v fc="$(cut -d' ' -f3 "$floor" | median)" 'BEGIN {
                printf "floor    swapfile %s (median of %d): same syscalls, same durability %.1f ms (CPU %.1f ms) | memprov / floor %.2f (CPU %.2f; target <= 1.3)\n",
                        s, n, f / 1000, fc / 1000, m / f, mc / fc }'
}

# RUNS 0: no timed runs (with BENCH_CALLGRIND, the profile alone).
if [ "$RUNS" -gt 0 ]; then for size in 1G 4G; do bench services "$size"; done; fi
hide_services
if [ "$RUNS" -gt 0 ]; then for size in 1G 4G; do bench swap "$size"; done; fi
if [ -n "$CALLGRIND" ]; then
        reset
        # What the profiled run does: its plan, from the same fresh tree.
        "$MEMPROV" --defaults "$DEFAULTS" --set "swap.path=$SW" --set swap.size=1G --set swap.add=yes \
                --dry-run >"$CALLGRIND.plan" 2>&1
        valgrind -q --tool=callgrind --callgrind-out-file="$CALLGRIND" "$MEMPROV" \
                --defaults "$DEFAULTS" --set "swap.path=$SW" --set swap.size=1G --set swap.add=yes >/dev/null 2>"$CALLGRIND.log"
        reset
        # And its system calls (strace -c: count and kernel time by call), from a fresh tree too.
        strace -f -c -o "$CALLGRIND.strace" "$MEMPROV" --defaults "$DEFAULTS" --set "swap.path=$SW" \
                --set swap.size=1G --set swap.add=yes >/dev/null 2>&1
        reset
        echo "callgrind  swap 1G: $(callgrind_annotate "$CALLGRIND" | awk '/PROGRAM TOTALS/ {print $1}') instructions ($CALLGRIND)"
fi
