#!/bin/bash
# Hostile inputs to memprov's reads (issue 11, items 3 and 5), each on a fresh --root tree:
# a FIFO, device, directory or symlink where a file is read, /dev/zero as --config, oversized
# or binary files, deep YAML, wrong types, octal-looking numbers, a symlinked swap.path folder,
# a damaged state. Each case: bounded by `timeout` (a hang fails, never blocks), one error line
# naming the path and a non-zero exit (or a documented safe skip: exit 0 with a warning), the
# root's tree and the host's /etc unchanged, no host file's content printed, and never an
# "error:" line with exit 0. User-data of the wrong shape under memprov: is set aside instead
# (issue 20): the machine is provisioned exactly as without it, and the run exits non-zero.
source "$(dirname "$0")/../lib.sh"
enter_mount_namespace "$@"
[ "$(id -u)" = 0 ] || { skip "hostile reads" "needs root (mknod, root-owned trees)"; exit 0; }

R=$SCRATCH/root
HOST_BEFORE=$(tree_sums /etc/memprov /var/lib/memprov 2>/dev/null)
LIMIT=20 # seconds: far above a run's time, far below a hang's
handled=0 cases=0

fresh_root() {
        rm -rf "$R"
        mkdir -p "$R/etc/memprov/conf.d" "$R/etc/sysctl.d" "$R/var/lib/memprov" \
                "$R/run/cloud-init" "$R/var/lib/cloud/instances/i-1"
        touch "$R/etc/debian_version"
        printf 'UUID=abc / ext4 defaults 0 1\n' >"$R/etc/fstab"
        ln -s /var/lib/cloud/instances/i-1 "$R/var/lib/cloud/instance"
}

# run_memprov ARGS...: memprov under --root with a time limit; sets rc and err.
run_memprov() {
        timeout -s KILL "$LIMIT" "$MEMPROV" --defaults "$DEFAULTS" --root "$R" --assume-ram 1G \
                --set swap.size=none "$@" >"$SCRATCH/out" 2>"$SCRATCH/err"
        rc=$?
        err=$(cat "$SCRATCH/err")
}

# refused NAME PATTERN [ARGS...]: memprov on the prepared root must fail with an error matching
# PATTERN and change nothing.
refused() {
        local name=$1 pattern=$2 before good=1
        shift 2
        cases=$((cases + 1))
        before=$(tree_sums "$R")
        run_memprov "$@"
        if [ "$rc" -eq 137 ]; then
                not_ok "$name: hung (killed after ${LIMIT}s)"
                return
        fi
        [ "$rc" -ne 0 ] || { not_ok "$name: exit 0"; good=0; }
        grep -q "error: .*$pattern" <<<"$err" || { not_ok "$name: no error matching '$pattern': $err"; good=0; }
        [ "$(grep -c 'error:' <<<"$err")" -eq 1 ] || { not_ok "$name: not one error line: $err"; good=0; }
        [ "$(tree_sums "$R")" == "$before" ] || { not_ok "$name: the root changed"; good=0; }
        ! grep -q '^root:' <<<"$err$(cat "$SCRATCH/out")" || { not_ok "$name: a host file was printed"; good=0; }
        [ "$good" = 1 ] && { ok "$name: refused ($(head -n 1 <<<"$err" | cut -c1-110))"; handled=$((handled + 1)); }
}

