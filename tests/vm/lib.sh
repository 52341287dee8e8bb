# shellcheck shell=bash disable=SC2034 # VM_OUT, GiB: used by tests/vm/run and the scenarios
# Helpers for the VM scenarios: boot the reference image (images/boot-vm) and assert on the
# "KV key=value" lines of the guest's report. Sourced by tests/vm/run after tests/lib.sh.

VM_TOP=$(cd "$TESTS_DIR/.." && pwd)
VM_OUT=${MEMPROV_VM_OUT:-$VM_TOP/build/vm}
# A hard limit, not a timed assertion: a trixie boot at 1 GiB reached its report after 898 s with
# the machine's load average at 11-17 (other builds and VMs), so 900 s was too tight.
VM_TIMEOUT=${MEMPROV_VM_TIMEOUT:-1800}
# The reference image's Debian release: bookworm (default) or trixie (make image SUITE=trixie).
SUITE=${SUITE:-bookworm}
# Set from each report by boot(): the release's PHP version, PHP-FPM unit, PostgreSQL cluster.
PHPV='' PHPFPM='' PGMAIN=''
GiB=$((1024 * 1024 * 1024))
MiB=$((1024 * 1024))

# boot SCENARIO_DIR [boot-vm args...]: boots once, sets REPORT to the report path ("" if none).
boot() {
        local dir=$1 t0
        shift
        t0=$(date +%s)
        # MEMPROV_VM_IMAGE: a given image directory, not the cache's `latest` (which another
        # worktree's build may move while this one's scenarios run).
        if REPORT=$("$VM_TOP/images/boot-vm" --suite "$SUITE" --out "$dir" --timeout "$VM_TIMEOUT" \
                ${MEMPROV_VM_IMAGE:+--image "$MEMPROV_VM_IMAGE"} "$@" 2>"$dir.boot.log"); then
                echo "# timing: $(basename "$dir") $(basename "$(dirname "$REPORT")"): $(($(date +%s) - t0)) s to report ($*)"
                PHPV=$(rv php.version) PGMAIN=postgresql@$(rv postgresql.version)-main
                PHPFPM=php$PHPV-fpm
                echo "# $(basename "$dir"): $(rv os), kernel $(rv kernel), systemd $(rv systemd.version)," \
                        "cloud-init $(rv ci.version), MariaDB $(rv mariadb.version), PHP $PHPV, $PGMAIN"
                return 0
        fi
        REPORT=
        sed 's/^/# /' "$dir.boot.log" | tail -n 20
        return 1
}

# rv KEY [REPORT]: a KV value from the report.
rv() { sed -n "s|^KV $1=||p" "${2:-$REPORT}" | tail -n 1; }

# size in bytes for 512M, 1G, 4G ...
to_bytes() {
        local n=${1%[KMGT]} u=${1: -1}
        case $u in K) echo $((n * 1024)) ;; M) echo $((n * MiB)) ;; G) echo $((n * GiB)) ;;
        T) echo $((n * 1024 * GiB)) ;; *) echo "$1" ;; esac
}

# policy_swap RAM_BYTES FS_SIZE AVAIL: the swapfile size memprov's policy gives (issue 2):
# below 4G min(2R, max(R, 2G)); 4G-16G 4G; above round(sqrt(R GiB)) GiB <= 16G; capped by
# min(target, avail/4, avail - max(2G, size/10)) rounded down to 64M; under 256M none (0).
policy_swap() {
        local r=$1 size=$2 avail=$3 t cap reserve
        if [ "$r" -lt $((4 * GiB)) ]; then
                t=$((2 * r))
                local floor=$((r > 2 * GiB ? r : 2 * GiB))
                [ "$floor" -lt "$t" ] && t=$floor
        elif [ "$r" -le $((16 * GiB)) ]; then
                t=$((4 * GiB))
        else
                t=$(python3 -c "import math; print(min(16, round(math.sqrt($r / 2**30))) * 2**30)")
        fi
        cap=$((avail / 4))
        reserve=$((size / 10 > 2 * GiB ? size / 10 : 2 * GiB))
        [ $((avail - reserve)) -lt "$cap" ] && cap=$((avail - reserve))
        [ "$cap" -lt "$t" ] && t=$cap
        t=$((t - t % (64 * MiB)))
        [ "$t" -lt $((256 * MiB)) ] && t=0
        echo "$t"
}

