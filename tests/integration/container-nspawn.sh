#!/bin/bash
# A real container (issue 22): systemd-nspawn boots the reference image's root filesystem (an
# overlay on the cached disk.raw: the image never changes) with this tree's memprov, in a memory
# cgroup limited to 512M. memprov.service must succeed with no swapfile attempted, the services
# must get the 512M tier and run. Works on a host without systemd as PID 1 (--keep-unit
# --register=no; the limit is a cgroup this test makes). The image's networking.service is
# masked and cloud-init disabled: no network or datasource here (they would only delay the boot).
source "$(dirname "$0")/../lib.sh"
enter_mount_namespace "$@"

IMAGE=${IMAGE:-/var/cache/memprov-images/latest/disk.raw} # images/build-image's newest
[ "$(id -u)" = 0 ] || { skip "container" "needs root"; exit 0; }
command -v systemd-nspawn >/dev/null || { skip "container" "no systemd-nspawn (apt install systemd-container)"; exit 0; }
[ -f "$IMAGE" ] || { skip "container" "no reference image (make image)"; exit 0; }
V1=/sys/fs/cgroup/memory
[ -d $V1 ] || [ -f /sys/fs/cgroup/cgroup.controllers ] || { skip "container" "no memory cgroup"; exit 0; }

T=$SCRATCH R=$SCRATCH/root
mkdir -p "$T/lower" "$T/up" "$R" "$T/report"
mount -o ro,loop,noload "$IMAGE" "$T/lower" || { not_ok "mount the image"; exit 1; }
at_exit "umount -l '$T/lower'"
mount -t tmpfs tmpfs "$T/up" && mkdir -p "$T/up/u" "$T/up/w" &&
        mount -t overlay overlay -o "lowerdir=$T/lower,upperdir=$T/up/u,workdir=$T/up/w" "$R" ||
        { not_ok "overlay on the image"; exit 1; }
at_exit "umount -l '$R'; umount -l '$T/up'"

# This tree's memprov and its defaults in place of the image's package.
install -m 0755 "$MEMPROV" "$R/usr/sbin/memprov"
cp "$DEFAULTS"/*.conf "$R/usr/lib/memprov/"
cp "$(dirname "$0")/../../units/memprov.service" "$R/lib/systemd/system/memprov.service"
touch "$R/etc/cloud/cloud-init.disabled"
ln -sf /dev/null "$R/etc/systemd/system/networking.service"
cat >"$R/etc/systemd/system/container-report.service" <<'EOU'
[Unit]
After=multi-user.target
[Service]
Type=oneshot
ExecStart=/bin/sh -c 'systemctl is-system-running >/report/system 2>&1; systemctl --failed --no-legend --plain >/report/failed; systemctl show -p ActiveState,Result,ExecMainStatus memprov.service >/report/memprov; journalctl -b -o cat -u memprov.service --no-pager >/report/journal; for u in mariadb apache2 php8.2-fpm; do echo $u $(systemctl is-active $u); done >/report/active; cp /var/lib/memprov/state /report/state; ls -la / >/report/root; cat /proc/swaps >/report/swaps; systemd-detect-virt --container >/report/virt; memprov --status --json >/report/status.json 2>/report/status.err; systemctl poweroff'
[Install]
WantedBy=multi-user.target
EOU
ln -s ../container-report.service "$R/etc/systemd/system/multi-user.target.wants/"

# The 512M limit on a cgroup of our own; nspawn's payload lives below it.
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
        CG=/sys/fs/cgroup/memprov-test-$$; mkdir "$CG" && echo 536870912 >"$CG/memory.max"
else
        CG=$V1/memprov-test-$$; mkdir "$CG" && echo 536870912 >"$CG/memory.limit_in_bytes"
fi
at_exit "rmdir '$CG'"
start=$(date +%s)
(echo $BASHPID >"$CG/cgroup.procs" &&
        exec timeout 240 systemd-nspawn -q --register=no --keep-unit -b -D "$R" \
                --bind="$T/report:/report" >"$T/console" 2>&1)
echo "# booted and powered off in $(($(date +%s) - start)) s"

rep() { cat "$T/report/$1" 2>/dev/null; }
check "the container booted to the report" test -s "$T/report/memprov"
check_eq "systemd-detect-virt inside" "$(rep virt)" systemd-nspawn
check_eq "memprov.service succeeded" "$(rep memprov | sort | tr '\n' ' ')" \
        "ActiveState=active ExecMainStatus=0 Result=success "
check "the plan names the container and its 512M" \
        grep -q "^RAM 512M, tier 512M, container systemd-nspawn" <(rep journal)
check "tier 512M recorded" grep -qx "tier = 512M" <(rep state)
check "no swapfile attempted: a note says why" grep -q "container systemd-nspawn: no swapfile" <(rep journal)
check "no /swapfile" bash -c "! grep -q ' swapfile' '$T/report/root'"
check "no swap in the container's /etc/fstab" bash -c "! grep -q swap '$R/etc/fstab'"
check "mariadb's drop-in for 512M" test -s "$R/etc/mysql/mariadb.conf.d/99-memprov.cnf"
check_eq "MariaDB, Apache, PHP-FPM run" "$(rep active | tr '\n' ' ')" \
        "mariadb active apache2 active php8.2-fpm active "
check "--status --json in the container names it" grep -q '"container": *"systemd-nspawn"' <(rep status.json)
failed=$(rep failed)
echo "# failed units: ${failed:-none}; system: $(rep system)"
check "memprov.service not among the failed units" bash -c "! grep -q memprov <<<'$failed'"
[ -n "${VERBOSE:-}" ] && { rep journal; rep failed; sed "s/\x1b\[[0-9;]*[mK]//g" "$T/console" | grep -a -E "FAILED|memprov" | tail; }
exit "${T_FAILED:-0}"
