# shellcheck shell=bash disable=SC2154 # dir (tests/vm/run)
# Scenario 16 (issue 22): real containers on a cgroup-v2-only host. The reference VM (Debian 12:
# systemd as PID 1, the unified hierarchy only) is the host; this tree's memprov runs in
# systemd-nspawn containers with cgroup v2 limits (memory.max, memory.swap.max, cpu.max), each
# `memprov --dry-run --json` over the
# VM's own root filesystem (an overlay: the container's writes go to a tmpfs). The VM's memprov
# does not run (systemd.mask=): the container sees the unprovisioned image a container's first
# boot sees. A swapfile of 512M, swapped on in the VM, is the host's swap a container may use.
# Mailman 3 is masked on the VM too (the kernel command line's mask is the VM's /run only: the
# containers' own /run does not have it): unprovisioned, its start took 1 min 18 s of CPU under
# TCG and timed out after systemd's 90 s (s12 run, host load ~7.6: the VM "degraded" by
# mailman3.service alone, also s11's unexplained "degraded"; images/README.md session 2: the
# image without memprov ends degraded by mailman3.service). memprov disables it up to the 2G
# tier (conf.d/30-units.conf); here nothing provisions the VM, and its state is the host's, not
# a container's.
#   c512:  memory.max 512M, memory.swap.max 0 on the container's own cgroup (where LXC and
#          Docker put a container's limits): RAM 512M from memory.max, tier 512M, no swap;
#   c1g:   memory.max 1G, memory.swap.max 256M, cpu.max "50000 100000": tier 1G, 256M of the
#          host's swap, 1 vCPU from cpu.max (the VM has 2) and PHP's cpu bound 4 x 1;
#   prop:  nspawn's own --property=MemoryMax=512M MemorySwapMax=0 CPUQuota=50%: set on its scope,
#          above the container's cgroup, and not visible in the container (below);
#   free:  no limits: the VM's RAM from its memory blocks, 2 vCPUs, all of the host's swap;
#   boot:  the VM's root booted as a container (systemd-nspawn -b), memory.max 512M and
#          memory.swap.max 0 on its own cgroup (nspawn's payload), written before memprov.service
#          starts (a drop-in of the test's holds it until then): memprov.service succeeds at the
#          container's first boot, MariaDB, Apache and PHP-FPM run, no unit fails, and what the
#          services took from memprov's drop-ins is read back live in the container
#          (tests/container-lib.sh live_report_script: systemctl show, the units' cgroups,
#          oom_score_adj, SELECT @@GLOBAL for 99-memprov.cnf);
#   lxc:   an unprivileged LXC container (lxc-execute, LXC 5.0.2 from the host's apt cache:
#          S16_LXC_DEBS, default its lxc, liblxc1 and liblxc-common .debs) with
#          lxc.cgroup2.memory.max 512M, memory.swap.max 0 and cpu.max "50000 100000" on its own
#          cgroup: a real memprov run over an overlay of the VM's root, as the container's root
#          (host UID 1000000): RAM 512M from memory.max, tier 512M, 1 vCPU, the swapfile and
#          vm.swappiness skipped with a note each, exit 0. lxc-execute's init names no
#          container: memprov names it container-other from the cgroup namespace (as
#          systemd-detect-virt does). Only /etc, /var and /run (what memprov writes) are shifted
#          into the container's range: the rest stays the VM's, readable as nobody.
# The image has no systemd-nspawn (packages.list has no systemd-container, and changing it
# rebuilds every image): its binary comes from the host's apt cache (S16_NSPAWN_DEB, default the
# newest systemd-container .deb there) in the user-data with memprov, its conf.d and the guest
# script; the .deb's version must be the image's systemd (it links libsystemd-shared-NNN.so).
# SUITE=trixie: trixie's .deb (257.13-1~deb13u1 for trixie/image-0b2fe07f4ff9688a), fetched with
# `apt-get download systemd-container` through a private sources list (-o
# Dir::Etc::SourceList=FILE -o Dir::State::Lists=DIR -o Dir::Cache=DIR -o
# Dir::State::status=/dev/null; the host's apt is untouched). Session 10's one run: the guest
# kernel (6.12.118 cloud) oopsed ("Oops: int3" in __alloc_pages_noprof at a jump-label NOP)
# under TCG 126 s after the test swapfile, before any report: no result.
# The guest script (tests/vm/s16-guest.sh, carried in the user-data) writes the report to the
# second serial port and powers off (the image's memprov-report.service is masked too).
# shellcheck source=tests/container-lib.sh
source "$TESTS_DIR/container-lib.sh" # live_report_script, live_problems, shift_ids_script
s16_deb=${S16_NSPAWN_DEB:-$(ls -v /var/cache/apt/archives/systemd-container_*_amd64.deb 2>/dev/null | tail -n 1)}
s16_lxc_debs=${S16_LXC_DEBS-$(for n in lxc liblxc1 liblxc-common; do
        ls -v /var/cache/apt/archives/${n}_*_amd64.deb 2>/dev/null | tail -n 1
done | paste -sd ' ')}
[ "$(wc -w <<<"$s16_lxc_debs")" = 3 ] || s16_lxc_debs=