# The checks every boot must pass: the report came back, the boot settled without failed units
# or ordering cycles, memprov.service succeeded and finished before the services started.
check_boot_sane() {
        local tag=$1 u m s
        check_eq "$tag: system running (not degraded)" "$(rv system_state)" running
        check_eq "$tag: no failed units" "$(rv failed_units)" ""
        check_eq "$tag: no ordering cycle in the journal" "$(rv ordering_cycles)" 0
        check_eq "$tag: nothing OOM-killed" "$(rv oom_kills)" 0
        check_eq "$tag: memprov.service succeeded" "$(rv unit.memprov.result)/$(rv unit.memprov.exit_status)" success/0
        check_eq "$tag: memprov.service active (RemainAfterExit)" "$(rv unit.memprov.active)" active
        m=$(rv unit.memprov.exit_mono)
        for u in mariadb apache2 "$PHPFPM" proftpd named postgresql mailman3; do
                s=$(rv "unit.$u.start_mono")
                if [ -z "$s" ] || [ "$s" = 0 ]; then
                        ok "$tag: $u did not start before memprov finished (not started)"
                elif [ -n "$m" ] && [ "$m" -gt 0 ] && [ "$m" -le "$s" ]; then
                        ok "$tag: memprov finished before $u started ($(((s - m) / 1000)) ms earlier)"
                else
                        not_ok "$tag: memprov finished before $u started (memprov exit $m, $u start $s)"
                fi
        done
}

# check_swap TAG RAM_BYTES [PREFIX]: /swapfile active, in fstab once, mode 0600, and of the
# policy's size for the root filesystem as the guest reports it (avail counts memprov's own
# swapfile, as memprov's cap does).
# check_db_swappiness TAG: the vm.swappiness a first boot sets with a database installed at the
# 512M and 1G tiers (conf.d/10-tiers.conf): swappiness_db (10), or swappiness_db_compressed (100)
# where a zram device is the cushion, as on Debian's cloud kernels, which have no zswap (issue 23).
check_db_swappiness() {
        local tag=$1 want=10 zram
        zram=$(rv swap.zram_count)
        [ "${zram:-0}" = 0 ] || want=100
        check_eq "$tag: vm.swappiness $want (database installed; zram devices: ${zram:-0})" "$(rv swappiness)" "$want"
}

check_swap() {
        local tag=$1 ram=$2 p=${3:-} size avail file expected swaps
        size=$(rv rootfs.size_bytes)
        file=$(rv "${p}swapfile.bytes")
        [ "$file" = none ] && file=0
        avail=$(($(rv rootfs.avail_bytes) + file))
        expected=$(policy_swap "$ram" "$size" "$avail")
        check_eq "$tag: /swapfile has the policy's size ($((expected / MiB)) MiB)" "$file" "$expected"
        swaps=$(rv "${p}swap./swapfile.bytes")
        check_eq "$tag: /swapfile active with its full size" "$((swaps + 4096))" "$file"
        check_eq "$tag: one active swap" "$(rv "${p}swap.active_count")" 1
        check_eq "$tag: one swap line in fstab, for /swapfile" "$(rv "${p}swap.fstab_lines")" "/swapfile:none:swap;"
        check_eq "$tag: /swapfile mode 600" "$(rv "${p}swapfile.mode")" 600
}

# check_services TAG [PREFIX]: memprov's drop-ins for MariaDB, Apache and PHP-FPM exist, and
# the live MariaDB runs with the drop-in's values (PREFIX: a rerun's values, no live check).
check_dropins() {
        local tag=$1 files want live
        files=$(rv managed_sums)
        for f in /etc/mysql/mariadb.conf.d/99-memprov.cnf /etc/apache2/conf-available/memprov.conf \
                "/etc/php/$PHPV/fpm/pool.d/zz-memprov.conf" /etc/sysctl.d/60-memprov.conf; do
                check "$tag: drop-in $f" grep -q -- "$f:" <<<"$files"
        done
        want="$(to_bytes "$(rv mariadb.dropin.innodb_buffer_pool_size)") $(rv mariadb.dropin.max_connections)"
        live=$(rv mariadb)
        check_eq "$tag: live MariaDB has the drop-in's buffer pool and max_connections" "$live" "$want"
}

# check_units TAG STATE UNIT...: each unit is-enabled STATE (and inactive when disabled).
check_units() {
        local tag=$1 want=$2 u
        shift 2
        for u in "$@"; do
                check_eq "$tag: $u $want" "$(rv "unit.$u.enabled")" "$want"
                [ "$want" = disabled ] && check_eq "$tag: $u inactive" "$(rv "unit.$u.active")" inactive
        done
}

# sum_of KEY_VALUE_LIST PATH: the sha that a managed_sums list gives PATH.
sum_of() { tr ',' '\n' <<<"$1" | sed -n "s|^$2:||p"; }

