# shellcheck shell=bash
# Helpers for the real-container tests (issue 22): tests/integration/container-nspawn.sh (in
# `make check`) and tests/container/*.sh (`make check-container`). Source after tests/lib.sh and
# enter_mount_namespace. Each boots the reference image's root filesystem (an overlay on the
# cached disk.raw: the image never changes) with this tree's memprov in a memory cgroup of 512M;
# a oneshot in the container writes a report and powers it off; container_checks reads it.
IMAGE=${IMAGE:-/var/cache/memprov-images/latest/disk.raw} # images/build-image's newest
CGFS=/sys/fs/cgroup
LIMIT=536870912
CONTAINER_TESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# container_can_run: root, the image and a memory cgroup, else a SKIP line and non-zero.
container_can_run() {
        [ "$(id -u)" = 0 ] || { skip "container" "needs root"; return 1; }
        [ -f "$IMAGE" ] || { skip "container" "no reference image (make image)"; return 1; }
        [ -d $CGFS/memory ] || [ -f $CGFS/cgroup.controllers ] ||
                { skip "container" "no memory cgroup"; return 1; }
        [ -d "$SCRATCH/lower" ] && return 0
        mkdir -p "$SCRATCH/lower" && mount -o ro,loop,noload "$IMAGE" "$SCRATCH/lower" ||
                { not_ok "mount the image"; return 1; }
        at_exit "umount -l '$SCRATCH/lower'"
}

# container_root DIR: a writable overlay of the image at DIR/root with this tree's memprov, its
# defaults and unit, the report oneshot, and DIR/report for it. metacopy: a user-namespace
# container's files are chowned into its UID range, and with metacopy a chown copies up the
# inode only, not the data (overlayfs.rst "Metadata only copy up"): seconds, not 1.7G. The
# image as a container image: an fstab without the VM's block device (a container's root is
# its manager's), SSH host keys (cloud-init makes them on the VM, and is disabled here: no
# datasource), networking.service masked (the manager configures the network).
container_root() {
        local d=$1 R=$1/root opts
        mkdir -p "$d/up" "$R" "$d/report" && mount -t tmpfs tmpfs "$d/up" &&
                mkdir -p "$d/up/u" "$d/up/w" || return 1
        opts="lowerdir=$SCRATCH/lower,upperdir=$d/up/u,workdir=$d/up/w"
        mount -t overlay overlay -o "$opts,metacopy=on,redirect_dir=on" "$R" 2>/dev/null ||
                mount -t overlay overlay -o "$opts" "$R" || return 1
        at_exit "umount -l '$R'; umount -l '$d/up'"
        # Written by the container's root, a host UID other than 0 in a user namespace.
        chmod 1777 "$d/report"
        install -m 0755 "$MEMPROV" "$R/usr/sbin/memprov" || return 1
        # An ASan/UBSan build needs its runtime libraries, which the image does not have.
        ldd "$MEMPROV" | awk '/lib(a|ub)san/ {print $3}' | while read -r lib; do
                cp -n "$lib" "$R$lib"
        done
        cp "$DEFAULTS"/*.conf "$R/usr/lib/memprov/"
        cp "$CONTAINER_TESTS/../units/memprov.service" "$R/lib/systemd/system/memprov.service"
        touch "$R/etc/cloud/cloud-init.disabled"
        # The node exporter's textfile directory: memprov writes memprov.prom where it exists.
        mkdir -p "$R/var/lib/prometheus/node-exporter"
        ln -sf /dev/null "$R/etc/systemd/system/networking.service"
        echo "# /etc/fstab: a container's root is set up by its manager" >"$R/etc/fstab"
        ssh-keygen -q -A -f "$R" >/dev/null || return 1
        cat >"$R/etc/systemd/system/container-report.service" <<'EOU'
[Unit]
After=multi-user.target
[Service]
Type=oneshot
ExecStart=/bin/sh -c 'systemctl is-system-running >/report/system 2>&1; systemctl --failed --no-legend --plain >/report/failed; systemctl show -p ActiveState,Result,ExecMainStatus memprov.service >/report/memprov; journalctl -b -o cat -u memprov.service --no-pager >/report/journal; for u in mariadb apache2 php8.2-fpm; do echo $u $(systemctl is-active $u); done >/report/active; cp /var/lib/memprov/state /report/state; cp /var/lib/prometheus/node-exporter/memprov.prom /report/metrics; ls -la / >/report/root; cat /proc/swaps >/report/swaps; systemd-detect-virt --container >/report/virt; cat /proc/self/uid_map >/report/uid_map; for f in /proc/self/cgroup /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu.max; do echo "== $f"; cat $f; done >/report/cgroup 2>&1; grep -E "^(MemTotal|SwapTotal):" /proc/meminfo >/report/meminfo; memprov --status --json >/report/status.json 2>/report/status.err; memprov --status >/report/status 2>>/report/status.err; /usr/local/sbin/live-report >/report/live 2>&1; systemctl poweroff'
[Install]
WantedBy=multi-user.target
EOU
        ln -s ../container-report.service "$R/etc/systemd/system/multi-user.target.wants/"
        mkdir -p "$R/usr/local/sbin" && live_report_script >"$R/usr/local/sbin/live-report" &&
                chmod 0755 "$R/usr/local/sbin/live-report"
}

# live_report_script: a script for a booted container (or machine) that prints what its running
# services took from memprov's drop-ins, read back live: each key of each systemd drop-in
# (50-memprov.conf) as `systemctl show` reports it, with the value in force where there is one
# (the unit's cgroup's memory.high and memory.max, its main process's oom_score_adj); each
# [mysqld] key of 99-memprov.cnf as the running server reports it (SELECT @@GLOBAL.key). Lines:
# "dropin UNIT listed|missing" (the unit's DropInPaths), "unit UNIT KEY FILE-VALUE SHOW-VALUE
# LIVE-VALUE" (LIVE "-": none to read) and "mysqld KEY FILE-VALUE SERVER-VALUE". live_problems
# checks them. Also shipped to the reference VM by tests/vm/scenario-16.sh.
live_report_script() {
        cat <<'EOS'
#!/bin/sh
for f in /etc/systemd/system/*.d/50-memprov.conf; do
        [ -e "$f" ] || continue
        u=${f%/*}
        u=${u##*/}
        u=${u%.d}
        case " $(systemctl show -p DropInPaths --value "$u") " in
        *" $f "*) echo "dropin $u listed" ;;
        *) echo "dropin $u missing" ;;
        esac
        cg=/sys/fs/cgroup$(systemctl show -p ControlGroup --value "$u")
        pid=$(systemctl show -p MainPID --value "$u")
        sed -n 's/^\([A-Za-z]*\)=\(.*\)$/\1 \2/p' "$f" | while read -r k v; do
                p=$k
                [ "$k" = RestartSec ] && p=RestartUSec
                live=-
                case $k in
                MemoryHigh) live=$(cat "$cg/memory.high" 2>/dev/null) ;;
                MemoryMax) live=$(cat "$cg/memory.max" 2>/dev/null) ;;
                OOMScoreAdjust) live=$(cat "/proc/$pid/oom_score_adj" 2>/dev/null) ;;
                esac
                echo "unit $u $k $v $(systemctl show -p "$p" --value "$u") ${live:--}"
        done
