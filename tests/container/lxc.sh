#!/bin/bash
# LXC containers (issue 22): LXC 5 (Debian's lxc) boots the reference image's root filesystem
# (tests/container-lib.sh) with this tree's memprov, its memory limited to 512M by the
# container's own cgroup (lxc.cgroup.memory.limit_in_bytes, lxc.cgroup2.memory.max), three ways:
#  - privileged, the swap the host's;
#  - unprivileged: a user namespace (lxc.idmap; the image's files shifted into the range on a
#    metacopy overlay), a swap limit of 0, and a CPU quota of half a CPU on its own cgroup
#    (lxc.cgroup.cpu.cfs_quota_us 50000 over cfs_period_us 100000; v2 lxc.cgroup2.cpu.max)
#    with lxc.mount.auto = cgroup:mixed:force: with a cgroup namespace LXC otherwise leaves the
#    cgroup mounts to the container's init (lxc.container.conf(5), lxc.mount.auto), and systemd
#    252 there mounts no cpu hierarchy on this v1 hybrid host, so no quota is visible (measured:
#    the same boot without it: no /sys/fs/cgroup/cpu, memprov counts 2 vCPUs, "online CPUs");
#  - unprivileged with lxcfs: /proc/meminfo virtualised (lxcfs on a private /var/lib/lxcfs, which
#    lxcfs's own LXC mount hook binds over /proc), so MemTotal says 512M and memprov reads it.
# Each: memprov.service succeeds, no swapfile attempted, the 512M tier's drop-ins, the services
# run, no unit fails. No network (lxc.net.0.type = empty: loopback only, no veth or bridge); the
# containers' cgroups are made below this test's and removed with them.
source "$(dirname "$0")/../lib.sh"
enter_mount_namespace "$@"
source "$(dirname "$0")/../container-lib.sh"