# check_live_web TAG: the running Apache and PHP-FPM use memprov's drop-ins. Apache (event MPM,
# mod_status): the scoreboard mod_status shows has MaxRequestWorkers/ThreadsPerChild processes x
# ThreadsPerChild slots (the active limit; the graceful headroom of issue 10 is not shown), each
# live process runs ThreadsPerChild workers, no more than ServerLimit processes. PHP-FPM: the
# [www] pool's status page reports the drop-in's pm, `php-fpmX.Y -tt` parses the drop-in's pm
# and pm.max_children for [www], and
# the pool runs no more children than that.
check_live_web() {
        local tag=$1 sl tl tpc mrw procs workers stopping parsed max
        sl=$(rv apache.dropin.ServerLimit) tl=$(rv apache.dropin.ThreadLimit)
        tpc=$(rv apache.dropin.ThreadsPerChild) mrw=$(rv apache.dropin.MaxRequestWorkers)
        procs=$(rv apache.live.processes) workers=$(rv apache.live.workers) stopping=$(rv apache.live.stopping)
        # A stopping process (mod_status "Stopping": graceful restart, idle threads retired) is
        # in Processes without workers.
        [ -n "$procs" ] && procs=$((procs - ${stopping:-0}))
        check "$tag: Apache drop-in enabled (conf-enabled/memprov.conf)" test -n "$(rv apache.conf_enabled)"
        check_eq "$tag: live Apache: mpm event (mod_status)" "$(rv apache.live.mpm)/$(rv apache.live.error)" event/
        if [ -n "$sl" ] && [ -n "$tl" ] && [ -n "$tpc" ] && [ -n "$mrw" ] && [ "${procs:-0}" -gt 0 ] 2>/dev/null; then
                check_eq "$tag: live Apache: scoreboard = MaxRequestWorkers $mrw slots" \
                        "$(rv apache.live.slots)" "$mrw"
                check "$tag: Apache: ThreadsPerChild $tpc <= ThreadLimit $tl" test "$tpc" -le "$tl"
                check_eq "$tag: live Apache: ThreadsPerChild $tpc workers per process" \
                        "$((workers / procs))/$((workers % procs))" "$tpc/0"
                check "$tag: live Apache: $procs processes <= ServerLimit $sl" test "$procs" -le "$sl"
                check "$tag: Apache: ServerLimit x ThreadsPerChild >= MaxRequestWorkers (headroom for graceful children)" \
                        test "$((sl * tpc))" -ge "$mrw"
        else
                not_ok "$tag: live Apache values (drop-in '$sl/$tl/$tpc/$mrw', processes '$procs')"
        fi
        parsed=$(rv php.parsed)
        check_eq "$tag: PHP-FPM parses the drop-in's [www] pm and max_children (php-fpm$PHPV -tt)" \
                "$parsed" "$(rv php.dropin)"
        check "$tag: PHP-FPM drop-in has pm and max_children" grep -q 'pm = .*;pm.max_children = [0-9]' <<<"$parsed"
        check_eq "$tag: live PHP-FPM [www] status page: pm as in the drop-in" \
                "$(rv php.live.pool)/$(rv php.live.pm)$(rv php.live.error)" "www/$(sed -n 's/^pm = \([a-z]*\);.*/\1/p' <<<"$parsed")"
        max=$(sed -n 's/.*pm.max_children = \([0-9]*\);.*/\1/p' <<<"$parsed")
        check "$tag: live PHP-FPM: $(rv php.live.total_processes) children <= max_children ${max:-?}" \
                test "$(rv php.live.total_processes)" -le "${max:-0}"
        echo "# $tag apache live: $(rv apache.live.processes) processes, $(rv apache.live.workers) workers," \
                "$(rv apache.live.slots) slots; drop-in ServerLimit $sl ThreadsPerChild $tpc MaxRequestWorkers $mrw"
        echo "# $tag php-fpm live: pm $(rv php.live.pm), $(rv php.live.total_processes) children; -tt: $parsed"
}

# check_untouched TAG: memprov changed nothing: no swap anywhere, no sysctl file, no managed
# file, no state file, the default swappiness, every service group enabled and running.
check_untouched() {
        local tag=$1
        check_eq "$tag: no /swapfile" "$(rv swapfile.bytes)" none
        check_eq "$tag: no active swap" "$(rv swap.active_count)" 0
        check_eq "$tag: no swap line in fstab" "$(rv swap.fstab_count)" 0
        check_eq "$tag: no /etc/sysctl.d/60-memprov.conf" "$(rv sysctl_file)" none
        check_eq "$tag: vm.swappiness at the kernel default" "$(rv swappiness)" 60
        check_eq "$tag: no file mentions memprov (no drop-in)" "$(rv memprov_files)" ""
        check_eq "$tag: no state file" "$(rv state_file)" none
        check_units "$tag" enabled mariadb apache2 "$PHPFPM" proftpd named postgresql mailman3
        for u in mariadb apache2 "$PHPFPM" proftpd named postgresql "$PGMAIN" mailman3; do
                check_eq "$tag: $u active" "$(rv "unit.$u.active")" active
        done
}

