#!/bin/bash
# Scenario 16's guest side (tests/vm/scenario-16.sh): KV lines and sections for the host.
export LC_ALL=C.UTF-8 SYSTEMD_PAGER='' SYSTEMD_COLORS=0
out=/run/s16
mkdir -p $out
kv() { printf 'KV %s=%s\n' "$1" "$2"; }
timeout 900 systemctl is-system-running --wait >$out/state 2>&1
# Which units failed when the boot settled, and their last journal lines (s11: "degraded", cause
# unknown).
systemctl --failed --no-legend --plain | awk '{print $1}' >$out/failed-at-settle
for u in $(cat $out/failed-at-settle); do
        echo "== $u"
        systemctl status --no-pager -n 0 "$u" 2>&1 | head -n 12
        journalctl -b -o short-monotonic --no-pager -n 25 -u "$u" 2>&1
done >$out/failed-journal
tar -C / --no-overwrite-dir -xzf /root/s16.tar.gz
# The host's swap: a swapfile in the VM (its memprov is masked, so there is none).
fallocate -l 512M /s16.swap && chmod 0600 /s16.swap && mkswap -q /s16.swap && swapon /s16.swap
# ns CASE [MEM SWAP CPU] -- NSPAWN-OPTION...: memprov in a container over the VM's root
# filesystem (an overlay on a tmpfs: nspawn 252 refuses -D / but with --volatile=yes or state,
# which hide /etc or /var), its files in $out/CASE. With MEM SWAP CPU: those limits written on
# the container's own cgroup (memory.max, memory.swap.max, cpu.max), where LXC and Docker put a
# container's limits; the container waits for them (/out/go) before it reads anything.
ns() {
        local c=$1 d=$out/$1 fs=/run/s16-fs/$1 mem= swap= cpu= pid leader cg i
        shift
        if [ "$1" != -- ]; then mem=$1 swap=$2 cpu=$3; shift 3; fi
        shift
        mkdir -p "$d" "$fs/up" "$fs/root" && mount -t tmpfs tmpfs "$fs/up" &&
                mkdir "$fs/up/u" "$fs/up/w" &&
                mount -t overlay overlay -o "lowerdir=/,upperdir=$fs/up/u,workdir=$fs/up/w" "$fs/root"
        [ -n "$mem" ] || touch "$d/go"
        timeout 600 systemd-nspawn -q -M "s16-$c" -D "$fs/root" --register=no \
                --bind="$d:/out" "$@" /bin/sh -c '
                while [ ! -e /out/go ]; do sleep 0.2; done
                cat /proc/self/cgroup >/out/cgroup
                for f in memory.max memory.swap.max cpu.max; do
                        echo "$f $(cat /sys/fs/cgroup/$f 2>&1)"
                done >/out/limits
                systemd-detect-virt --container >/out/virt
                memprov --dry-run >/out/text 2>&1; echo $? >/out/text.rc
                memprov --dry-run --json >/out/json 2>/out/json.err; echo $? >/out/json.rc
                true' >"$d/nspawn.log" 2>&1 &
        pid=$!
        if [ -n "$mem" ]; then
                # The container's PID 1 (/bin/sh) and its cgroup on this host: the scope nspawn
                # made, named after the machine.
                for i in $(seq 300); do
                        for leader in /proc/[0-9]*; do
                                [ "$(cat "$leader/comm" 2>/dev/null)" = sh ] || continue
                                cg=$(sed -n "s/^0:://p" "$leader/cgroup" 2>/dev/null)
                                case $cg in *"$c"*) break 2 ;; esac
                        done
                        cg=
                        sleep 0.2
                done
                echo "leader $leader cgroup $cg" >"$d/host-cgroup"
                echo "+memory +cpu" >"/sys/fs/cgroup${cg%/*}/cgroup.subtree_control" 2>>"$d/host-cgroup"
                echo "$mem" >"/sys/fs/cgroup$cg/memory.max" && echo "$swap" >"/sys/fs/cgroup$cg/memory.swap.max" &&
                        echo "$cpu" >"/sys/fs/cgroup$cg/cpu.max" 2>>"$d/host-cgroup"
                echo "limits rc $?" >>"$d/host-cgroup"
                touch "$d/go"
        fi
        wait $pid
        echo $? >"$d/nspawn.rc"
}
ns c512 536870912 0 "max 100000" --
ns c1g 1073741824 268435456 "50000 100000" --
ns prop -- --property=MemoryMax=512M --property=MemorySwapMax=0 --property=CPUQuota=50%
ns free --
# boot: the VM's root booted as a container; memprov.service waits for /report/go, which comes
# once memory.max and memory.swap.max are on the container's cgroup (its PID 1's, less
# /init.scope, which that systemd moves itself into). s16-report.service reads back what the
# services run with and powers the container off.
boot_ct() {
        local d=$out/boot fs=/run/s16-fs/boot R=/run/s16-fs/boot/root pid leader cg i
        mkdir -p "$d" "$fs/up" "$R" && mount -t tmpfs tmpfs "$fs/up" && mkdir "$fs/up/u" "$fs/up/w" &&
                mount -t overlay overlay -o "lowerdir=/,upperdir=$fs/up/u,workdir=$fs/up/w" "$R" || return 1
        chmod 1777 "$d"
        # A container's root is its manager's: no fstab mounts, no network or cloud-init to wait
        # for, and no report to the VM's serial port.
        echo "# container" >"$R/etc/fstab"
        touch "$R/etc/cloud/cloud-init.disabled"
        ln -sf /dev/null "$R/etc/systemd/system/networking.service"
        ln -sf /dev/null "$R/etc/systemd/system/memprov-report.service"
        mkdir -p "$R/etc/systemd/system/memprov.service.d"
        printf '%s\n' "[Service]" 'ExecStartPre=/bin/sh -c "while [ ! -e /report/go ]; do sleep 0.2; done"' \
                >"$R/etc/systemd/system/memprov.service.d/s16-wait.conf"
        cat >"$R/etc/systemd/system/s16-report.service" <<'EOU'
[Unit]
After=multi-user.target
[Service]
Type=oneshot
ExecStart=/bin/sh -c 'cd /report; systemctl is-system-running >system 2>&1; systemctl --failed --no-legend --plain >failed; systemctl show -p ActiveState,Result,ExecMainStatus memprov.service >memprov; journalctl -b -o cat -u memprov.service --no-pager >journal; for u in mariadb apache2 $(cd /lib/systemd/system && ls php*-fpm.service | sed "s/[.]service//"); do echo $u $(systemctl is-active $u); done >active; for f in memory.max memory.swap.max; do echo "$f $(cat /sys/fs/cgroup/$f 2>&1)"; done >limits; /usr/local/bin/live-report >live 2>&1; systemctl poweroff'
[Install]
WantedBy=multi-user.target
EOU
        ln -sf ../s16-report.service "$R/etc/systemd/system/multi-user.target.wants/s16-report.service"
        timeout 900 systemd-nspawn -q -M s16-boot -D "$R" --register=no --private-network -b \
                --bind="$d:/report" >"$d/console" 2>&1 &
        pid=$!
        for i in $(seq 600); do
                for leader in /proc/[0-9]*; do
                        [ "$(cat "$leader/comm" 2>/dev/null)" = systemd ] || continue
                        cg=$(sed -n "s/^0:://p" "$leader/cgroup" 2>/dev/null)
                        case $cg in *boot*) break 2 ;; esac
                done
                cg=
                sleep 0.2
        done
        cg=${cg%/init.scope}
        echo "leader $leader cgroup $cg" >"$d/host-cgroup"
        echo "+memory" >"/sys/fs/cgroup${cg%/*}/cgroup.subtree_control" 2>>"$d/host-cgroup"
        echo 536870912 >"/sys/fs/cgroup$cg/memory.max" && echo 0 >"/sys/fs/cgroup$cg/memory.swap.max"
        echo "limits rc $?" >>"$d/host-cgroup"
        touch "$d/go"
        wait $pid
        echo $? >"$d/nspawn.rc"
}
boot_ct
# lxc: see the top. The overlay has metacopy=on, so the chown copies up inodes, not data.
lxc_ct() {
        local d=$out/lxc fs=/run/s16-fs/lxc R=/run/s16-fs/lxc/root
        mkdir -p "$d" "$fs/up" "$R" "$fs/lxc/s16" && mount -t tmpfs tmpfs "$fs/up" &&
                mkdir "$fs/up/u" "$fs/up/w" &&
                mount -t overlay overlay -o "lowerdir=/,upperdir=$fs/up/u,workdir=$fs/up/w,metacopy=on,redirect_dir=on" "$R" ||
                return 1
        chmod 1777 "$d"
        shift-ids "$R" 1000000 etc var run || return 1
        cat >"$fs/lxc/s16/config" <<EOC
lxc.uts.name = vps
lxc.rootfs.path = dir:$R
lxc.include = /usr/share/lxc/config/common.conf
lxc.include = /usr/share/lxc/config/userns.conf
lxc.apparmor.profile = unconfined
lxc.net.0.type = empty
lxc.mount.auto = cgroup:mixed:force
lxc.mount.entry = $d report none bind,create=dir 0 0
lxc.cgroup2.memory.max = 536870912
lxc.cgroup2.memory.swap.max = 0
lxc.cgroup2.cpu.max = 50000 100000
lxc.idmap = u 0 1000000 65536
lxc.idmap = g 0 1000000 65536
EOC
        timeout 600 lxc-execute -P "$fs/lxc" -n s16 -o "$d/lxc.log" -l INFO -- /bin/sh -c '
                cd /report
                cat /proc/self/uid_map >uid_map
                cat /proc/self/cgroup >cgroup
                for f in memory.max memory.swap.max cpu.max; do
                        echo "$f $(cat /sys/fs/cgroup/$f 2>&1)"
                done >limits
                memprov --dry-run --json >json 2>json.err; echo $? >json.rc
                memprov >run 2>&1; echo $? >run.rc
                memprov >rerun 2>&1; echo $? >rerun.rc
                true' >"$d/console" 2>&1
        echo $? >"$d/lxc.rc"
}
if command -v lxc-execute >/dev/null; then lxc_ct; fi
{
        echo MEMPROV-REPORT-BEGIN
        kv os "$(. /etc/os-release && echo "$PRETTY_NAME")"
        kv kernel "$(uname -r)"
        kv systemd.version "$(dpkg-query -W -f '${Version}' systemd)"
        kv system_state "$(cat $out/state)"
        kv vm.failed_at_settle "$(paste -sd ' ' $out/failed-at-settle)"
        kv vm.failed "$(systemctl --failed --no-legend --plain | awk '{print $1}' | paste -sd ' ')"
        kv php.version "$(ls /etc/php | sort -V | tail -n 1)"
        kv cgroup.fs "$(stat -f -c %T /sys/fs/cgroup)"
        kv vm.vcpus "$(nproc)"
        kv vm.swap "$(awk 'NR > 1 {s += $3 * 1024} END {print s + 0}' /proc/swaps)"
        for c in c512 c1g prop free; do
                d=$out/$c
                kv "$c.nspawn_rc" "$(cat "$d/nspawn.rc")"
                kv "$c.virt" "$(cat "$d/virt" 2>/dev/null)"
                kv "$c.cgroup" "$(cat "$d/cgroup" 2>/dev/null | paste -sd ';')"
                while read -r f v; do kv "$c.$f" "$v"; done <"$d/limits"
                kv "$c.text_rc" "$(cat "$d/text.rc" 2>/dev/null)"
                kv "$c.header" "$(head -n 1 "$d/text" 2>/dev/null)"
                kv "$c.json_rc" "$(cat "$d/json.rc" 2>/dev/null)"
                python3 - "$d/json" "$c" <<'PY'
import json, sys
c = sys.argv[2]
try:
    d = json.load(open(sys.argv[1]))
except Exception as e:
    print(f"KV {c}.json_error={e}")
    sys.exit(0)
b = d.get("budget") or {}
kv = {"ram_bytes": d.get("ram_bytes"), "tier": d.get("tier"), "container": d.get("container"),
      "swap_action": (d.get("swap") or {}).get("action"), "sysctl": json.dumps(d.get("sysctl")),
      "budget.vcpus": b.get("vcpus"), "budget.swap_bytes": b.get("swap_bytes"),
      "budget.fits": b.get("fits"), "budget.ram_bytes": b.get("ram_bytes"),
      "vcpus": d.get("vcpus"), "vcpus_source": d.get("vcpus_source")}
for line in b.get("lines", []):
    if line.get("role") == "php":
        kv["php.count"] = line.get("count")
        kv["php.bound"] = line.get("bound")
        kv["php.cpu"] = (line.get("bounds") or {}).get("cpu")
        kv["php.why"] = line.get("why")
    if line.get("role") == "database":
        kv["db.count"] = line.get("count")
notes = [n for n in d.get("notes", []) if n.startswith("container ")]
kv["notes.container"] = " | ".join(notes)
for n in notes:
    if "no swapfile" in n:
        kv["notes.swap"] = n
    if "vm.swappiness" in n:
        kv["notes.sysctl"] = n
    if "is visible in its cgroup" in n:
        kv["notes.unseen"] = n
for k, v in kv.items():
    print(f"KV {c}.{k}={v}")
PY
        done
        d=$out/boot
        kv boot.nspawn_rc "$(cat $d/nspawn.rc 2>/dev/null)"
        kv boot.system "$(cat $d/system 2>/dev/null)"
        kv boot.failed "$(cat $d/failed 2>/dev/null | paste -sd ';')"
        kv boot.memprov "$(sort $d/memprov 2>/dev/null | paste -sd ' ')"
        kv boot.header "$(grep -m 1 '^RAM ' $d/journal 2>/dev/null)"
        kv boot.active "$(paste -sd ' ' $d/active 2>/dev/null)"
        while read -r f v; do kv "boot.$f" "$v"; done <$d/limits
        sed 's/^/LIVE /' $d/live 2>/dev/null
        d=$out/lxc
        kv lxc.rc "$(cat $d/lxc.rc 2>/dev/null)"
        kv lxc.uid_map "$(head -n 1 $d/uid_map 2>/dev/null | xargs)"
        kv lxc.cgroup "$(paste -sd ';' $d/cgroup 2>/dev/null)"
        while read -r f v; do kv "lxc.$f" "$v"; done <$d/limits
        kv lxc.run_rc "$(cat $d/run.rc 2>/dev/null)"
        kv lxc.rerun_rc "$(cat $d/rerun.rc 2>/dev/null)"
        kv lxc.header "$(head -n 1 $d/run 2>/dev/null)"
        kv lxc.note_swap "$(grep -m 1 -o 'container [a-z-]*: no swapfile.*' $d/run 2>/dev/null)"
        kv lxc.note_sysctl "$(grep -m 1 -o 'container [a-z-]*: vm.swappiness.*' $d/run 2>/dev/null)"
        kv lxc.rerun "$(tail -n 1 $d/rerun 2>/dev/null)"
        python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print("KV lxc.json=%s %s %s %s %s" % (d["container"], d["ram_bytes"], d["tier"], d["vcpus"], d["swap"]["size_bytes"]))' $d/json 2>/dev/null
        for c in c512 c1g prop free; do
                for f in nspawn.log host-cgroup limits text json.err; do
                        echo "=== $c $f"
                        cat "$out/$c/$f" 2>/dev/null
                        echo "---"
                done
        done
        for f in host-cgroup journal live; do
                echo "=== boot $f"
                cat "$out/boot/$f" 2>/dev/null
                echo "---"
        done
        for f in console run json.err; do
                echo "=== lxc $f"
                cat "$out/lxc/$f" 2>/dev/null
                echo "---"
        done
        echo "=== lxc lxc.log (errors)"
        grep -a -E "ERROR|WARN" "$out/lxc/lxc.log" 2>/dev/null | tail -n 20
        echo "---"
        echo "=== vm failed units at settle"
        cat $out/failed-journal 2>/dev/null
        echo "---"
        echo "=== boot console (last 40 lines)"
        sed 's/\x1b\[[0-9;]*[mK]//g' "$out/boot/console" 2>/dev/null | tail -n 40
        echo "---"
        echo MEMPROV-REPORT-END
} >$out/report 2>&1
stty -F /dev/ttyS1 raw -echo 115200 2>/dev/null
cat $out/report >/dev/ttyS1
sync
systemctl poweroff --no-block
