#!/bin/bash
# make bench: memprov's full provisioning (swapfile, fstab, sysctl, state) against the bare
# `fallocate; mkswap; swapon` on the same loop-mounted ext4, one run after another, for a 1 GiB
# and a 4 GiB swapfile. Prints wall time and peak RSS of each (median of the runs) and the ratio.
# Usage: tests/bench.sh MEMPROV BENCH_RUN DEFAULTS [RUNS]
set -euo pipefail
MEMPROV=$(realpath "$1") BENCH_RUN=$(realpath "$2") DEFAULTS=$(realpath "$3") RUNS=${4:-7}
export MEMPROV DEFAULTS
source "$(dirname "$0")/lib.sh"
enter_mount_namespace "$@"
set +u

for d in /etc /var/lib; do
        mkdir -p "$SCRATCH/ov$d/u" "$SCRATCH/ov$d/w"
        mount -t overlay overlay -o "lowerdir=$d,upperdir=$SCRATCH/ov$d/u,workdir=$SCRATCH/ov$d/w" "$d"
done
echo 60 >"$SCRATCH/swappiness" && mount --bind "$SCRATCH/swappiness" /proc/sys/vm/swappiness
mount_loop_fs ext4 24G "$SCRATCH/disk"
SW=$SCRATCH/disk/swapfile
umask 077 # the bare sequence creates its swapfile 0600 too, as swapon asks
FALLOCATE=$(command -v fallocate) MKSWAP=$(command -v mkswap) SWAPON=$(command -v swapon)

reset() {
        swapoff "$SW" 2>/dev/null || true
        rm -f "$SW" && rm -rf /var/lib/memprov /etc/sysctl.d/60-memprov.conf
        printf 'proc /proc proc defaults 0 0\n' >/etc/fstab
        sync
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for size in 1G 4G; do
        : >"$SCRATCH/mp" && : >"$SCRATCH/bare"
        for ((i = 0; i < RUNS; i++)); do
                reset
                "$BENCH_RUN" "$MEMPROV" --defaults "$DEFAULTS" --set "swap.path=$SW" \
                        --set "swap.size=$size" --set swap.add=yes >>"$SCRATCH/mp"
                reset
                "$BENCH_RUN" "$FALLOCATE" -l "$size" "$SW" -- "$MKSWAP" -q "$SW" \
                        -- "$SWAPON" "$SW" >>"$SCRATCH/bare"
        done
        reset
        mp_us=$(cut -d' ' -f1 "$SCRATCH/mp" | median) mp_kib=$(cut -d' ' -f2 "$SCRATCH/mp" | median)
        bare_us=$(cut -d' ' -f1 "$SCRATCH/bare" | median)
        bare_kib=$(cut -d' ' -f2 "$SCRATCH/bare" | median)
        awk -v s="$size" -v m="$mp_us" -v mk="$mp_kib" -v b="$bare_us" -v bk="$bare_kib" -v n="$RUNS" 'BEGIN {
                printf "swapfile %s (median of %d): memprov %.1f ms, peak RSS %.1f MiB | bare fallocate+mkswap+swapon %.1f ms, peak RSS %.1f MiB | ratio %.2f\n",
                        s, n, m / 1000, mk / 1024, b / 1000, bk / 1024, m / b }'
done