# s16_user_data DEB: the cloud-config: the payload (memprov, its conf.d, systemd-nspawn) as a
# tarball, the guest script (s16-guest.sh, as it is), and runcmd starting it as a transient service (not a oneshot: it
# waits for the boot to settle, which cloud-final's runcmd is part of).
s16_user_data() {
        local deb=$1 p=$dir.payload
        rm -rf "$p" && mkdir -p "$p/usr/sbin" "$p/usr/lib/memprov" "$p/usr/local/bin" || return 1
        install -m 0755 "$MEMPROV" "$p/usr/sbin/memprov" && strip "$p/usr/sbin/memprov" &&
                cp "$DEFAULTS"/*.conf "$p/usr/lib/memprov/" || return 1
        dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/bin/systemd-nspawn >"$p/usr/local/bin/systemd-nspawn" &&
                chmod 0755 "$p/usr/local/bin/systemd-nspawn" || return 1
        live_report_script >"$p/usr/local/bin/live-report" && chmod 0755 "$p/usr/local/bin/live-report" || return 1
        shift_ids_script >"$p/usr/local/bin/shift-ids" && chmod 0755 "$p/usr/local/bin/shift-ids" || return 1
        # LXC's programs, library, init and configs (its other dependencies are systemd's).
        if [ -n "$s16_lxc_debs" ]; then
                local x=$dir.lxc-debs deb
                rm -rf "$x" && mkdir -p "$x" || return 1
                for deb in $s16_lxc_debs; do dpkg-deb -x "$deb" "$x" || return 1; done
                tar -C "$x" -cf - usr/bin/lxc-execute usr/lib/x86_64-linux-gnu/liblxc.so.1 \
                        usr/lib/x86_64-linux-gnu/liblxc.so.1.7.0 usr/lib/x86_64-linux-gnu/lxc \
                        usr/sbin/init.lxc usr/sbin/init.lxc.static usr/share/lxc/config usr/libexec/lxc |
                        tar -C "$p" -xf - || return 1
        fi
        echo "#cloud-config"
        echo "write_files:"
        echo "  - path: /root/s16.tar.gz"
        echo "    encoding: b64"
        echo "    permissions: '0600'"
        echo "    content: $(tar -C "$p" -czf - usr | base64 -w 0)"
        echo "  - path: /root/s16-guest.sh"
        echo "    permissions: '0755'"
        echo "    content: |"
        sed 's/^/      /' "$TESTS_DIR/vm/s16-guest.sh"
        echo "runcmd:"
        echo "  - [systemd-run, --no-block, --unit=s16-container, /root/s16-guest.sh]"
}

if [ ! -s "$s16_deb" ]; then
        skip "s16: real containers on cgroup v2" "no systemd-container .deb in /var/cache/apt/archives (apt-get install --download-only systemd-container)"
elif ! s16_user_data "$s16_deb" >"$dir.user-data"; then
        not_ok "s16: user-data with memprov and systemd-nspawn"
elif boot "$dir" --ram 2G --user-data "$dir.user-data" \
        --append "systemd.mask=memprov.service systemd.mask=memprov-report.service systemd.mask=mailman3.service"; then
        ok "s16: boot at 2G, containers run, report read back"
        deb_v=$(dpkg-deb -f "$s16_deb" Version)
        check_eq "s16: systemd-nspawn from the .deb of the image's systemd" "$(rv systemd.version)" "$deb_v"
        check_eq "s16: the VM is a cgroup-v2-only host" "$(rv cgroup.fs)" cgroup2fs
        check_eq "s16: the VM settled (failed units: $(rv vm.failed_at_settle), at the end: $(rv vm.failed))" "$(rv system_state)" running
        check_eq "s16: the VM has 2 vCPUs" "$(rv vm.vcpus)" 2
        check "s16: the VM has swap (zram0 and the 512M test file): $(rv vm.swap) bytes" test "$(rv vm.swap)" -ge $((512 * MiB - 4096))
        for c in c512 c1g prop free; do
                check_eq "s16 $c: systemd-nspawn ran the container" "$(rv "$c.nspawn_rc")" 0
                check_eq "s16 $c: systemd-detect-virt inside" "$(rv "$c.virt")" systemd-nspawn
                check_eq "s16 $c: memprov --dry-run exit 0" "$(rv "$c.text_rc")/$(rv "$c.json_rc")" 0/0
                check_eq "s16 $c: --json names the container" "$(rv "$c.container")" systemd-nspawn
                check_eq "s16 $c: no swapfile planned" "$(rv "$c.swap_action")" none
                check_eq "s16 $c: the budget fits" "$(rv "$c.budget.fits")" True
                check_eq "s16 $c: the container's cgroup is its namespace's root" "$(rv "$c.cgroup")" 0::/
                check_eq "s16 $c: vm.swappiness read-only: a note, no sysctl planned" \
                        "$(rv "$c.notes.sysctl") $(rv "$c.sysctl")" \
                        "container systemd-nspawn: vm.swappiness is read-only here; left alone {}"
        done
        # Where a limit is on the container's own cgroup it is seen: no note of an unseen one.
        # Where none is visible (prop: nspawn's own, on its scope; free: none at all, which the
        # container cannot tell apart), one note says so and names --assume-ram/--assume-cpus.
        unseen="container systemd-nspawn: no memory limit or CPU quota is visible in its cgroup (cgroup v2); one systemd-nspawn sets itself (--property=MemoryMax=, CPUQuota=, a .nspawn file, systemd-nspawn@.service) is on its scope, above the container's cgroup, and cannot be seen: this plan is for the host's RAM and vCPUs; if the container has less, run memprov with --assume-ram SIZE and --assume-cpus N"
        check_eq "s16 c512: no unseen-limit note (memory.max seen)" "$(rv c512.notes.unseen)" ""
        check_eq "s16 c1g: no unseen-limit note (memory.max seen)" "$(rv c1g.notes.unseen)" ""
        check_eq "s16 prop: the unseen-limit note (--json notes)" "$(rv prop.notes.unseen)" "$unseen"
        check_eq "s16 free: the unseen-limit note (--json notes)" "$(rv free.notes.unseen)" "$unseen"
        check_eq "s16: --json vcpus_source: c512 c1g prop free" \
                "$(rv c512.vcpus_source)/$(rv c1g.vcpus_source)/$(rv prop.vcpus_source)/$(rv free.vcpus_source)" \
                "online CPUs/cgroup CPU quota/online CPUs/online CPUs"
        check_eq "s16 c512: memory.max, memory.swap.max, cpu.max in the container" \
                "$(rv c512.memory.max) $(rv c512.memory.swap.max) $(rv c512.cpu.max)" "$((512 * MiB)) 0 max 100000"
        check_eq "s16 c512: the plan: RAM from the cgroup's memory.max" "$(rv c512.header)" \
                "RAM 512M, tier 512M, container systemd-nspawn (RAM from cgroup memory.max), 2 vCPUs (online CPUs)"
        check_eq "s16 c512: RAM 512M, tier 512M" "$(rv c512.ram_bytes)/$(rv c512.tier)" "$((512 * MiB))/512M"
        check_eq "s16 c512: the budget counts no swap" "$(rv c512.budget.swap_bytes)" 0
        check_eq "s16 c512: the swap note: no swap" "$(rv c512.notes.swap)" \
                "container systemd-nspawn: no swapfile (swapon: Operation not permitted); it has no swap"
        check_eq "s16 c512: 2 vCPUs (no quota), PHP's cpu bound 8" "$(rv c512.budget.vcpus)/$(rv c512.php.cpu)" 2/8
        echo "# s16 c512 php: $(rv c512.php.count) children, bound $(rv c512.php.bound): $(rv c512.php.why)"

        check_eq "s16 c1g: memory.max, memory.swap.max, cpu.max in the container" \
                "$(rv c1g.memory.max) $(rv c1g.memory.swap.max) $(rv c1g.cpu.max)" "$GiB $((256 * MiB)) 50000 100000"
        check_eq "s16 c1g: the plan: RAM from the cgroup's memory.max" "$(rv c1g.header)" \
                "RAM 1G, tier 1G, container systemd-nspawn (RAM from cgroup memory.max), 1 vCPU (cgroup CPU quota)"
        check_eq "s16 c1g: RAM 1G, tier 1G" "$(rv c1g.ram_bytes)/$(rv c1g.tier)" "$GiB/1G"
        check_eq "s16 c1g: the budget counts the swap limit, 256M of the host's" "$(rv c1g.budget.swap_bytes)" $((256 * MiB))
        check_eq "s16 c1g: the swap note: the host's, 256M" "$(rv c1g.notes.swap)" \
                "container systemd-nspawn: no swapfile (swapon: Operation not permitted); its swap is the host's, 256M"
        check_eq "s16 c1g: 1 vCPU from cpu.max 50000/100000, PHP's cpu bound 4" \
                "$(rv c1g.budget.vcpus)/$(rv c1g.php.cpu)" 1/4
        echo "# s16 c1g php: $(rv c1g.php.count) children, bound $(rv c1g.php.bound): $(rv c1g.php.why)"

        # nspawn's own limits (--property=) are set on its scope, and the container runs in a
        # cgroup below it (nspawn 252 moves the payload into a child so that the container's
        # systemd and the host's do not both manage one cgroup): the cgroup namespace hides the
        # scope, and cgroup v2 has no memory.stat hierarchical limit as v1 has. Nothing in the
        # container says 512M, so memprov plans for what it can see: the VM's RAM.
        check_eq "s16 prop: the scope's MemoryMax, MemorySwapMax, CPUQuota are not visible in the container" \
                "$(rv prop.memory.max) $(rv prop.memory.swap.max) $(rv prop.cpu.max)" "max max max 100000"
        check_eq "s16 prop: so the plan has the VM's RAM from its memory blocks, 2 vCPUs" \
                "$(rv prop.header) $(rv prop.budget.vcpus)" "RAM 2G, tier 2G, container systemd-nspawn (RAM from memory blocks), 2 vCPUs (online CPUs) 2"

        check_eq "s16 free: no limits in the container" \
                "$(rv free.memory.max) $(rv free.memory.swap.max) $(rv free.cpu.max)" "max max max 100000"
        check_eq "s16 free: the plan: the VM's RAM from its memory blocks" "$(rv free.header)" \
                "RAM 2G, tier 2G, container systemd-nspawn (RAM from memory blocks), 2 vCPUs (online CPUs)"
        check_eq "s16 free: 2 vCPUs, PHP's cpu bound 8" "$(rv free.budget.vcpus)/$(rv free.php.cpu)" 2/8
        check_eq "s16 free: the budget counts all of the host's swap" "$(rv free.budget.swap_bytes)" "$(rv vm.swap)"
        echo "# s16 free php: $(rv free.php.count) children, bound $(rv free.php.bound): $(rv free.php.why)"

        # boot: a booted container on cgroup v2 with memprov's drop-ins in force.
        check_eq "s16 boot: systemd-nspawn -b ran and powered off" "$(rv boot.nspawn_rc)" 0
        check_eq "s16 boot: memory.max, memory.swap.max in the container" \
                "$(rv boot.memory.max) $(rv boot.memory.swap.max)" "$((512 * MiB)) 0"
        check_eq "s16 boot: memprov.service succeeded" "$(rv boot.memprov)" \
                "ActiveState=active ExecMainStatus=0 Result=success"
        check_eq "s16 boot: the plan: RAM 512M from memory.max" "$(rv boot.header)" \
                "RAM 512M, tier 512M, container systemd-nspawn (RAM from cgroup memory.max), 2 vCPUs (online CPUs)"
        check_eq "s16 boot: MariaDB, Apache, PHP-FPM run" "$(rv boot.active)" \
                "mariadb active apache2 active $PHPFPM active"
        check_eq "s16 boot: no unit failed" "$(rv boot.failed)" ""
        sed -n 's/^LIVE //p' "$REPORT" >"$dir.live"
        problems=$(live_problems "$dir.live" mariadb.service apache2.service "$PHPFPM.service" 2>"$dir.live.summary")
        sed 's/^# /# s16 boot: /' "$dir.live.summary"
        echo "# s16 boot: values in force (cgroup, oom_score_adj): $(awk '$1 == "unit" && $6 != "-" {printf "%s %s=%s; ", $2, $3, $6}' "$dir.live")"
        check_eq "s16 boot: the drop-ins read back live (systemctl show, cgroups, SELECT @@)" "$problems" ""

        # lxc: an unprivileged LXC container on cgroup v2.
        if [ -z "$s16_lxc_debs" ]; then
                skip "s16 lxc: unprivileged LXC on cgroup v2" "no lxc, liblxc1, liblxc-common .debs in /var/cache/apt/archives (apt-get install --download-only lxc)"
        else
                check_eq "s16 lxc: lxc-execute ran" "$(rv lxc.rc)" 0
                check "s16 lxc: container root is host UID 1000000 ($(rv lxc.uid_map))" test "$(rv lxc.uid_map)" = "0 1000000 65536"
                check_eq "s16 lxc: memory.max, memory.swap.max, cpu.max in the container" \
                        "$(rv lxc.memory.max) $(rv lxc.memory.swap.max) $(rv lxc.cpu.max)" "$((512 * MiB)) 0 50000 100000"
                check_eq "s16 lxc: memprov exit 0, and again" "$(rv lxc.run_rc)/$(rv lxc.rerun_rc)" 0/0
                check_eq "s16 lxc: the plan: RAM 512M from memory.max, 1 vCPU from cpu.max" "$(rv lxc.header)" \
                        "RAM 512M, tier 512M, container container-other (RAM from cgroup memory.max), 1 vCPU (cgroup CPU quota)"
                check_eq "s16 lxc: --dry-run --json: container, RAM, tier, vCPUs, swapfile" "$(rv lxc.json)" \
                        "container-other $((512 * MiB)) 512M 1 0"
                check_eq "s16 lxc: the swap note" "$(rv lxc.note_swap)" \
                        "container container-other: no swapfile (swapon: Operation not permitted); it has no swap"
                check_eq "s16 lxc: the sysctl note" "$(rv lxc.note_sysctl)" \
                        "container container-other: vm.swappiness is read-only here; left alone"
                check "s16 lxc: the second run changes nothing" grep -q "nothing changed" <<<"$(rv lxc.rerun)"
        fi
else
        not_ok "s16: boot at 2G, containers run, report read back"
fi