done
f=/etc/mysql/mariadb.conf.d/99-memprov.cnf
[ -e "$f" ] && sed -n '/^\[mysqld\]/,/^\[/s/^\([a-z_-]*\) *= *\([^ ]*\)$/\1 \2/p' "$f" |
        while read -r k v; do
                echo "mysqld $k $v $(mariadb -NBe "SELECT @@GLOBAL.$(echo "$k" | tr - _)" 2>&1)"
        done
EOS
}


# QUOTA (microseconds of CPU time per 100000, unset: none): a CPU quota for the next boot, as
# `QUOTA=50000 nspawn_boot ...` (half a CPU: cpu.max "50000 100000", v1 cpu.cfs_quota_us 50000
# over cpu.cfs_period_us 100000); memprov counts it as ceil(QUOTA / 100000) vCPUs.
# quota_vcpus: the vCPUs memprov must find: that, at most the CPUs this process may run on.
quota_vcpus() {
        local n q
        n=$(nproc)
        [ -n "${QUOTA:-}" ] || { echo "$n"; return; }
        q=$(((QUOTA + 99999) / 100000))
        echo $((q < n ? q : n))
}

# container_cgroups NAME SWAP: this boot's cgroups in CGS (the memory one first), limited to
# LIMIT and, when SWAP is 0, to no swap; with QUOTA, to that CPU quota. On a v1 hybrid host the
# name=systemd and unified hierarchies get one too: a container's systemd in a user namespace
# can only create its init.scope in a cgroup its manager chowned to it; and the cpu one, where
# LXC's own cgroup (lxc.cgroup.relative) and its quota go below this one.
container_cgroups() {
        local name=$1 swap=$2 h
        if [ -f $CGFS/cgroup.controllers ]; then
                CGS=("$CGFS/$name")
                mkdir "${CGS[0]}" && echo $LIMIT >"${CGS[0]}/memory.max" || return 1
                [ "$swap" != 0 ] || echo 0 >"${CGS[0]}/memory.swap.max" || return 1
                [ -z "${QUOTA:-}" ] || echo "$QUOTA 100000" >"${CGS[0]}/cpu.max" || return 1
        else
                CGS=("$CGFS/memory/$name")
                for h in systemd unified cpu; do [ -d "$CGFS/$h" ] && CGS+=("$CGFS/$h/$name"); done
                mkdir "${CGS[@]}" && echo $LIMIT >"${CGS[0]}/memory.limit_in_bytes" || return 1
                # memsw counts memory and swap: equal to the memory limit is no swap.
                [ "$swap" != 0 ] || echo $LIMIT >"${CGS[0]}/memory.memsw.limit_in_bytes" || return 1
                if [ -n "${QUOTA:-}" ]; then
                        echo 100000 >"$CGFS/cpu/$name/cpu.cfs_period_us" &&
                                echo "$QUOTA" >"$CGFS/cpu/$name/cpu.cfs_quota_us" || return 1
                fi
        fi
        # The manager and the container's systemd make cgroups below ours: deepest first.
        at_exit "find ${CGS[*]} -depth -type d -exec rmdir {} +"
}

