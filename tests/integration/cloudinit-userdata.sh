#!/bin/bash
# Issue 4: cloud-init drives memprov on an offline root (--root): the user-data memprov: key from
# cloud-init 22.4's YAML and from 23.3's JSON, the write_files route, precedence, enabled: false,
# the instance id as first boot, and bad user-data refused with nothing changed.
# shellcheck disable=SC1091
source "$(dirname "$0")/../lib.sh"

FIX=$TESTS_DIR/fixtures/cloud-init

# new_root DIR: a Debian root with cloud-init's files for instance iid-memprov-test-1 (YAML only).
new_root() {
        local r=$1
        mkdir -p "$r/etc/memprov/conf.d" "$r/var/lib/cloud/instances/iid-memprov-test-1" \
                "$r/run/cloud-init"
        touch "$r/etc/debian_version"
        ln -s /var/lib/cloud/instances/iid-memprov-test-1 "$r/var/lib/cloud/instance"
        cp "$FIX/instance-data.json" "$r/run/cloud-init/"
}

# user_data ROOT YAML_BODY: the merged cloud-config.txt, as cloud-init 22.4 writes it.
user_data() {
        printf '#cloud-config\npackages: [htop]\n%s\n' "$2" \
                >"$1/var/lib/cloud/instances/iid-memprov-test-1/cloud-config.txt"
}

mp() {
        local root=$1
        shift
        "$MEMPROV" --defaults "$DEFAULTS" --root "$root" --assume-ram 1G --set swap.image=yes "$@"
}

# plan_value ROOT JQ [ARGS]: one value of the --dry-run --json plan.
plan_value() {
        local root=$1 q=$2
        shift 2
        mp "$root" --dry-run --json "$@" 2>/dev/null | jq -r "$q"
}

R=$SCRATCH/yaml
new_root "$R"
user_data "$R" 'memprov:
  swap: {size: 1536M}
  sysctl:
    swappiness: 17'
check_eq "YAML user-data: swap.size" "$(plan_value "$R" .swap.size_bytes)" $((1536 << 20))
check_eq "YAML user-data: swappiness" "$(plan_value "$R" '.sysctl."vm.swappiness"')" 17

# cloud-init >= 23.3: the JSON is read instead of the YAML.
mkdir -p "$R/run/cloud-init"
cp "$FIX/combined-cloud-config.json" "$R/run/cloud-init/"
check_eq "JSON user-data wins over YAML: swappiness" "$(plan_value "$R" '.sysctl."vm.swappiness"')" 15
check_eq "JSON user-data: swap.size" "$(plan_value "$R" .swap.size_bytes)" $((2 << 30))
rm "$R/run/cloud-init/combined-cloud-config.json"

# Precedence: shipped defaults < /etc < user-data < --set.
printf '[sysctl]\nswappiness = 40\n[swap]\nsize = 512M\npath = /etc-swap\n' >"$R/etc/memprov/conf.d/50-admin.conf"
check_eq "user-data over /etc" "$(plan_value "$R" '.sysctl."vm.swappiness"')" 17
check_eq "/etc where user-data says nothing" "$(plan_value "$R" .swap.path)" /etc-swap
check_eq "--set over user-data" \
        "$(plan_value "$R" '.sysctl."vm.swappiness"' --set sysctl.swappiness=60)" 60
rm "$R/etc/memprov/conf.d/50-admin.conf"

# The write_files route: an INI in /etc/memprov/conf.d, no memprov: key.
W=$SCRATCH/write-files
new_root "$W"
user_data "$W" 'write_files:
  - path: /etc/memprov/conf.d/90-cloud.conf
    content: |
      [sysctl]
      swappiness = 12'
printf '[sysctl]\nswappiness = 12\n' >"$W/etc/memprov/conf.d/90-cloud.conf"
check_eq "write_files route: swappiness" "$(plan_value "$W" '.sysctl."vm.swappiness"')" 12

# enabled: false: nothing at all.
D=$SCRATCH/disabled
new_root "$D"
user_data "$D" 'memprov:
  enabled: false'
before=$(tree_sums "$D")
out=$(mp "$D" 2>&1)
check "enabled: false exits 0" test $? -eq 0
check "enabled: false says so" grep -q "disabled by configuration" <<<"$out"
check_eq "enabled: false changes nothing" "$(tree_sums "$D")" "$before"

# Instance id: a rerun of the same instance only reports; another instance provisions again.
I=$SCRATCH/instance
new_root "$I"
user_data "$I" 'memprov:
  swap: {size: none}'
check "first boot provisions" mp "$I"
check_eq "state records the instance id" \
        "$(sed -n 's/^instance_id = //p' "$I/var/lib/memprov/state")" iid-memprov-test-1
check_eq "state records the cloud" "$(sed -n 's/^cloud_name = //p' "$I/var/lib/memprov/state")" nocloud
check "same instance: only a report" sh -c "'$MEMPROV' --defaults '$DEFAULTS' --root '$I' \
        --assume-ram 1G 2>&1 | grep -q 'already provisioned'"
sed -i 's/iid-memprov-test-1/iid-memprov-test-2/g' "$I/run/cloud-init/instance-data.json"
out=$(mp "$I" 2>&1)
check "new instance id: provisions as on first boot" grep -q "provisioning as on first boot" <<<"$out"
check_eq "state records the new instance id" \
        "$(sed -n 's/^instance_id = //p' "$I/var/lib/memprov/state")" iid-memprov-test-2