# set_aside NAME PATTERN: user-data whose memprov settings have the wrong shape costs the
# customer's settings, not the machine (issue 20): an error matching PATTERN, the settings set
# aside, a non-zero exit, and /etc and memprov's state exactly as a run without that user-data
# leaves them (the provider's configuration). The caller has written the user-data into $R.
set_aside() {
        local name=$1 pattern=$2 good=1 want ud
        cases=$((cases + 1))
        ud=$(mktemp -d)
        cp -a "$R/var/lib/cloud" "$R/run/cloud-init" "$ud/"
        rm -rf "$R/var/lib/cloud/instances/i-1"/* "$R/run/cloud-init"/*
        run_memprov
        want=$(cd "$R" && tree_sums etc var/lib/memprov)
        fresh_root
        rm -rf "$R/var/lib/cloud" "$R/run/cloud-init"
        cp -a "$ud/cloud" "$R/var/lib/" && cp -a "$ud/cloud-init" "$R/run/" && rm -rf "$ud"
        run_memprov
        if [ "$rc" -eq 137 ]; then
                not_ok "$name: hung (killed after ${LIMIT}s)"
                return
        fi
        [ "$rc" -ne 0 ] || { not_ok "$name: exit 0"; good=0; }
        grep -q "error: .*$pattern" <<<"$err" || { not_ok "$name: no error matching '$pattern': $err"; good=0; }
        grep -q "user-data: all \([0-9]* \)\?memprov settings set aside" <<<"$err" ||
                { not_ok "$name: the settings are not said to be set aside: $err"; good=0; }
        [ "$(cd "$R" && tree_sums etc var/lib/memprov)" == "$want" ] ||
                { not_ok "$name: /etc and the state differ from a run without the user-data"; good=0; }
        ! grep -q '^root:' <<<"$err$(cat "$SCRATCH/out")" || { not_ok "$name: a host file was printed"; good=0; }
        [ "$good" = 1 ] && { ok "$name: set aside, provisioned as without it ($(head -n 1 <<<"$err" | cut -c1-80))"; handled=$((handled + 1)); }
}

# skipped NAME PATTERN [ARGS...]: a documented safe skip: exit 0, a warning matching PATTERN.
skipped() {
        local name=$1 pattern=$2
        shift 2
        cases=$((cases + 1))
        run_memprov --dry-run "$@"
        if [ "$rc" -eq 137 ]; then
                not_ok "$name: hung (killed after ${LIMIT}s)"
        elif [ "$rc" -eq 0 ] && grep -q "warning: .*$pattern" <<<"$err" && ! grep -q 'error:' <<<"$err"; then
                ok "$name: skipped with a warning"
                handled=$((handled + 1))
        else
                not_ok "$name: rc=$rc: $err"
        fi
}

# A sane root first: the cases below differ from it by one thing.
fresh_root
run_memprov
check_eq "baseline: a clean root applies (exit 0, no error)" "$rc:$(grep -c 'error:' <<<"$err")" "0:0"

# --- item 3: every file read is a regular file inside the root, opened without blocking ------
for f in etc/fstab etc/memprov/memprov.conf etc/memprov/conf.d/50-x.conf var/lib/memprov/state \
        run/cloud-init/combined-cloud-config.json var/lib/cloud/instances/i-1/cloud-config.txt; do
        fresh_root
        rm -f "$R/$f" && mkfifo "$R/$f"
        refused "FIFO at /$f" "/$f: not a regular file"
done
fresh_root
mkfifo "$R/run/cloud-init/instance-data.json"
skipped "FIFO at instance-data.json (metadata is optional)" "instance-data.json: not a regular file"

fresh_root
mkdir -p "$R/etc/php/8.2/fpm/pool.d" && mkfifo "$R/etc/php/8.2/fpm/pool.d/www.conf"
cases=$((cases + 1))
run_memprov --dry-run
if [ "$rc" -ne 137 ] && ! grep -q 'error:' <<<"$err"; then
        ok "FIFO as PHP-FPM's pool file: read as absent, no hang (safe skip)"
        handled=$((handled + 1))
else
        not_ok "FIFO as PHP-FPM's pool file: rc=$rc $err"
fi

fresh_root
refused "--config /dev/zero" "/dev/zero: not a regular file" --config /dev/zero
fresh_root
refused "--config /dev/stdin from /dev/zero" "not a regular file" --config /dev/stdin </dev/zero
fresh_root
refused "--config a directory" "$SCRATCH: a directory" --config "$SCRATCH"
fresh_root
rm -f "$R/etc/fstab" && mknod "$R/etc/fstab" c 1 5
refused "a character device (/dev/zero's) at /etc/fstab" "/etc/fstab: not a regular file"
fresh_root
mkdir "$R/etc/memprov/memprov.conf"
refused "a directory at /etc/memprov/memprov.conf" "memprov.conf: a directory"
fresh_root
mkdir "$R/etc/memprov/conf.d/50-dir.conf"
refused "a directory named *.conf in conf.d" "50-dir.conf: a directory"

fresh_root
ln -s /etc/shadow "$R/etc/memprov/conf.d/50-shadow.conf"
refused "conf.d symlink to the build host's /etc/shadow" "50-shadow.conf: a symbolic link"
fresh_root
printf '[swap]\nsize = 1G\n' >"$R/etc/memprov/real.conf"
ln -s ../real.conf "$R/etc/memprov/conf.d/50-rel.conf"
refused "conf.d symlink inside the root" "50-rel.conf: a symbolic link"
fresh_root
rm -rf "$R/etc/memprov/conf.d" && ln -s /etc "$R/etc/memprov/conf.d"
refused "conf.d itself a symlink to the host's /etc" "conf.d: a symbolic link"
fresh_root
mv "$R/etc/memprov" "$R/etc/memprov.real" && ln -s /etc/memprov.real "$R/etc/memprov"
refused "/etc/memprov a symlink" "/etc/memprov/memprov.conf: a symbolic link"
fresh_root
rm "$R/etc/fstab" && ln -s /etc/fstab "$R/etc/fstab"
refused "/etc/fstab a symlink to the host's" "/etc/fstab: a symbolic link"
fresh_root
ln -s /etc/shadow "$R/run/cloud-init/combined-cloud-config.json"
refused "combined-cloud-config.json a symlink to /etc/shadow" "combined-cloud-config.json: a symbolic link"
fresh_root
ln -s /etc/shadow "$R/var/lib/memprov/state"
refused "state a symlink to /etc/shadow" "state: a symbolic link"
fresh_root
rm "$R/var/lib/cloud/instance" && ln -s ../../../etc "$R/var/lib/cloud/instance"
refused "cloud-init instance link out of instances/" "instance: neither cloud-init's symlink"

fresh_root
printf '[swap]\nsize = 1G\n\0[swap]\nsize = 9G\n' >"$R/etc/memprov/memprov.conf"
refused "a NUL byte in memprov.conf" "memprov.conf:3: a NUL byte"
fresh_root
head -c $((9 * 1024 * 1024)) /dev/zero | tr '\0' '#' >"$R/etc/memprov/conf.d/50-big.conf"
refused "a 9 MiB conf.d file" "50-big.conf: too large"
mkdir -p "$SCRATCH/defaults" && cp "$DEFAULTS"/*.conf "$SCRATCH/defaults/" && mkfifo "$SCRATCH/defaults/99-fifo.conf"
fresh_root
cases=$((cases + 1))
timeout -s KILL "$LIMIT" "$MEMPROV" --defaults "$SCRATCH/defaults" --root "$R" --assume-ram 1G \
        --dry-run >/dev/null 2>"$SCRATCH/err"
rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 137 ] && grep -q "error: .*99-fifo.conf: not a regular file" "$SCRATCH/err"; then
        ok "a FIFO among the shipped defaults: refused"
        handled=$((handled + 1))
else
        not_ok "a FIFO among the shipped defaults: rc=$rc $(cat "$SCRATCH/err")"
fi

# --- item 5: parser edges --------------------------------------------------------------------
yaml() { printf '%s' "$1" >"$R/var/lib/cloud/instances/i-1/cloud-config.txt"; }
fresh_root
yaml "$(printf '#cloud-config\nmemprov:\n  swap: '; head -c 100000 /dev/zero | tr '\0' '['; head -c 100000 /dev/zero | tr '\0' ']')"
refused "YAML user-data nested 100k levels (200 KB)" "nested deeper than 32 levels"
fresh_root
yaml "$(printf 'memprov:\n  swap: 2G\n')"
set_aside "user-data swap: 2G (a value where a mapping belongs)" "memprov.swap: expected a mapping"
fresh_root
printf '{"memprov": {"sysctl": [10]}}' >"$R/run/cloud-init/combined-cloud-config.json"
set_aside "JSON user-data sysctl: [10]" "memprov.sysctl: expected a mapping"
fresh_root
yaml "$(printf 'a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\nmemprov:\n  units: {disable: *d}\n')"
set_aside "YAML alias bomb under memprov.units.disable" "memprov.units.disable: nested too deep"
for v in 010 0099 +5 0x10; do
        fresh_root
        printf '[sysctl]\nswappiness = %s\n' "$v" >"$R/etc/memprov/memprov.conf"
        refused "swappiness = '$v'" "memprov.conf:2: invalid value for sysctl.swappiness"
done
fresh_root
printf '[tier 1G]\nphp.max_children = 010\n' >"$R/etc/memprov/conf.d/50-php.conf"
refused "php.max_children = 010" "invalid value for tier 1G.php.max_children"
fresh_root
mkdir "$R/real" && ln -s real "$R/lnk"
refused "swap.path through a symlinked folder" "swap.path .*/lnk/swapfile: a symbolic link" \
        --set swap.path=/lnk/swapfile
fresh_root
printf '[memprov]\ntier = 1G\nram_bytes = -1\n' >"$R/var/lib/memprov/state"
refused "state: ram_bytes = -1" "memprov.ram_bytes is not a number"
fresh_root
printf '[memprov]\ntier = 1G\n[swap]\npath = ../etc/passwd\n' >"$R/var/lib/memprov/state"
refused "state: swap.path = ../etc/passwd" "swap.path is not an absolute path"
fresh_root
printf '[memprov]\ntier = 1G\n[files]\n/etc/../etc/passwd = 0 0644 x\n' >"$R/var/lib/memprov/state"
refused "state: [files] with a .. path" "is not an absolute path"

check_eq "the host's /etc/memprov and /var/lib/memprov untouched" \
        "$(tree_sums /etc/memprov /var/lib/memprov 2>/dev/null)" "$HOST_BEFORE"
echo "# hostile reads handled: $handled of $cases"
check_eq "every hostile case handled" "$handled" "$cases"
exit $T_FAILED
