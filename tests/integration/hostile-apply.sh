#!/bin/bash
# Issue 11, items 2 and 4: memprov creates its swapfile only where nothing exists, replaces or
# removes only a file libblkid shows is its own swap area (label "memprov"), and checks every
# path it will write before the first change. Each hostile case on an offline root (--root):
# one error naming the path, a non-zero exit, and the whole tree unchanged.
# shellcheck disable=SC1091
source "$(dirname "$0")/../lib.sh"

new_root() { # new_root DIR: a small Debian root whose fstab and passwd must survive
        mkdir -p "$1/etc/memprov" "$1/var/lib" "$1/data" "$1/other"
        touch "$1/etc/debian_version"
        printf '# the admin fstab\n/dev/vda1 / ext4 defaults 0 1\n' >"$1/etc/fstab"
        printf 'root:x:0:0:root:/root:/bin/bash\n' >"$1/etc/passwd"
}

mp() { # mp ROOT ARGS...: stderr in ROOT.err
        local root=$1
        shift
        "$MEMPROV" --defaults "$DEFAULTS" --root "$root" --assume-ram 1G --set swap.size=256M \
                --set swap.add=yes "$@" >/dev/null 2>"$root.err"
}

# refused NAME ROOT PATTERN ARGS...: non-zero exit, an error matching PATTERN, tree unchanged.
refused() {
        local name=$1 root=$2 pattern=$3 before rc
        shift 3
        before=$(tree_sums "$root")
        mp "$root" "$@"
        rc=$?
        check "$name: non-zero exit" test "$rc" -ne 0
        if grep -q "error: .*$pattern" "$root.err"; then ok "$name: error names the cause"; else
                not_ok "$name: error names the cause (got: $(head -c 300 "$root.err"))"
        fi
        check_eq "$name: tree unchanged" "$(tree_sums "$root")" "$before"
}

n=0
case_root() { n=$((n + 1)) && R=$SCRATCH/r$n && new_root "$R"; }

# --- item 2: never clobber ---
case_root
refused "swap.path=/etc/fstab" "$R" "/etc/fstab exists and is not memprov's swapfile" \
        --set swap.path=/etc/fstab
case_root
refused "swap.path=/etc/passwd" "$R" "/etc/passwd exists and is not memprov's swapfile" \
        --set swap.path=/etc/passwd
case_root
# As cloud-init 22.4 leaves it (tests/integration/cloudinit-userdata.sh has the same root).
mkdir -p "$R/var/lib/cloud/instances/iid-memprov-test-1" "$R/run/cloud-init"
ln -s /var/lib/cloud/instances/iid-memprov-test-1 "$R/var/lib/cloud/instance"
cp "$TESTS_DIR/fixtures/cloud-init/instance-data.json" "$R/run/cloud-init/"
printf '#cloud-config\nmemprov:\n  swap: {path: /etc/passwd}\n' \
        >"$R/var/lib/cloud/instances/iid-memprov-test-1/cloud-config.txt"
# From user-data /etc is not the customer's (issue 21 item 3): the setting is refused, all of the
# customer's settings are set aside and the root provisioned with the provider's; /etc/passwd
# stays as it was.
before=$(sha256sum <"$R/etc/passwd")
mp "$R"
check "user-data swap.path: /etc/passwd: non-zero exit" test $? -ne 0
check "user-data swap.path: /etc/passwd: error names the cause" \
        grep -q "error: user-data memprov.swap.path: \"/etc/passwd\": from user-data a swapfile goes" "$R.err"
check_eq "user-data swap.path: /etc/passwd: untouched" "$(sha256sum <"$R/etc/passwd")" "$before"
check "user-data swap.path: /etc/passwd: provisioned with the provider's /swapfile" \
        grep -q "^/swapfile none swap" "$R/etc/fstab"
case_root
printf 'the admin data\n' >"$R/data/swapfile"
refused "a data file at swap.path" "$R" "/data/swapfile exists and is not" --set swap.path=/data/swapfile
case_root
ln -s /etc/passwd "$R/data/swapfile"
refused "a symlink at swap.path" "$R" "/data/swapfile exists and is not" --set swap.path=/data/swapfile
case_root
mkfifo "$R/data/swapfile"
refused "a FIFO at swap.path" "$R" "/data/swapfile exists and is not" --set swap.path=/data/swapfile
case_root
truncate -s 300M "$R/data/swapfile"
refused "a sparse file at swap.path" "$R" "/data/swapfile exists and is not" --set swap.path=/data/swapfile
case_root
fallocate -l 300M "$R/data/swapfile" && chmod 600 "$R/data/swapfile" && mkswap -q "$R/data/swapfile"
refused "the admin's swap area (no memprov label)" "$R" "/data/swapfile exists and is not" \
        --set swap.path=/data/swapfile
case_root
ln -s ../other "$R/data/link"
refused "swap.path through a symlinked folder" "$R" "/data/link/swapfile" \
        --set swap.path=/data/link/swapfile

