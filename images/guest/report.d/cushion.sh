# shellcheck shell=bash disable=SC2154 # kv, section come from memprov-report
# Issue 23: the compressed-swap cushion (zram through systemd-zram-generator where the kernel
# has no zswap, zswap where it has) and memprov's gauges. With memprov.swaptest=1 on the kernel
# command line, a process first takes about 90% of MemTotal (pages half random, half zeros, so
# they compress about 2:1), which pushes pages to swap, then memprov --status refreshes the
# gauges.
swaptest=0
read -r -a cushion_words </proc/cmdline
for w in "${cushion_words[@]}"; do
    case $w in memprov.swaptest=*) swaptest=${w#*=} ;; esac
done
kv zram.swap "$(awk '$1 == "/dev/zram0" { print "active:" $5 }' /proc/swaps)"
kv zram.algorithm "$(sed -n 's/.*\[\([^]]*\)\].*/\1/p' /sys/block/zram0/comp_algorithm 2>/dev/null)"
kv zram.disksize "$(cat /sys/block/zram0/disksize 2>/dev/null || echo none)"
kv zram.conf "$(test -f /etc/systemd/zram-generator.conf.d/50-memprov.conf && echo yes || echo no)"
kv zram.generator "$(test -x /usr/lib/systemd/system-generators/zram-generator -o -x /lib/systemd/system-generators/zram-generator && echo yes || echo no)"
kv zram.unit "$(systemctl is-active dev-zram0.swap 2>/dev/null)"
kv zswap.zpool "$(cat /sys/module/zswap/parameters/zpool 2>/dev/null || echo none)"
kv swapfile.priority "$(awk '$1 == "/swapfile" { print $5 }' /proc/swaps)"
kv sysctl.swappiness "$(cat /proc/sys/vm/swappiness)"
if [ "$swaptest" = 1 ]; then
    python3 - <<'PY' 2>&1 | tail -n 1
import os
total = int(open("/proc/meminfo").read().split("MemTotal:")[1].split()[0]) * 1024
chunks, page = [], os.urandom(2048) + bytes(2048)
try:
    for _ in range(int(total * 0.9) // (1 << 20)):
        chunks.append(bytearray(page * 256))
except MemoryError:
    pass
print("swaptest: held", len(chunks), "MiB")
PY
    kv swaptest.done yes
fi
# The textfile directory the node exporter would have: memprov writes its file only there.
mkdir -p /var/lib/prometheus/node-exporter
/usr/sbin/memprov --status >/dev/null 2>&1
prom=/var/lib/prometheus/node-exporter/memprov.prom
kv metrics.file "$(test -f $prom && echo yes || echo no)"
kv metrics.cushion_zram "$(sed -n 's/^memprov_cushion_active{kind="zram"} //p' $prom 2>/dev/null)"
kv metrics.cushion_zswap "$(sed -n 's/^memprov_cushion_active{kind="zswap"} //p' $prom 2>/dev/null)"
kv metrics.swap_out "$(sed -n 's/^memprov_swap_out_pages_total //p' $prom 2>/dev/null)"
kv metrics.zswap_out "$(sed -n 's/^memprov_zswap_out_pages_total //p' $prom 2>/dev/null)"
kv metrics.psi_some_avg10 "$(sed -n 's/^memprov_memory_pressure_ratio{kind="some",window="10s"} //p' $prom 2>/dev/null)"
kv metrics.oom_series "$(grep -c '^memprov_service_oom_kills_total{' $prom 2>/dev/null)"
kv zswap.stored_pages_after "$(cat /sys/kernel/debug/zswap/stored_pages 2>/dev/null || echo unknown)"
section "memprov.prom" cat $prom
section "swaps" cat /proc/swaps