# live_problems FILE UNIT...: live_report_script's FILE checked: every drop-in in DropInPaths,
# every value as the file says (sizes in bytes, RestartSec in seconds), a drop-in for each UNIT
# and at least one [mysqld] key; with OOM_LOWER_DENIED=1 a negative OOMScoreAdjust not in force
# is expected (oom_lower_denied in lib/container.c) and only said; prints one line per problem (nothing: none) and a
# "# N keys read back" summary on stderr.
live_problems() {
        python3 - "$@" <<'EOP'
import re, sys
SIZE = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
def norm(key, v):
    m = re.fullmatch(r"(\d+)([KMG])", v)
    if m:
        return str(int(m.group(1)) * SIZE[m.group(2)])
    if key == "RestartSec" and v.isdigit():
        return v + "s"
    # MariaDB shows a boolean or query_cache_type's 0/1 as OFF/ON.
    return {"off": "0", "on": "1"}.get(v.lower(), v.lower())
import os
oom_lower_denied = os.environ.get("OOM_LOWER_DENIED") == "1"
lines = [l.split(" ", 5) for l in open(sys.argv[1]).read().splitlines()]
bad, units, keys = [], set(), 0
for f in lines:
    if f[0] == "dropin":
        units.add(f[1])
        if f[2] != "listed":
            bad.append(f"{f[1]}: 50-memprov.conf not in DropInPaths")
    elif f[0] == "unit" and len(f) == 6:
        _, unit, key, want, shown, live = f
        keys += 1
        if norm(key, want) != norm(key, shown):
            bad.append(f"{unit} {key}: file {want}, systemctl show {shown}")
        if live != "-" and norm(key, want) != norm(key, live):
            if key == "OOMScoreAdjust" and want.startswith("-") and oom_lower_denied:
                print(f"# {unit} {key}={want} not in force ({live}): cannot be lowered here",
                      file=sys.stderr)
            else:
                bad.append(f"{unit} {key}: file {want}, in force {live}")
    elif f[0] == "mysqld" and len(f) == 4:
        keys += 1
        if norm(f[1], f[2]) != norm(f[1], f[3]):
            bad.append(f"mysqld {f[1]}: file {f[2]}, server {f[3]}")
    else:
        bad.append("unexpected: " + " ".join(f))
for u in sys.argv[2:]:
    if u not in units:
        bad.append(f"{u}: no drop-in")
if not any(f[0] == "mysqld" for f in lines):
    bad.append("no [mysqld] key read back")
print(f"# {keys} keys read back from {len(units)} drop-ins and 99-memprov.cnf", file=sys.stderr)
print("\n".join(bad))
EOP
}

