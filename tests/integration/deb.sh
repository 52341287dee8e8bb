#!/bin/bash
# The Debian package: `make deb` builds it, lintian reports no error and no warning (the ones we
# accept are overridden with a reason in debian/memprov.lintian-overrides), the files are where
# Debian wants them, the unit is enabled but never started on install, and purge removes
# /etc/memprov and /var/lib/memprov but nothing memprov provisioned (maintainer scripts run in a
# private mount namespace over overlays of /etc and /var/lib, so the host is untouched).
# shellcheck disable=SC1091
source "$(dirname "$0")/../lib.sh"
enter_mount_namespace "$@"

[ "$(id -u)" = 0 ] || { skip "debian package" "needs root (make deb installs build packages)"; exit 0; }
top=$(cd "$TESTS_DIR/.." && pwd)
version=$(sed -n 's/^VERSION *:= *//p' "$top/Makefile")

if ! make -s -C "$top" deb >"$SCRATCH/make-deb.log" 2>&1; then
        not_ok "make deb"
        sed 's/^/# /' "$SCRATCH/make-deb.log" | tail -n 30
        exit 1
fi
ok "make deb"
arch=$(dpkg --print-architecture)
deb=$top/build/deb/memprov_${version}_$arch.deb
check "builds build/deb/memprov_${version}_$arch.deb (changelog version = Makefile VERSION)" test -s "$deb"
[ -s "$deb" ] || exit 1

# lintian: no E: and no W: (informational tags are listed, not counted).
lintian --info --display-info "$top"/build/deb/memprov_"${version}"_"$arch".changes \
        >"$SCRATCH/lintian.log" 2>&1
grep -v -e '^N:' -e 'running with root privileges' "$SCRATCH/lintian.log" | sed 's/^/# lintian: /'
check_eq "lintian: no errors" "$(grep -c '^E: ' "$SCRATCH/lintian.log")" 0
check_eq "lintian: no warnings" "$(grep -c '^W: ' "$SCRATCH/lintian.log")" 0

contents=$(dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|')
for p in /usr/sbin/memprov /lib/systemd/system/memprov.service /usr/lib/memprov/00-defaults.conf \
        /usr/lib/memprov/10-tiers.conf /etc/memprov/conf.d/ /var/lib/memprov/ \
        /usr/share/man/man8/memprov.8.gz /usr/share/doc/memprov/README.Debian \
        /usr/share/man/man5/memprov.conf.5.gz /usr/lib/systemd/catalog/memprov.catalog \
        /usr/share/bash-completion/completions/memprov; do
        check "ships $p" grep -qx -- "$p" <<<"$contents"
done
check_eq "ships no conffile" "$(dpkg-deb --ctrl-tarfile "$deb" | tar -tf - | grep -c conffiles)" 0
for f in "$top"/conf.d/*.conf; do
        check "ships $(basename "$f")" grep -qx -- "/usr/lib/memprov/$(basename "$f")" <<<"$contents"
done

ctrl=$SCRATCH/ctrl
dpkg-deb -e "$deb" "$ctrl"
check "postinst enables memprov.service" grep -q "deb-systemd-helper enable 'memprov.service'" "$ctrl/postinst"
check_fails "postinst never starts it" grep -q -e 'deb-systemd-invoke' -e 'systemctl.*start' "$ctrl/postinst"
check "binary runs: --version" sh -c "dpkg-deb --fsys-tarfile '$deb' | tar -xOf - ./usr/sbin/memprov >'$SCRATCH/memprov' &&
        chmod +x '$SCRATCH/memprov' && '$SCRATCH/memprov' --version"

# Maintainer scripts on overlays: writes land in $SCRATCH, the host's /etc and /var/lib stay.
overlay() {
        local up=$SCRATCH/ov$1
        mkdir -p "$up/u" "$up/w" && mount -t overlay overlay \
                -o "lowerdir=$1,upperdir=$up/u,workdir=$up/w" "$1"
}
if overlay /etc && overlay /var/lib && mount -t tmpfs tmpfs /run; then
        setup() {
                mkdir -p /etc/memprov/conf.d /var/lib/memprov
                printf '[swap]\nsize = 1G\n' >/etc/memprov/conf.d/50-admin.conf
                printf 'state\n' >/var/lib/memprov/state
                mkdir -p /var/lib/prometheus/node-exporter
                printf 'memprov_drift 0\n' >/var/lib/prometheus/node-exporter/memprov.prom
        }
        setup
        fstab_before=$(sha256sum /etc/fstab 2>/dev/null)
        "$ctrl/postrm" remove >/dev/null 2>&1
        check "postrm remove keeps /etc/memprov and /var/lib/memprov" \
                test -f /etc/memprov/conf.d/50-admin.conf -a -f /var/lib/memprov/state
        check "postrm purge succeeds" "$ctrl/postrm" purge
        check_fails "purge removes /etc/memprov" test -e /etc/memprov
        check_fails "purge removes /var/lib/memprov" test -e /var/lib/memprov
        check_fails "purge removes the metrics file" test -e /var/lib/prometheus/node-exporter/memprov.prom
        check_eq "purge leaves /etc/fstab (the swapfile's entry) alone" \
                "$(sha256sum /etc/fstab 2>/dev/null)" "$fstab_before"
else
        not_ok "overlays for the maintainer script tests"
fi
exit "$T_FAILED"
