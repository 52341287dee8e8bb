# shellcheck shell=bash disable=SC2154 # kv comes from memprov-report
# Issue 10 (scenario 7): what the state says about the tier, and the admin's own files next to
# memprov's, so a re-tier at boot can be shown to leave them alone.
kv state.tier "$(sed -n 's/^tier = //p' /var/lib/memprov/state 2>/dev/null)"
kv admin_sums "$(for f in /etc/mysql/mariadb.conf.d/60-admin.cnf /etc/systemd/system/mariadb.service.d/50-memprov.conf; do
    printf '%s:%s,' "$f" "$(sha256sum <"$f" 2>/dev/null | cut -c1-12)"
done)"
kv journal.memprov_resize "$(journalctl -b -u memprov.service -q --no-pager -o cat | grep -c 'provisioning again (memprov.on_resize = rerun)')"