# container_checks LABEL DIR MANAGER SWAP: what the container in DIR reported.
container_checks() {
        local label=$1 d=$2 virt=$3 swap=$4 failed vcpus src
        rep() { cat "$d/report/$1" 2>/dev/null; }
        check "$label: the container booted to the report" test -s "$d/report/memprov"
        check_eq "$label: systemd-detect-virt inside" "$(rep virt)" "$virt"
        check_eq "$label: memprov.service succeeded" "$(rep memprov | sort | tr '\n' ' ')" \
                "ActiveState=active ExecMainStatus=0 Result=success "
        check "$label: the plan names the container and its 512M" \
                grep -q "^RAM 512M, tier 512M, container $virt" <(rep journal)
        # The limit is seen (v1: memory.stat's hierarchical limit; v2: on the container's own
        # cgroup), so no note says it may not be (lib/container.c container_unseen_limits).
        check "$label: no note of an unseen limit" bash -c "! grep -q 'no memory limit.* is visible' '$d/report/journal'"
        check "$label: tier 512M recorded" grep -qx "tier = 512M" <(rep state)
        vcpus=$(quota_vcpus)
        # Why: the quota where it is below the CPUs, else the online CPUs (no cpuset here).
        src="online CPUs"
        [ -z "${QUOTA:-}" ] || [ "$vcpus" = "$(nproc)" ] || src="cgroup CPU quota"
        check "$label: the plan's first line says $vcpus vCPU ($src)" grep -E -q \
                "^RAM 512M, tier 512M, container $virt .*, $vcpus vCPUs? \($src\)\$" <(rep journal)
        check "$label: PHP's cpu bound from $vcpus vCPU${QUOTA:+ (CPU quota $QUOTA/100000)}" \
                grep -E -q "\(cpu [0-9]+ \([0-9]+ x $vcpus vCPU\)" <(rep journal)
        check "$label: no swapfile attempted: a note says why" \
                grep -q "container $virt: no swapfile" <(rep journal)
        check "$label: no /swapfile" bash -c "! grep -q ' swapfile' '$d/report/root'"
        check "$label: no swap in the container's /etc/fstab" bash -c "! grep -q swap '$d/root/etc/fstab'"
        check "$label: no zram-generator config (the generator does nothing in a container)" \
                test ! -e "$d/root/etc/systemd/zram-generator.conf.d/50-memprov.conf"
        check "$label: mariadb's drop-in for 512M" test -s "$d/root/etc/mysql/mariadb.conf.d/99-memprov.cnf"
        check_eq "$label: MariaDB, Apache, PHP-FPM run" "$(rep active | tr '\n' ' ')" \
                "mariadb active apache2 active php8.2-fpm active "
        check "$label: --status --json in the container names it" \
                grep -q "\"container\": *\"$virt\"" <(rep status.json)
        check "$label: --status in the container names it" \
                grep -q "^container  *$virt (RAM from " <(rep status)
        check "$label: the metrics name the container" \
                grep -qx "memprov_container{name=\"$virt\"} 1" <(rep metrics)
        # A swap limit of 0 is no swap; else the host's, which other tests on this host may
        # switch on and off at any time (swap is the kernel's, not a namespace's).
        if [ "$swap" = 0 ]; then
                check "$label: the swap note says the container has none" \
                        grep -E -q "no swapfile \((swapon: Operation not permitted|systemd ignores fstab swap in a container)\); it has no swap\$" <(rep journal)
                check "$label: the budget counts no swap" grep -E -q "RAM \+ [0-9]+% of 0M swap" <(rep journal)
        else
                check "$label: the swap note names the container's swap" grep -E -q \
                        "no swapfile \((swapon: Operation not permitted|systemd ignores fstab swap in a container)\); (it has no swap|its swap is the host's, [0-9])" <(rep journal)
        fi
        # memprov's drop-ins took effect in the booted container (issue 22): read back live by
        # container_root's live-report. A cgroup's memory.high/max only where the container's
        # systemd got the memory controller (cgroup v2 with it delegated; not v1's, which the
        # container's systemd does not manage): else "-" and the systemctl show value alone.
        # Lowering an oom_score_adj needs CAP_SYS_RESOURCE in the host's user namespace: never
        # in a user namespace, and not on a host whose bounding set lacks it (this one's).
        local problems denied=0
        [ "$(rep uid_map | xargs)" = "0 0 4294967295" ] || denied=1
        (($((0x$(awk '/^CapBnd:/ {print $2}' /proc/self/status))) >> 24 & 1)) || denied=1
        if [ "$denied" = 1 ]; then
                check "$label: a note says the database's OOMScoreAdjust has no effect here" grep -q \
                        "container $virt: OOMScoreAdjust=-[0-9]* for mariadb.service has no effect here" <(rep journal)
        else
                check "$label: no note of an OOMScoreAdjust without effect" \
                        bash -c "! grep -q 'OOMScoreAdjust=.* has no effect here' '$d/report/journal'"
        fi
        problems=$(OOM_LOWER_DENIED=$denied live_problems "$d/report/live" mariadb.service \
                apache2.service php8.2-fpm.service 2>"$d/live.summary")
        sed "s/^# /# $label: /" "$d/live.summary"
        check_eq "$label: the drop-ins of MariaDB, Apache and PHP-FPM read back live" "$problems" ""
        failed=$(rep failed)
        echo "# $label: failed units: ${failed:-none}; uid_map: $(rep uid_map | xargs)"
        check_eq "$label: no unit failed" "$failed" ""
        if [ -n "${VERBOSE:-}" ]; then
                rep cgroup
                rep journal
                sed "s/\x1b\[[0-9;]*[mK]//g" "$d/console" | grep -a -E "FAILED|rror" | tail
        fi
}

