#!/bin/bash
# Issue 4: unused services on an offline root (--root): at 1G every group's enabled units are
# disabled and the unit-file tree is exactly what `systemctl --root disable` leaves; masked and
# admin-disabled units are untouched; user-data keep= wins; a rerun at 8G restores the tree.
# Unit files are the Debian 12 packages' (tests/fixtures/units), enabled as their postinst does.
# shellcheck disable=SC1091
source "$(dirname "$0")/../lib.sh"

command -v systemctl >/dev/null || { skip "units-offline" "systemctl not installed (make test-deps)"; exit 0; }

ENABLED="proftpd.service named.service named-resolvconf.service postgresql.service
        postgresql@15-main.service clamav-daemon.service clamav-freshclam.service spamd.service
        mailman3.service mailman3-web.service spamassassin-maintenance.timer"

# new_root DIR: the packages' unit files, enabled; spamd masked, freshclam disabled by the admin.
new_root() {
        mkdir -p "$1/etc" && touch "$1/etc/debian_version" &&
                cp -a "$TESTS_DIR/fixtures/units/lib" "$1/" &&
                # shellcheck disable=SC2086
                systemctl --root="$1" --quiet enable $ENABLED 2>/dev/null &&
                systemctl --root="$1" --quiet mask spamd.service &&
                systemctl --root="$1" --quiet disable clamav-freshclam.service
}

units_tree() { (cd "$1/etc/systemd/system" && find . -printf '%p %l\n' | sort); }

mp() {
        local root=$1 ram=$2
        shift 2
        "$MEMPROV" --defaults "$DEFAULTS" --root "$root" --assume-ram "$ram" \
                --set swap.size=none "$@" 2>"$root.err"
}

R=$SCRATCH/root
O=$SCRATCH/oracle
new_root "$R" || { not_ok "fixture root"; exit 1; }
cp -a "$R" "$O"
original=$(units_tree "$R")

before=$(tree_sums "$R")
mp "$R" 1G --dry-run >"$R.plan"
check "dry-run plans disabling proftpd" grep -q "unit    disable   proftpd.service" "$R.plan"
check_eq "dry-run changes nothing" "$(tree_sums "$R")" "$before"

check "provision at 1G" mp "$R" 1G
systemctl --root="$O" --quiet disable proftpd.service named.service postgresql.service \
        postgresql@.service clamav-daemon.service mailman3.service mailman3-web.service
check_eq "unit files as systemctl --root disable leaves them" "$(units_tree "$R")" "$(units_tree "$O")"
check_eq "masked spamd.service untouched" "$(readlink "$R/etc/systemd/system/spamd.service")" /dev/null
check_fails "admin-disabled clamav-freshclam stays disabled" \
        test -e "$R/etc/systemd/system/multi-user.target.wants/clamav-freshclam.service"
check "clamav-daemon.socket (Also=) disabled too" \
        test ! -e "$R/etc/systemd/system/sockets.target.wants/clamav-daemon.socket"
check "state records proftpd.service" grep -q '^\[unit proftpd.service\]' "$R/var/lib/memprov/state"
check_fails "state records nothing for the masked unit" grep -q '^\[unit spamd.service\]' \
        "$R/var/lib/memprov/state"

check "rerun at 1G" mp "$R" 1G --rerun
check_eq "rerun at 1G changes nothing" "$(units_tree "$R")" "$(units_tree "$O")"
check "rerun at 8G" mp "$R" 8G --rerun
check_eq "rerun at 8G restores exactly what memprov disabled" "$(units_tree "$R")" "$original"
check_fails "state forgets re-enabled units" grep -q '^\[unit ' "$R/var/lib/memprov/state"

# user-data keep= and disable= (cloud-init 22.4's YAML).
K=$SCRATCH/keep
new_root "$K"
mkdir -p "$K/var/lib/cloud/instances/i-1"
ln -s /var/lib/cloud/instances/i-1 "$K/var/lib/cloud/instance"
printf '#cloud-config\nmemprov:\n  units:\n    keep: [clamav, bind]\n' \
        >"$K/var/lib/cloud/instances/i-1/cloud-config.txt"
check "provision with user-data keep" mp "$K" 1G
check "kept: clamav-daemon still enabled" \
        test -L "$K/etc/systemd/system/multi-user.target.wants/clamav-daemon.service"
check "kept: named still enabled" test -L "$K/etc/systemd/system/multi-user.target.wants/named.service"
check "not kept: proftpd disabled" \
        test ! -e "$K/etc/systemd/system/multi-user.target.wants/proftpd.service"

# Bad unit names in user-data: refused; all the customer's settings are set aside and the root
# is provisioned with the provider's configuration (issue 20 item 8).
B=$SCRATCH/bad
new_root "$B"
mkdir -p "$B/run/cloud-init"
echo '{"memprov": {"units": {"disable": ["proftpd", "../../../bin/sh"]}}}' \
        >"$B/run/cloud-init/combined-cloud-config.json"
check_fails "bad unit name: exit non-zero" mp "$B" 1G
check "bad unit name: error names the key" grep -q "error: user-data memprov.units.disable" "$B.err"
check "bad unit name: the customer's settings set aside" \
        grep -q "user-data: all 1 memprov settings set aside" "$B.err"
check "bad unit name: provisioned with the provider's configuration" test -f "$B/var/lib/memprov/state"
check "bad unit name: no path from user-data followed" test "$(tree_sums "$B" | grep -c 'bin/sh')" = 0
exit $T_FAILED
