#!/bin/bash
# Stage 1 of the reference image: a Debian 12 (bookworm, the default) or Debian 13 (trixie) VPS
# root filesystem in directory $1.
# Called by images/build-image inside a private mount namespace (unshare -m), as root.
# Everything here is cached by build-image under a hash of the suite, this file, packages.list
# and the suite's packages-SUITE.map, so nothing here may depend on memprov's code or .deb (that
# is stage 2).
set -euo pipefail

root=${1:?usage: base-recipe.sh ROOTDIR [APT_ARCHIVE_CACHE] [SUITE]}
archives=${2:-}
suite=${3:-bookworm}
here=$(cd "$(dirname "$0")" && pwd)

log() { printf 'base-recipe: %s\n' "$*" >&2; }

# The mirror is whatever this host's apt uses for Debian (sources.list or deb822 .sources):
# never a hardcoded host. apt-get indextargets lists what apt update fetched. A suite the host
# does not track (trixie on a bookworm host) comes from the same repositories with the host's
# codename replaced: one Debian archive serves every release (SUITE, SUITE-updates,
# SUITE-security).
# shellcheck disable=SC2016 # $(...) is apt's format syntax
host_repos() {
    apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' 'Created-By: Packages' |
        awk '$3 == "main"' | sort -u
}
# shellcheck disable=SC2016 # $(...) is apt's format syntax
mapfile -t repos < <(host_repos |
    awk -v s="$suite" '$2 == s || $2 == s"-updates" || $2 == s"-security"')
if [ "${#repos[@]}" = 0 ]; then
    host_suite=$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release)
    mapfile -t repos < <(host_repos | awk -v h="$host_suite" -v s="$suite" '
        $2 == h || $2 == h"-updates" || $2 == h"-security" { sub("^" h, s, $2); print }')
fi
mirror=
for r in "${repos[@]}"; do
    read -r uri rel _ <<<"$r"
    if [ "$rel" = "$suite" ]; then mirror=$uri; fi
done
if [ -z "$mirror" ]; then
    log "no '$suite main' repository in this host's apt sources (run apt-get update?)"
    exit 1
fi
log "mirror: $mirror"

# packages.list names bookworm's packages; packages-SUITE.map renames or drops the few that differ
# in another suite ("OLD NEW", "OLD -" to drop, "- NEW" to add), so a line added to
# packages.list reaches every suite.
mapfile -t pkgs < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$here/packages.list")
map=$here/packages-$suite.map
if [ -f "$map" ]; then
    while read -r old new _; do
        [ -n "$old" ] || continue
        mapped=()
        for p in "${pkgs[@]}"; do
            if [ "$p" = "$old" ]; then
                [ "$new" = - ] || mapped+=("$new")
            else
                mapped+=("$p")
            fi
        done
        if [ "$old" = - ]; then mapped+=("$new"); fi
        pkgs=("${mapped[@]}")
    done < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$map")
fi

debootstrap_args=(--variant=minbase --components=main --merged-usr)
if [ -n "$archives" ]; then
    mkdir -p "$archives"
    debootstrap_args+=(--cache-dir="$archives")
fi
log "debootstrap $suite"
debootstrap "${debootstrap_args[@]}" "$suite" "$root" "$mirror" >&2

# apt sources inside the image: the same repositories as the host.
: >"$root/etc/apt/sources.list"
for r in "${repos[@]}"; do
    read -r uri rel comp <<<"$r"
    printf 'deb %s %s %s\n' "$uri" "$rel" "$comp" >>"$root/etc/apt/sources.list"
done

# No daemon starts inside the chroot.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"

# Pseudo filesystems for maintainer scripts (initdb needs /dev/shm, mariadb /proc). This runs in a
# private mount namespace, so they vanish with the process even if it is killed.
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --rbind /dev "$root/dev"
mount --make-rslave "$root/dev"
mount -t tmpfs tmpfs "$root/run"
mount -t tmpfs tmpfs "$root/tmp"
if [ -n "$archives" ]; then
    mount --bind "$archives" "$root/var/cache/apt/archives"
fi

in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 HOME=/root "$@"; }

# Locale first: cloud-init's locale module fails without a generated one.
in_root apt-get update -q >&2
in_root apt-get install -y -q --no-install-recommends locales >&2
sed -i -e 's/^# *\(en_US.UTF-8 UTF-8\)/\1/' "$root/etc/locale.gen"
in_root locale-gen >&2
printf 'LANG=en_US.UTF-8\n' >"$root/etc/default/locale"

log "installing ${#pkgs[@]} packages"
in_root apt-get install -y -q --no-install-recommends "${pkgs[@]}" >&2

# Apache talks to PHP-FPM over FastCGI (mpm_event, no mod_php).
phpver=$(find "$root/etc/php" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort -V | tail -n1)
in_root a2enmod -q proxy_fcgi setenvif >&2
in_root a2enconf -q "php$phpver-fpm" >&2
# WordPress with content for the load scenario (issue 9); it also puts mpm_event back.
"$here/wordpress-setup.sh" "$root" "$phpver"
# No MTA in the image: Mailman's default postfix integration runs postmap (not installed) when
# it starts and mailman3.service fails; the null MTA writes no alias maps.
sed -i 's/^incoming: mailman\.mta\.postfix\.LMTP$/incoming: mailman.mta.null.NullMTA/' \
    "$root/etc/mailman3/mailman.cfg"
grep -q '^incoming: mailman.mta.null.NullMTA$' "$root/etc/mailman3/mailman.cfg"

# A VPS root filesystem: the whole disk, found by label (the provider's device name may differ).
cat >"$root/etc/fstab" <<'EOF'
# /etc/fstab: static file system information.
LABEL=vps-root	/	ext4	rw,errors=remount-ro	0	1
EOF
printf 'vps\n' >"$root/etc/hostname"
cat >"$root/etc/hosts" <<'EOF'
127.0.0.1	localhost
127.0.1.1	vps
::1		localhost ip6-localhost ip6-loopback
EOF
printf 'auto lo\niface lo inet loopback\n\nsource /etc/network/interfaces.d/*\n' \
    >"$root/etc/network/interfaces"

# cloud-init: NoCloud first (the seed ISO labelled cidata), None as fallback.
cat >"$root/etc/cloud/cloud.cfg.d/90-memprov-image.cfg" <<'EOF'
# memprov reference image: a local NoCloud seed or nothing; never wait for a metadata server.
datasource_list: [ NoCloud, None ]
EOF

# First-boot identity: empty machine-id (systemd creates one on first boot), no SSH host keys
# (cloud-init makes them), no apt lists, no policy-rc.d. The .debs stay in the host's cache.
if [ -n "$archives" ]; then umount "$root/var/cache/apt/archives"; fi
in_root apt-get clean
rm -rf "$root"/var/lib/apt/lists/*
rm -f "$root"/etc/ssh/ssh_host_*
: >"$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id"
rm -f "$root/usr/sbin/policy-rc.d"
find "$root/var/log" -type f -exec truncate -s 0 {} +

umount "$root/tmp" "$root/run" "$root/sys" "$root/proc"
umount -R "$root/dev"
log "done: $(du -sh "$root" | cut -f1)"
