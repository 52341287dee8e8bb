#!/bin/bash
# Fleet metrics: memprov.prom in the node exporter's textfile directory, only where that
# directory exists; the values after a run (tier, RAM, swap, result, drifted files, disabled
# units); a failed run is recorded; the real prometheus-node-exporter serves the file without a
# parse error and promtool accepts it; live, the machine's gauges (PSI, swap in/out, cushion) and
# --status refreshing them. Under --root on a loop-mounted ext4, then live in a private mount
# namespace.
source "$(dirname "$0")/../lib.sh"
enter_mount_namespace "$@"
[ "$(id -u)" = 0 ] || { skip "metrics integration" "needs root"; exit 0; }

PROM=/var/lib/prometheus/node-exporter/memprov.prom
mount_loop_fs ext4 8G "$SCRATCH/disk" || { not_ok "mkfs"; exit 1; }
R=$SCRATCH/disk/root
MP=("$MEMPROV" --defaults "$DEFAULTS" --root "$R" --assume-ram 1G --set swap.image=yes)
metric() { sed -n "s/^$1 //p" "$2"; }

mkdir -p "$R/etc/sysctl.d" "$R/var/lib" && touch "$R/etc/debian_version" "$R/etc/fstab"
check "no textfile directory: run" "${MP[@]}"
check_fails "no textfile directory: no metrics, none created" test -e "$R/var/lib/prometheus"
check "--dry-run writes no metrics" bash -c "mkdir -p '$R/var/lib/prometheus/node-exporter' &&
        '$MEMPROV' --defaults '$DEFAULTS' --root '$R' --assume-ram 1G --set swap.image=yes --dry-run --rerun >/dev/null &&
        ! test -e '$R$PROM'"

# A unit the 1G tier disables, installed and enabled.
mkdir -p "$R/lib/systemd/system" "$R/etc/systemd/system/multi-user.target.wants"
printf '[Unit]\nDescription=x\n[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n' \
        >"$R/lib/systemd/system/proftpd.service"
ln -s /lib/systemd/system/proftpd.service "$R/etc/systemd/system/multi-user.target.wants/proftpd.service"
check "provision with a textfile directory" "${MP[@]}" --rerun
check_eq "metrics file mode" "$(stat -c %a "$R$PROM")" 644
check "tier label" grep -qx 'memprov_info{tier="1G",version="[0-9.]*"} 1' "$R$PROM"
check_eq "nominal RAM" "$(metric memprov_ram_bytes "$R$PROM")" 1073741824
check_eq "provisioned RAM" "$(metric memprov_provisioned_ram_bytes "$R$PROM")" 1073741824
check_eq "swap size" "$(metric memprov_swap_size_bytes "$R$PROM")" "$(stat -c %s "$R/swapfile")"
check_eq "swap not active under --root" "$(metric memprov_swap_active "$R$PROM")" 0
check_eq "last run succeeded" "$(metric memprov_last_run_success "$R$PROM")" 1
now=$(date +%s)
ts=$(metric memprov_last_run_timestamp_seconds "$R$PROM")
check "last run time is now" test "$ts" -le "$now" -a "$ts" -ge $((now - 300))
check_eq "nothing drifted" "$(metric memprov_files_drifted "$R$PROM")" 0
check "files managed" test "$(metric memprov_files_managed "$R$PROM")" -ge 1
check_eq "one unit disabled" "$(metric memprov_units_disabled "$R$PROM")" 1
check_eq "no resize pending" "$(metric memprov_resize_pending "$R$PROM")" 0
check_eq "no temporary file left" "$(find "$R/var/lib/prometheus/node-exporter" -name '.#*' | wc -l)" 0

# The admin edits a managed file; the RAM changes; the next (checking) run says both. A boot
# run re-tiers by default (on_resize = rerun): "report" keeps the resize pending.
echo "vm.swappiness = 1" >>"$R/etc/sysctl.d/60-memprov.conf"
check "checking run at 2G" "$MEMPROV" --defaults "$DEFAULTS" --root "$R" --assume-ram 2G --set swap.image=yes \
        --set memprov.on_resize=report