# check_budget TAG: memprov's budget fits in RAM: total (lines + OS reserve) <= RAM.
check_budget() {
        local tag=$1 b ram total sum
        b=$(rv budget)
        ram=$(sed -n 's/.*ram:\([0-9]*\).*/\1/p' <<<"$b")
        total=$(sed -n 's/.*total:\([0-9]*\).*/\1/p' <<<"$b")
        sum=$(sed -n 's/.*sum:\([0-9]*\).*/\1/p' <<<"$b")
        if [ -n "$ram" ] && [ -n "$total" ]; then
                check "$tag: budget total $((total / MiB)) MiB <= RAM $((ram / MiB)) MiB" test "$total" -le "$ram"
                check_eq "$tag: budget total = its lines + the OS reserve" "$sum" "$total"
                check "$tag: budget says it fits" grep -q 'fits:True' <<<"$b"
        else
                not_ok "$tag: budget from memprov --dry-run --json ('$b')"
        fi
}

# check_cloud_init_clean TAG [schema]: cloud-init finished without recoverable errors: `cloud-init
# status --long` exits 0 with status done, no "degraded" extended status (cloud-init 23.4 and
# later report schema warnings that way; 22.4 has no extended status), and with "schema" (a boot
# with user-data) `cloud-init schema --system` accepts the user-data.
check_cloud_init_clean() {
        local tag=$1 schema=${2:-}
        check_eq "$tag: cloud-init status done, exit 0" "$(rv cloud_init_status)/$(rv ci.status_rc)" done/0
        check "$tag: cloud-init extended_status done, not degraded (got '$(rv ci.extended_status)')" \
                grep -qx -e 'done' -e '' <<<"$(rv ci.extended_status)"
        if [ "$schema" = schema ]; then
                check_eq "$tag: cloud-init schema --system accepts the user-data" "$(rv ci.schema_rc)" 0
        fi
}

# check_network_stage_first TAG: cloud-init's network stage (cloud-init.service up to 24.2,
# cloud-init-network.service from 24.3), which runs write_files, finished before memprov started.
check_network_stage_first() {
        local tag=$1 u done_at start
        start=$(rv unit.memprov.start_mono)
        for u in cloud-init-network cloud-init; do
                done_at=$(rv "unit.$u.exit_mono") # its ExecStart's end, succeeded or not
                [ -n "$done_at" ] && [ "$done_at" != 0 ] && break
        done
        if [ -n "$done_at" ] && [ "$done_at" != 0 ] && [ -n "$start" ] && [ "$done_at" -le "$start" ]; then
                ok "$tag: $u.service (write_files) done before memprov started ($(((start - done_at) / 1000)) ms)"
        else
                not_ok "$tag: cloud-init's network stage done before memprov started ($u '$done_at', memprov '$start')"
        fi
}

# check_cloud_init_memprov_key TAG: what a customer sees with the `memprov:` key in user-data.
# cloud-init 22.4 (Debian 12) has no top-level schema check: clean. 23.4 and later (Debian 13's
# 25.1) reject unknown top-level keys (additionalProperties: false in its cloud-config schema)
# and report a recoverable error: status "done" but extended_status "degraded done", `cloud-init
# status` exit 2, `cloud-init schema --system` exit 1 naming 'memprov'. memprov still applies
# the key; images/README.md documents write_files to /etc/memprov/conf.d/ as the clean route.
check_cloud_init_memprov_key() {
        local tag=$1 v
        v=$(rv ci.version)
        if [ "$(printf '%s\n' "$v" 23.4 | sort -V | head -n 1)" = 23.4 ]; then
                check_eq "$tag: cloud-init $v reports the memprov: key as degraded (known; write_files is clean)" \
                        "$(rv cloud_init_status)/$(rv ci.extended_status)/$(rv ci.status_rc)/$(rv ci.schema_rc)" \
                        "done/degraded done/2/1"
                check "$tag: cloud-init schema --system names 'memprov'" \
                        grep -q "'memprov' was unexpected" "$REPORT"
        else
                check_cloud_init_clean "$tag: cloud-init $v, memprov: key" schema
        fi
}
