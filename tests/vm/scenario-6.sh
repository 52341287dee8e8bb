# shellcheck shell=bash disable=SC2154 # dir (tests/vm/run)
# Scenario 6: 2 GiB RAM, bad user-data (`memprov: {swap: {size: lots}}`): memprov.service
# fails with one clear message in the journal naming the key, and changes nothing (as in
# scenario 4); the other services still boot, nothing else fails.
cat >"$dir.user-data" <<'UD'
#cloud-config
memprov:
  swap:
    size: lots
UD
# 2 GiB: memprov sizes nothing here, so every service runs; at 1 GiB without swap the full
# set (Mailman3's runners above all) makes the guest thrash for many minutes.
if boot "$dir" --ram 2G --user-data "$dir.user-data"; then
        ok "s6: boot at 2G with bad user-data, report read back"
        journal=$(sed -n '/^=== journalctl -b -u memprov$/,/^---/p' "$REPORT")
        check_eq "s6: memprov.service failed" "$(rv unit.memprov.result)/$(rv unit.memprov.active)" exit-code/failed
        check_eq "s6: the only failed unit is memprov.service" "$(rv failed_units)" "memprov.service,"
        check_eq "s6: system degraded (by memprov.service alone)" "$(rv system_state)" degraded
        check_eq "s6: one journal line names user-data memprov.swap.size" \
                "$(grep -c 'user-data memprov\.swap\.size' <<<"$journal")" 1
        check_eq "s6: one error line from memprov" "$(rv journal.memprov_errors)" 1
        check_eq "s6: no ordering cycle in the journal" "$(rv ordering_cycles)" 0
        check_eq "s6: nothing OOM-killed" "$(rv oom_kills)" 0
        check_untouched s6
        check_cloud_init_memprov_key s6
        echo "# s6 memprov journal: $(grep 'memprov\.swap\.size' <<<"$journal" | head -n 1)"
else
        not_ok "s6: boot at 2G with bad user-data, report read back"
fi
