# shellcheck shell=bash disable=SC2154 # kv, section: memprov-report
# Scenario 9 (issue 12): memprov.undo on the kernel command line runs `memprov --undo` after
# the main report; memprov.endstate reports what --undo must leave as a machine that never ran
# memprov has it (swaps, fstab, vm.swappiness, unit file states, the /etc tree), for the host to
# compare. Neither flag: nothing here runs.
undo=0 endstate=0
for w in $(</proc/cmdline); do
    case $w in memprov.undo) undo=1 ;; memprov.endstate) endstate=1 ;; esac
done
if [ "$undo" = 1 ]; then
    memprov --undo >/run/undo.out 2>/run/undo.err
    kv undo.rc "$?"
    section "memprov --undo: stdout" cat /run/undo.out
    section "memprov --undo: stderr" cat /run/undo.err
    memprov --undo >/run/undo2.out 2>&1
    kv undo.second_rc "$?"
    section "memprov --undo again" cat /run/undo2.out
    memprov --status >/run/status.out 2>&1
    kv undo.status_rc "$?"
fi
if [ "$endstate" = 1 ]; then
    kv end.swaps "$(tail -n +2 /proc/swaps | awk '{print $1}' | sort | tr '\n' ' ')"
    kv end.fstab_sum "$(sha256sum </etc/fstab | cut -c1-16)"
    kv end.swappiness "$(cat /proc/sys/vm/swappiness)"
    kv end.memprov_state "$([ -e /var/lib/memprov/state ] && echo present || echo none)"
    section "end: /etc/fstab" cat /etc/fstab
    section "end: unit file states" sh -c \
        "systemctl list-unit-files --no-legend --plain --no-pager | awk '{print \$1, \$2}' | sort"
    section "end: /etc entries" sh -c \
        "find /etc -xdev -printf '%p %y %m %l\n' | sort; find /etc -xdev -type f -print0 | sort -z | xargs -0 sha256sum | awk '{print \$2, substr(\$1, 1, 16)}'"
fi