# Unknown keys: a warning naming the key, and the run goes on.
U=$SCRATCH/unknown
new_root "$U"
user_data "$U" 'memprov:
  swap: {size: none, colour: blue}'
out=$(mp "$U" --dry-run 2>&1)
check "unknown key: exit 0" test $? -eq 0
check "unknown key: warning names it" grep -q "warning: user-data memprov.swap.colour: unknown key" <<<"$out"

# Issue 20 item 8, issue 21 item 3: an error in the customer's settings sets ALL of them aside;
# the machine is provisioned with the provider's configuration, the run says what it set aside
# and why, and exits non-zero. A swap.path outside the provider's folders is such an error.
# set_aside NAME KEY YAML: KEY is what the error must name.
set_aside() {
        local name=$1 key=$2 yaml=$3 root=$SCRATCH/aside-$RANDOM out rc
        new_root "$root"
        user_data "$root" "$yaml
  sysctl: {swappiness: 17}"
        out=$(mp "$root" --set swap.size=none 2>&1)
        rc=$?
        check "set aside ($name): exit non-zero" test "$rc" -ne 0
        check "set aside ($name): the error names $key" grep -q "error:.*$key" <<<"$out"
        check "set aside ($name): says all were set aside" \
                grep -q "user-data: all \([0-9]* \)\?memprov settings set aside" <<<"$out"
        check "set aside ($name): provisioned all the same" test -f "$root/var/lib/memprov/state"
        check "set aside ($name): none of the customer's settings applied" \
                bash -c "! grep -q 'swappiness = 17' '$root/etc/sysctl.d/60-memprov.conf'"
}
# User-data whose intent is unknowable (not YAML, memprov: not a mapping, enabled not yes or
# no): one error naming the key, exit non-zero, not one file changed.
# bad NAME KEY YAML: KEY is what the error must name.
bad() {
        local name=$1 key=$2 yaml=$3 root=$SCRATCH/bad-$RANDOM before out rc
        new_root "$root"
        user_data "$root" "$yaml"
        before=$(tree_sums "$root")
        out=$(mp "$root" 2>&1)
        rc=$?
        check "bad user-data ($name): exit non-zero" test "$rc" -ne 0
        check "bad user-data ($name): one error naming $key" \
                test "$(grep -c 'error:' <<<"$out")" = 1 -a -n "$(grep "error:.*$key" <<<"$out")"
        check_eq "bad user-data ($name): nothing changed" "$(tree_sums "$root")" "$before"
}
bad "not a mapping" "memprov" 'memprov: [swap]'
# A wrong shape inside memprov: (issue 20: structural errors) costs the customer's settings.
set_aside "a list where a mapping belongs" "memprov.swap" 'memprov:
  swap: [size]'
set_aside "wrong type" "memprov.swap.size" 'memprov:
  swap: {size: [1G, 2G]}'
set_aside "nested too deep" "memprov.units.disable" 'memprov:
  units: {disable: [[proftpd]]}'
set_aside "newline in a name" "memprov.units.keep" 'memprov:
  units:
    keep: "bind\nclamav"'
set_aside "slash in a section" "memprov.etc/shadow" 'memprov:
  etc/shadow: {x: 1}'
bad "not YAML" "cloud-config.txt" 'memprov: {swap: [}'
bad "enabled not a boolean" "memprov.enabled" 'memprov:
  enabled: maybe
  swap: {size: 1G}'

set_aside "unknown service name" "memprov.units.disable" 'memprov:
  units: {disable: [proftpd, ftpd]}'
set_aside "size out of range" "memprov.swap.size" 'memprov:
  swap: {size: 99999999999T}'
set_aside "slash in a name" "memprov.units.keep" 'memprov:
  units: {keep: [../../etc/shadow]}'
set_aside "a plain number as size" "memprov.swap.size" 'memprov:
  swap: {size: 2048}'
set_aside "swapfile in memprov's conf.d" "memprov.swap.path" 'memprov:
  swap: {path: /etc/memprov/conf.d/x.conf}'
set_aside "swapfile in sshd's conf.d" "memprov.swap.path" 'memprov:
  swap: {path: /etc/ssh/sshd_config.d/x.conf}'
set_aside "swapfile over memprov's state" "memprov.swap.path" 'memprov:
  swap: {path: /var/lib/memprov/state}'
set_aside "swapfile in /srv" "memprov.swap.path" 'memprov:
  swap: {path: /srv/swapfile}'
set_aside "disabling ssh" "memprov.units.disable" 'memprov:
  units: {disable: [ssh.service]}'
set_aside "the provider's allow-list" "memprov.userdata.swap_folders" 'memprov:
  userdata: {swap_folders: /etc}'

# The provider's folders are the customer's to use; /etc and --set are not limited.
A=$SCRATCH/allowed
new_root "$A"
user_data "$A" 'memprov:
  swap: {path: /swap/file}'
check_eq "user-data swap.path in /swap: taken" "$(plan_value "$A" .swap.path)" /swap/file
user_data "$A" 'memprov:
  swap: {path: /srv/file}'
mkdir -p "$A/etc/memprov/conf.d"
printf '[userdata]\nswap_folders = /srv\n' >"$A/etc/memprov/conf.d/50-provider.conf"
check_eq "the provider's allow-list in /etc: /srv taken" "$(plan_value "$A" .swap.path)" /srv/file
check_eq "--set is not limited" \
        "$(plan_value "$A" .swap.path --set swap.path=/etc/swapfile)" /etc/swapfile
exit $T_FAILED