command -v lxc-start >/dev/null || { skip "lxc" "no lxc-start (apt install lxc)"; exit 0; }
container_can_run || exit 0
# LXC parks its monitor in an lxc.pivot cgroup at the top of each v1 hierarchy the caller sits
# at the top of; the ones this test made go with it.
for p in $CGFS/*/lxc.pivot; do [ -d "$p" ] || at_exit "rmdir $p"; done
LXCPATH=$SCRATCH/lxc
lxc_subids || exit 1

# lxc_boot LABEL SWAP userns|privileged [lxcfs|late-journal]
# late-journal: the container's journald is stopped while memprov runs and continued after it
# exited, so journald reads every record of memprov's after the process is gone and cannot
# find its unit from /proc/PID (on a busy host it happened by chance: only PID 1's Starting
# and Finished lines were left under -u memprov.service). The records name their unit
# themselves (lib/journal.c), so the journal checks hold all the same.
lxc_boot() {
        local label=$1 swap=$2 mode=$3 lxcfs= late= d=$SCRATCH/$1 name=memprov-$1-$$ start
        case ${4:-} in lxcfs) lxcfs=1 ;; late-journal) late=1 ;; esac
        container_root "$d" || { not_ok "$label: the image's root"; return; }
        if [ -n "$late" ]; then
                mkdir -p "$d/root/etc/systemd/system/memprov.service.d"
                printf '%s\n' "[Service]" \
                        'ExecStartPre=/bin/sh -c "kill -STOP $(pidof systemd-journald)"' \
                        'ExecStartPost=/bin/sh -c "sleep 1; kill -CONT $(pidof systemd-journald)"' \
                        >"$d/root/etc/systemd/system/memprov.service.d/late-journal.conf"
        fi
        container_cgroups "memprov-test-$$-$label" host || { not_ok "$label: cgroups"; return; }
        mkdir -p "$LXCPATH/$name"
        {
                echo "lxc.uts.name = vps"
                echo "lxc.rootfs.path = dir:$d/root"
                echo "lxc.include = /usr/share/lxc/config/common.conf"
                [ "$mode" = userns ] && echo "lxc.include = /usr/share/lxc/config/userns.conf"
                echo "lxc.apparmor.profile = unconfined"
                echo "lxc.net.0.type = empty"
                echo "lxc.cgroup.relative = 1"
                echo "lxc.console.logfile = $d/console"
                echo "lxc.mount.entry = $d/report report none bind,create=dir 0 0"
                if [ -f $CGFS/cgroup.controllers ]; then
                        echo "lxc.cgroup2.memory.max = $LIMIT"
                        [ "$swap" = 0 ] && echo "lxc.cgroup2.memory.swap.max = 0"
                else
                        echo "lxc.cgroup.memory.limit_in_bytes = $LIMIT"
                        [ "$swap" = 0 ] && echo "lxc.cgroup.memory.memsw.limit_in_bytes = $LIMIT"
                fi
                if [ -n "${QUOTA:-}" ] && [ -f $CGFS/cgroup.controllers ]; then
                        echo "lxc.cgroup2.cpu.max = $QUOTA 100000"
                elif [ -n "${QUOTA:-}" ]; then
                        echo "lxc.cgroup.cpu.cfs_period_us = 100000"
                        echo "lxc.cgroup.cpu.cfs_quota_us = $QUOTA"
                fi
                [ -z "${MOUNT_AUTO:-}" ] || echo "lxc.mount.auto = $MOUNT_AUTO"
                if [ "$mode" = userns ]; then
                        echo "lxc.idmap = u 0 $BASE 65536"
                        echo "lxc.idmap = g 0 $BASE 65536"
                fi
        } >"$LXCPATH/$name/config"
        if [ "$mode" = userns ]; then
                # The container's root (host UID BASE) walks the path to its rootfs.
                chmod 0711 "$SCRATCH" "$d" && shift_ids "$d/root" ||
                        { not_ok "$label: shift the image's IDs"; return; }
                # debugfs cannot be mounted in a user namespace, but the unit's
                # ConditionCapability=CAP_SYS_RAWIO holds in the container's own: not memprov's.
                ln -sf /dev/null "$d/root/etc/systemd/system/sys-kernel-debug.mount"
        fi
        start=$(date +%s)
        (for cg in "${CGS[@]}"; do echo $BASHPID >"$cg/cgroup.procs" || exit 1; done &&
                lxc-start -P "$LXCPATH" -n "$name" -d -o "$d/lxc.log" -l INFO &&
                lxc-wait -P "$LXCPATH" -n "$name" -s STOPPED -t 240)
        lxc-stop -P "$LXCPATH" -n "$name" -k >/dev/null 2>&1
        echo "# $label: booted and powered off in $(($(date +%s) - start)) s"
        [ -n "${VERBOSE:-}" ] && grep -a -E "ERROR|WARN" "$d/lxc.log" | tail -15
        container_checks "$label" "$d" lxc "$swap"
        if [ -n "$lxcfs" ]; then
                check_eq "$label: lxcfs's MemTotal in the container" \
                        "$(awk '/^MemTotal:/ {print $2}' "$d/report/meminfo")" $((LIMIT / 1024))
                check "$label: memprov's RAM from the virtualised MemTotal" \
                        grep -q "^RAM 512M, tier 512M, container lxc (RAM from MemTotal (virtualised))" "$d/report/journal"
        fi
}

# start_lxcfs: lxcfs on /var/lib/lxcfs, where its LXC mount hook (common.conf.d/00-lxcfs.conf)
# looks, in this test's mount namespace only (/var/lib an overlay: the host's never changes).
start_lxcfs() {
        command -v lxcfs >/dev/null || { skip "lxcfs" "no lxcfs (apt install lxcfs)"; return 1; }
        overlay /var/lib && mkdir -p /var/lib/lxcfs || { not_ok "lxcfs: /var/lib/lxcfs"; return 1; }
        lxcfs -f /var/lib/lxcfs >"$SCRATCH/lxcfs.log" 2>&1 &
        at_exit "kill $!; umount -l /var/lib/lxcfs; umount -l /var/lib"
        for _ in $(seq 50); do [ -f /var/lib/lxcfs/proc/meminfo ] && return 0; sleep 0.1; done
        not_ok "lxcfs: /var/lib/lxcfs/proc/meminfo"
        return 1
}

lxc_boot lxc-privileged host privileged late-journal
QUOTA=50000 MOUNT_AUTO=cgroup:mixed:force lxc_boot lxc-userns 0 userns
# Last: from here on every container's /proc/meminfo is lxcfs's.
start_lxcfs && lxc_boot lxc-lxcfs host userns lxcfs
exit "${T_FAILED:-0}"
