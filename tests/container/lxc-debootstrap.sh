#!/bin/bash
# An unprivileged LXC container on a plain Debian root filesystem (issue 22), no reference image:
# `debootstrap --variant=minbase bookworm` (cached as a tarball in ROOTFS_TAR: ~3.5 min once,
# then seconds; NO_DEBOOTSTRAP=1: a SKIP without it), its files shifted into a user namespace's
# range, this tree's memprov and the libraries it links copied in. lxc-execute runs memprov as
# the container's root (an unprivileged host UID) in the container's own cgroup, limited to 512M
# and no swap (v1 memory.limit_in_bytes and memory.memsw.limit_in_bytes; v2 memory.max and
# memory.swap.max) and half a CPU. memprov must see the limit (RAM 512M from the cgroup, tier
# 512M, 1 vCPU), skip the swapfile (swapon: EPERM) and vm.swappiness (read-only in a user
# namespace) with one note each, record the tier and exit 0; a second run changes nothing. No
# systemd boots here (the booted containers are lxc.sh and nspawn-userns.sh, on the reference
# image); no network (lxc.net.0.type = empty). ~26 s with the tarball.
source "$(dirname "$0")/../lib.sh"
enter_mount_namespace "$@"
source "$(dirname "$0")/../container-lib.sh"

ROOTFS_TAR=${ROOTFS_TAR:-/var/cache/memprov-images/bookworm-minbase.tar}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
[ "$(id -u)" = 0 ] || { skip "lxc-debootstrap" "needs root"; exit 0; }
command -v lxc-execute >/dev/null || { skip "lxc-debootstrap" "no lxc-execute (apt install lxc)"; exit 0; }
[ -d $CGFS/memory ] || [ -f $CGFS/cgroup.controllers ] || { skip "lxc-debootstrap" "no memory cgroup"; exit 0; }

# The cached root filesystem, made once: debootstrap into scratch, tarred, renamed into place.
if [ ! -s "$ROOTFS_TAR" ]; then
        [ -z "${NO_DEBOOTSTRAP:-}" ] ||
                { skip "lxc-debootstrap" "no $ROOTFS_TAR (make check-container makes it)"; exit 0; }
        command -v debootstrap >/dev/null ||
                { skip "lxc-debootstrap" "no $ROOTFS_TAR and no debootstrap (apt install debootstrap)"; exit 0; }
        echo "# debootstrap --variant=minbase bookworm into $ROOTFS_TAR (once)"
        mkdir -p "$(dirname "$ROOTFS_TAR")" &&
                debootstrap --variant=minbase bookworm "$SCRATCH/dbs" "$MIRROR" >"$SCRATCH/dbs.log" 2>&1 &&
                tar -C "$SCRATCH/dbs" --numeric-owner -cf "$ROOTFS_TAR.tmp" . &&
                mv "$ROOTFS_TAR.tmp" "$ROOTFS_TAR" ||
                { rm -f "$ROOTFS_TAR.tmp"; tail -3 "$SCRATCH/dbs.log"; skip "lxc-debootstrap" "debootstrap failed (offline?)"; exit 0; }
        rm -rf "$SCRATCH/dbs"
fi

LXCPATH=$SCRATCH/lxc
D=$SCRATCH/c
R=$D/root
NAME=memprov-dbs-$$
lxc_subids || exit 1
mkdir -p "$R" "$D/report" "$LXCPATH/$NAME" && tar -C "$R" --numeric-owner -xf "$ROOTFS_TAR" ||
        { not_ok "lxc-debootstrap: unpack $ROOTFS_TAR"; exit 1; }
install -m 0755 "$MEMPROV" "$R/usr/sbin/memprov" && mkdir -p "$R/usr/lib/memprov" &&
        cp "$DEFAULTS"/*.conf "$R/usr/lib/memprov/" || { not_ok "lxc-debootstrap: install memprov"; exit 1; }
# minbase has libmount and libblkid, not libinih, libjson-c or libyaml (nor an ASan runtime).
ldd "$MEMPROV" | awk '$3 ~ /^\// {print $3}' | while read -r lib; do
        [ -e "$R$lib" ] || cp "$lib" "$R$lib"
done
chmod 1777 "$D/report"
# The container's root (host UID BASE) walks the path to its rootfs.
chmod 0711 "$SCRATCH" "$D" && shift_ids "$R" || { not_ok "lxc-debootstrap: shift the IDs"; exit 1; }

QUOTA=50000
container_cgroups "memprov-test-$$-dbs" 0 || { not_ok "lxc-debootstrap: cgroups"; exit 1; }
for p in $CGFS/*/lxc.pivot; do [ -d "$p" ] || at_exit "rmdir $p"; done
{
        echo "lxc.uts.name = vps"
        echo "lxc.rootfs.path = dir:$R"
        echo "lxc.include = /usr/share/lxc/config/common.conf"
        echo "lxc.include = /usr/share/lxc/config/userns.conf"
        echo "lxc.apparmor.profile = unconfined"
        echo "lxc.net.0.type = empty"
        echo "lxc.cgroup.relative = 1"
        echo "lxc.mount.auto = cgroup:mixed:force"
        echo "lxc.mount.entry = $D/report report none bind,create=dir 0 0"
        if [ -f $CGFS/cgroup.controllers ]; then
                echo "lxc.cgroup2.memory.max = $LIMIT"
                echo "lxc.cgroup2.memory.swap.max = 0"
                echo "lxc.cgroup2.cpu.max = $QUOTA 100000"
        else
                echo "lxc.cgroup.memory.limit_in_bytes = $LIMIT"
                echo "lxc.cgroup.memory.memsw.limit_in_bytes = $LIMIT"
                echo "lxc.cgroup.cpu.cfs_period_us = 100000"
                echo "lxc.cgroup.cpu.cfs_quota_us = $QUOTA"
        fi
        echo "lxc.idmap = u 0 $BASE 65536"
        echo "lxc.idmap = g 0 $BASE 65536"
} >"$LXCPATH/$NAME/config"

