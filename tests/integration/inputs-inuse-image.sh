#!/bin/bash
# Issue 18 item 5 on the reference image's real packages (make image): BIND, PostgreSQL 15 and
# Mailman 3 as Debian installed them are unused, and memprov disables them at 1G; then the real
# daemons' own tools put them in use (a zone named-checkconf accepts, `createdb` on the real
# cluster, `mailman create`), and memprov keeps each and says why. The image is mounted read-only
# under a tmpfs overlay in a private mount and network namespace; nothing of it changes.
[ -n "${MEMPROV_TEST_NS:-}" ] || MEMPROV_TEST_NS=1 exec unshare -m -n --propagation private bash "$0" "$@"
# shellcheck disable=SC1091
source "$(dirname "$0")/../lib.sh"

disk=${MEMPROV_IMAGE_CACHE:-/var/cache/memprov-images}/latest/disk.raw
if [ ! -f "$disk" ]; then
        skip "inputs-inuse-image" "no reference image (make image)"
        exit 0
fi
mkdir -p "$SCRATCH"/lower "$SCRATCH"/t "$SCRATCH"/root
r=$SCRATCH/root
if ! mount -o loop,ro "$disk" "$SCRATCH"/lower; then
        not_ok "mount the reference image read-only"
        exit 1
fi
at_exit "umount -l '$SCRATCH/lower'"
mount -t tmpfs tmpfs "$SCRATCH"/t && mkdir -p "$SCRATCH"/t/upper "$SCRATCH"/t/work &&
        mount -t overlay overlay \
                -o lowerdir="$SCRATCH"/lower,upperdir="$SCRATCH"/t/upper,workdir="$SCRATCH"/t/work "$r" ||
        { not_ok "overlay over the image"; exit 1; }
at_exit "umount -l '$SCRATCH/t'"
at_exit "umount -l '$r'"
if [ ! -x "$r"/usr/lib/postgresql/15/bin/pg_ctl ] || [ ! -x "$r"/usr/bin/mailman ]; then
        skip "inputs-inuse-image" "the image has no PostgreSQL 15 or Mailman 3"
        exit 0
fi

plan() {
        "$MEMPROV" --defaults "$DEFAULTS" --root "$r" --assume-ram 1G --set swap.size=none \
                --dry-run 2>/dev/null
}
out=$(plan)
for unit in named.service postgresql.service mailman3.service; do
        check "image as installed: $unit disabled at 1G" grep -q "disable *$unit" <<<"$out"
done

# The daemons' own tools, inside the image (its /dev, /proc, /run and /tmp private to this test).
mount --rbind /dev "$r"/dev && mount -t tmpfs tmpfs "$r"/dev/shm && mount -t proc proc "$r"/proc &&
        mount -t tmpfs tmpfs "$r"/run && mount -t tmpfs tmpfs "$r"/tmp && ip link set lo up ||
        not_ok "chroot mounts"
at_exit "umount -R -l '$r/dev'; umount -l '$r/proc' '$r/run' '$r/tmp'"
printf 'zone "example.com" {\n\ttype master;\n\tfile "/etc/bind/db.local";\n};\n' \
        >>"$r"/etc/bind/named.conf.local
check "named-checkconf accepts the zone" chroot "$r" named-checkconf -z
oids=$(chroot "$r" su postgres -s /bin/sh -c '
        mkdir -p /run/postgresql
        pg=/usr/lib/postgresql/15/bin/pg_ctl; d=/var/lib/postgresql/15/main
        $pg -D $d -o "-c config_file=/etc/postgresql/15/main/postgresql.conf" -w start >/tmp/pg.log 2>&1 &&
                createdb shop && psql -Atc "select oid from pg_database where datname = '"'shop'"'"
        $pg -D $d -w stop >/dev/null 2>&1' 2>/dev/null)
check "createdb: a user database's OID is from 16384 on (FirstNormalObjectId)" test "${oids:-0}" -ge 16384
check "mailman create" chroot "$r" su list -s /bin/sh -c \
        "mailman -C /etc/mailman3/mailman.cfg create news@example.com"

out=$(plan)
for unit in named.service postgresql.service mailman3.service; do
        check_fails "in use: $unit kept" grep -q "disable *$unit" <<<"$out"
done
check "bind kept: the plan says why" grep -qF \
        "bind kept: serves 1 zone of its own (/etc/bind/named.conf.local:" <<<"$out"
check "postgres kept: the plan says why" grep -qF \
        "postgres kept: 1 user database (/var/lib/postgresql/15/main/base)" <<<"$out"
check "mailman kept: the plan says why" grep -qF \
        "mailman kept: has 1 list (/var/lib/mailman3/lists)" <<<"$out"
exit $T_FAILED