# swap.size=none --rerun removes only memprov's own swapfile, never what the state names.
case_root
if mp "$R" --set swap.path=/data/swapfile; then
        check "memprov's swapfile carries its label" \
                test "$(blkid -o value -s LABEL "$R/data/swapfile")" = memprov
        rm "$R/data/swapfile" && printf 'the admin data\n' >"$R/data/swapfile"
        refused "swap.size=none --rerun on a file that is not memprov's" "$R" \
                "/data/swapfile exists and is not" --set swap.path=/data/swapfile \
                --set swap.size=none --rerun
        case_root
        mp "$R" --set swap.path=/data/swapfile
        sed -i 's|^path = /data/swapfile|path = /etc/passwd|' "$R/var/lib/memprov/state"
        refused "swap.size=none --rerun when the state names /etc/passwd" "$R" \
                "/etc/passwd exists and is not" --set swap.size=none --rerun
else
        not_ok "provision $R ($(cat "$R.err"))"
fi

# Upgrade path: a swapfile memprov 0.1.0 made (no label) is adopted when the state names it and
# it is a swap area of the recorded size; labelled in place (swaplabel: same UUID), else refused.
old_swapfile() { # old_swapfile ROOT [MKSWAP ARGS]: what 0.1.0 left at /data/swapfile
        local f=$1/data/swapfile size
        size=$(sed -n 's/^size_bytes = //p' "$1/var/lib/memprov/state")
        shift
        rm -f "$f" && fallocate -l "$size" "$f" && chmod 600 "$f" && mkswap -q "$@" "$f"
}
case_root
if mp "$R" --set swap.path=/data/swapfile; then
        old_swapfile "$R"
        uuid=$(blkid -o value -s UUID "$R/data/swapfile")
        mp "$R" --set swap.path=/data/swapfile --rerun
        check "0.1.0's swapfile: adopted (exit 0)" test $? -eq 0
        check_eq "0.1.0's swapfile: labelled memprov" \
                "$(blkid -o value -s LABEL "$R/data/swapfile")" memprov
        check_eq "0.1.0's swapfile: same swap area (UUID kept)" \
                "$(blkid -o value -s UUID "$R/data/swapfile")" "$uuid"
        check "0.1.0's swapfile: the run says so" grep -q "made by memprov 0.1.0" "$R.err"
        old_swapfile "$R"
        sed -i 's|^path = /data/swapfile|path = /data/other-swapfile|' "$R/var/lib/memprov/state"
        refused "0.1.0-style swapfile the state does not name" "$R" \
                "/data/swapfile exists and is not" --set swap.path=/data/swapfile --rerun
        sed -i 's|^path = /data/other-swapfile|path = /data/swapfile|' "$R/var/lib/memprov/state"
        old_swapfile "$R"
        sed -i 's|^size_bytes = .*|size_bytes = 1048576|' "$R/var/lib/memprov/state"
        refused "0.1.0-style swapfile of another size than recorded" "$R" \
                "/data/swapfile exists and is not" --set swap.path=/data/swapfile --rerun
        case_root
        mp "$R" --set swap.path=/data/swapfile
        old_swapfile "$R" -L admin
        refused "a swap area the state names, labelled by the admin" "$R" \
                "/data/swapfile exists and is not" --set swap.path=/data/swapfile --rerun
        size=$(sed -n 's/^size_bytes = //p' "$R/var/lib/memprov/state")
        rm "$R/data/swapfile" && head -c "$size" /dev/zero >"$R/data/swapfile"
        refused "a data file of the recorded size the state names (not swap)" "$R" \
                "/data/swapfile exists and is not" --set swap.path=/data/swapfile --rerun
else
        not_ok "provision $R ($(cat "$R.err"))"
fi

# --- item 4: every path checked before the first change ---
case_root
# A symlinked /etc/sysctl.d (an admin's layout; systemd-sysctl follows it): only the drop-in and
# vm.swappiness are left alone, named in the plan, and the rest of the run goes on
# (modules/sysctl.c dropin_behind_link(); linked-dirs.sh has --rerun and --undo).
mkdir -p "$R/elsewhere" && ln -s ../elsewhere "$R/etc/sysctl.d"
check "symlinked /etc/sysctl.d: the plan (--dry-run) names the link" \
        grep -q "skip .*/etc/sysctl.d/60-memprov.conf .*symbolic link" \
        <("$MEMPROV" --defaults "$DEFAULTS" --root "$R" --assume-ram 1G --set swap.size=256M \
                --set swap.add=yes --set swap.path=/data/swapfile --dry-run 2>&1)
mp "$R" --set swap.path=/data/swapfile
check "symlinked /etc/sysctl.d: exit 0" test $? -eq 0
check_eq "symlinked /etc/sysctl.d: nothing written through it" "$(ls -A "$R/elsewhere")" ""
check "symlinked /etc/sysctl.d: the rest done (swapfile made)" test -e "$R/data/swapfile"
case_root
mkdir -p "$R/elsewhere" && ln -s ../elsewhere "$R/var/lib/memprov"
refused "symlinked /var/lib/memprov" "$R" "/var/lib/memprov/state: a symbolic link on the path" \
        --set swap.path=/data/swapfile
exit 0