check_eq "drifted: the edited file" "$(metric memprov_files_drifted "$R$PROM")" 1
check_eq "resize pending" "$(metric memprov_resize_pending "$R$PROM")" 1
check_eq "tier still the provisioned one" "$(sed -n 's/^memprov_info{tier="\([^"]*\)".*/\1/p' "$R$PROM")" 1G

# A run that fails is recorded as failed.
check_fails "a bad value fails the run" "${MP[@]}" --rerun --set swap.size=lots
check_eq "last run failed" "$(metric memprov_last_run_success "$R$PROM")" 0

# Prometheus's own linter accepts the file (package prometheus ships promtool).
if command -v promtool >/dev/null; then
        check "promtool check metrics (under --root)" promtool check metrics <"$R$PROM"
else
        skip "promtool check metrics" "promtool not installed (apt install prometheus)"
fi
check_fails "under --root: no live gauges (they would be the host's)" \
        grep -q "memprov_memory_pressure_ratio\|memprov_cushion_active" "$R$PROM"

# The real node exporter reads the file (127.0.0.1, a free port).
if command -v prometheus-node-exporter >/dev/null; then
        port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
        prometheus-node-exporter --web.listen-address="127.0.0.1:$port" --collector.disable-defaults \
                --collector.textfile --collector.textfile.directory="$R/var/lib/prometheus/node-exporter" \
                >"$SCRATCH/ne.log" 2>&1 &
        ne=$!
        at_exit "kill $ne"
        scrape=""
        for _ in $(seq 50); do
                scrape=$(python3 -c "import urllib.request as u; print(u.urlopen('http://127.0.0.1:$port/metrics').read().decode())" 2>/dev/null) && break
                sleep 0.2
        done
        check "node_exporter serves memprov_info" grep -q '^memprov_info{tier="1G"' <<<"$scrape"
        check "node_exporter serves memprov_files_drifted" grep -qx 'memprov_files_drifted 1' <<<"$scrape"
        check "node_exporter: no textfile scrape error" grep -qx 'node_textfile_scrape_error 0' <<<"$scrape"
        kill "$ne"
else
        skip "node_exporter serves the file" "prometheus-node-exporter not installed"
fi

# Live: memprov's swapfile on a loop-mounted ext4 is active; /etc and /var/lib are overlays.
live_overlays || { not_ok "overlay /etc and /var/lib"; exit 1; }
private_zswap_params || [ ! -d /sys/module/zswap ] || { not_ok "private zswap parameters"; exit 1; }
printf 'proc /proc proc defaults 0 0\n' >/etc/fstab
rm -rf /var/lib/memprov /etc/memprov && mkdir -p /var/lib/prometheus/node-exporter
mount_loop_fs ext4 4G "$SCRATCH/live" || not_ok "mkfs live"
check "live run" "$MEMPROV" --defaults "$DEFAULTS" --assume-ram 1G --set swap.add=yes \
        --set "swap.path=$SCRATCH/live/swapfile" --set units.disable=none
check_eq "live: swap active" "$(metric memprov_swap_active "$PROM")" 1
check_eq "live: swap size" "$(metric memprov_swap_size_bytes "$PROM")" "$(stat -c %s "$SCRATCH/live/swapfile")"
# The machine's gauges (issue 23): read from this kernel, so only their presence and shape.
if [ -r /proc/pressure/memory ]; then
        check "live: memory PSI some avg10" grep -qE '^memprov_memory_pressure_ratio\{kind="some",window="10s"\} [0-9.]+$' "$PROM"
        check "live: memory PSI full avg300" grep -qE '^memprov_memory_pressure_ratio\{kind="full",window="300s"\} [0-9.]+$' "$PROM"
else
        skip "live: memory PSI" "this kernel has no /proc/pressure/memory"
fi
check_eq "live: swap-out total from /proc/vmstat" "$(metric memprov_swap_out_pages_total "$PROM")" \
        "$(sed -n 's/^pswpout //p' /proc/vmstat)"
check "live: swap-in total" grep -qE '^memprov_swap_in_pages_total [0-9]+$' "$PROM"
check "live: zswap cushion gauge" grep -qE '^memprov_cushion_active\{kind="zswap"\} [01]$' "$PROM"
check_eq "live: zram cushion gauge (no zram here)" "$(grep -c '^/dev/zram' /proc/swaps)" \
        "$(sed -n 's/^memprov_cushion_active{kind="zram"} //p' "$PROM")"
command -v promtool >/dev/null && check "live: promtool check metrics" promtool check metrics <"$PROM"

# --status refreshes the file (metrics_timestamp), keeping the last run's time and result.
last=$(metric memprov_last_run_timestamp_seconds "$PROM")
stamp=$(metric memprov_metrics_timestamp_seconds "$PROM")
sleep 1.1
"$MEMPROV" --defaults "$DEFAULTS" --status --set "swap.path=$SCRATCH/live/swapfile" >/dev/null 2>&1
check "--status: file refreshed" test "$(metric memprov_metrics_timestamp_seconds "$PROM")" -gt "$stamp"
check_eq "--status: last run time kept" "$(metric memprov_last_run_timestamp_seconds "$PROM")" "$last"
check_eq "--status: last run result kept" "$(metric memprov_last_run_success "$PROM")" 1
exit $T_FAILED