start=$(date +%s)
(for cg in "${CGS[@]}"; do echo $BASHPID >"$cg/cgroup.procs" || exit 1; done &&
        exec timeout 120 lxc-execute -P "$LXCPATH" -n "$NAME" -o "$D/lxc.log" -l INFO -- /bin/sh -c '
        cd /report
        cat /proc/self/uid_map >uid_map
        cat /proc/self/cgroup >cgroup
        tr "\0" "\n" </proc/1/environ >pid1.environ
        memprov --dry-run --json >plan.json 2>plan.err
        memprov >run 2>&1; echo $? >run.rc
        memprov >rerun 2>&1; echo $? >rerun.rc
        memprov --status --json >status.json 2>status.err
        cat /proc/sys/vm/swappiness >swappiness
        cat /proc/swaps >swaps
        ls -la / >rootdir
        true') >"$D/console" 2>&1
rc=$?
echo "# lxc-debootstrap: lxc-execute exit $rc in $(($(date +%s) - start)) s"
rep() { cat "$D/report/$1" 2>/dev/null; }
[ -n "${VERBOSE:-}" ] && { cat "$D/console"; rep run; grep -a -E "ERROR|WARN" "$D/lxc.log" | tail; }
check_eq "lxc-debootstrap: lxc-execute exit 0" "$rc" 0
check "lxc-debootstrap: container root is not host root" \
        awk 'NR == 1 && $1 == 0 && $2 != 0 {ok = 1} END {exit !ok}' "$D/report/uid_map"
check_eq "lxc-debootstrap: memprov exit 0" "$(rep run.rc)" 0
# lxc-execute's init.lxc has no $container (checked below), so memprov names the container as
# systemd-detect-virt does from the cgroup namespace alone (lib/container.c).
check "lxc-debootstrap: PID 1 has no \$container" bash -c "! grep -q '^container=' '$D/report/pid1.environ'"
check "lxc-debootstrap: the plan names container-other and RAM 512M from the cgroup, tier 512M" \
        grep -E -q "^RAM 512M, tier 512M, container container-other \(RAM from cgroup memory\.(limit_in_bytes|max)\)" <(rep run)
check "lxc-debootstrap: 1 vCPU from the CPU quota" grep -E -q "1 vCPU \(cgroup CPU quota\)\$" <(rep run)
check "lxc-debootstrap: no swapfile, a note says so" \
        grep -E -q "container container-other: no swapfile \(swapon: Operation not permitted\); it has no swap" <(rep run)
check "lxc-debootstrap: vm.swappiness left alone, a note says so" \
        grep -q "container container-other: vm.swappiness is read-only here; left alone" <(rep run)
check "lxc-debootstrap: no /swapfile" bash -c "! grep -q ' swapfile' '$D/report/rootdir'"
check "lxc-debootstrap: no swap in fstab" bash -c "! grep -q swap '$R/etc/fstab'"
check "lxc-debootstrap: the state records tier 512M" grep -qx "tier = 512M" "$R/var/lib/memprov/state"
check_eq "lxc-debootstrap: second run exit 0" "$(rep rerun.rc)" 0
check "lxc-debootstrap: second run changed nothing" grep -q "nothing changed" <(rep rerun)
check "lxc-debootstrap: --status --json names the container" grep -q '"container": *"container-other"' <(rep status.json)
[ -n "${VERBOSE:-}" ] && { rep plan.err; head -c 3000 "$D/report/plan.json"; }
check "lxc-debootstrap: first --dry-run --json: 512M, no swapfile, 1 vCPU" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ram_bytes"] == 536870912 and d["tier"] == "512M", (d["ram_bytes"], d["tier"])
assert d["container"] == "container-other" and d["swap"]["size_bytes"] == 0, d
assert d["vcpus"] == 1 and d["vcpus_source"] == "cgroup CPU quota", d
' "$D/report/plan.json"
exit "${T_FAILED:-0}"