# nspawn_boot LABEL SWAP NSPAWN-OPTIONS...: boots the image with systemd-nspawn in its own
# cgroups, with a private network (loopback only: no veth to leave behind; Apache and sshd bind
# their ports in it), and checks its report. Works on a host without systemd as PID 1
# (--keep-unit --register=no).
nspawn_boot() {
        local label=$1 swap=$2 d=$SCRATCH/$1 start
        shift 2
        container_root "$d" || { not_ok "$label: the image's root"; return; }
        container_cgroups "memprov-test-$$-$label" "$swap" || { not_ok "$label: cgroups"; return; }
        start=$(date +%s)
        (for cg in "${CGS[@]}"; do echo $BASHPID >"$cg/cgroup.procs" || exit 1; done &&
                exec timeout 240 systemd-nspawn -q --register=no --keep-unit --private-network \
                        "$@" -b -D "$d/root" --bind="$d/report:/report" >"$d/console" 2>&1)
        echo "# $label: booted and powered off in $(($(date +%s) - start)) s"
        container_checks "$label" "$d" systemd-nspawn "$swap"
}

# Unprivileged LXC containers (tests/container/lxc*.sh): host UIDs and GIDs BASE to BASE + 65535.
BASE=1000000

# lxc_subids: where the uidmap package is installed, LXC maps the IDs with newuidmap(1), which
# allows only the ranges /etc/subuid and /etc/subgid grant root (subuid(5)): this test's own
# files, in its mount namespace (the host's are never changed).
lxc_subids() {
        local f
        command -v newuidmap >/dev/null || return 0
        if [ ! -e /etc/subuid ] || [ ! -e /etc/subgid ]; then
                overlay /etc && at_exit "umount -l /etc" || { not_ok "lxc: /etc overlay"; return 1; }
        fi
        for f in subuid subgid; do
                { cat /etc/$f 2>/dev/null; echo "root:$BASE:65536"; } >"$SCRATCH/$f"
                { [ -e /etc/$f ] || touch /etc/$f; } && mount --bind "$SCRATCH/$f" /etc/$f ||
                        { not_ok "lxc: /etc/$f for root"; return 1; }
        done
}

# shift_ids_script: a program, ROOT BASE [TOP...]: every file's owner and group + BASE, as
# lxc-usernsexec or nspawn's chown would; chown clears set-user-ID and set-group-ID bits
# (chown(2)), so the mode is set again. With TOPs only ROOT and those trees under it (scenario 16
# shifts the VM's /etc, /var and /run, what memprov writes; the rest stays readable as nobody).
shift_ids_script() {
        cat <<'EOP'
#!/usr/bin/python3
import os, stat, sys
root, base, tops = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
def shift(p):
    st = os.lstat(p)
    os.lchown(p, st.st_uid + base, st.st_gid + base)
    if not stat.S_ISLNK(st.st_mode) and st.st_mode & 0o6000:
        os.chmod(p, stat.S_IMODE(st.st_mode))
shift(root)
for top in tops or [""]:
    t = os.path.join(root, top) if top else root
    if top:
        shift(t)
    for d, dirs, files in os.walk(t):
        for name in dirs + files:
            shift(os.path.join(d, name))
EOP
}

# shift_ids DIR [TOP...]: shift_ids_script over DIR with this file's BASE.
shift_ids() {
        python3 -c "$(shift_ids_script)" "$1" "$BASE" "${@:2}"
}
