#!/bin/bash
# zram where the kernel has no zswap: the kernel the root boots decides (its /vmlinuz link and
# /boot/config, here the real configs of Debian 12's cloud and generic kernels when the image
# cache has them, else lines copied from them); memprov writes systemd-zram-generator's
# configuration only where the generator is installed; the real zram-generator (test mode,
# ZRAM_GENERATOR_ROOT) turns it into dev-zram0.swap with priority 100 in swap.target, or into
# nothing where zswap is the cushion or the tier has none. Under --root only: the live side is
# VM scenario 14's.
source "$(dirname "$0")/../lib.sh"
enter_mount_namespace "$@"

CONF=/etc/systemd/zram-generator.conf.d/50-memprov.conf
TMPF=/etc/tmpfiles.d/memprov-zswap.conf
GEN=/usr/lib/systemd/system-generators/zram-generator
R=$SCRATCH/root
CLOUD=6.1.0-57-cloud-amd64
GENERIC=6.1.0-57-amd64
MP=("$MEMPROV" --defaults "$DEFAULTS" --root "$R" --set swap.image=yes)
plan() { "${MP[@]}" --dry-run "$@" 2>&1; }
body() { grep -v '^#' "$R$CONF"; }

mkdir -p "$R/etc" "$R/var/lib" "$R/boot" "$R/usr/lib/systemd/system-generators"
: >"$R/etc/fstab"
# The kernels' /boot/config: from the packages in the image cache, else the lines that matter.
kconfig() { # RELEASE FALLBACK-LINES
        local deb
        deb=$(ls /var/cache/memprov-images/apt-archives/linux-image-"$1"_*.deb 2>/dev/null | head -1)
        if [ -n "$deb" ]; then
                dpkg-deb --fsys-tarfile "$deb" | tar -xO "./boot/config-$1" >"$R/boot/config-$1"
        else
                printf '%s\n' "${@:2}" >"$R/boot/config-$1"
        fi
        mkdir -p "$R/usr/lib/modules/$1"
        printf 'kernel/crypto/zstd.ko.xz:\nkernel/drivers/block/zram/zram.ko.xz: kernel/mm/zsmalloc.ko.xz\n' \
                >"$R/usr/lib/modules/$1/modules.dep"
}
kconfig $CLOUD "# CONFIG_ZSWAP is not set" CONFIG_ZRAM=m CONFIG_ZSMALLOC=m
kconfig $GENERIC CONFIG_ZSWAP=y CONFIG_ZRAM=m CONFIG_ZSMALLOC=m
check "cloud kernel config has no zswap" grep -qx '# CONFIG_ZSWAP is not set' "$R/boot/config-$CLOUD"
boots() { ln -sfn "boot/vmlinuz-$1" "$R/vmlinuz"; }

# The cloud kernel boots, no generator: zswap and zram both say why they are off.
boots $CLOUD
out=$(plan --assume-ram 512M)
check "cloud: zswap off, the kernel named" grep -q "zswap left off: kernel $CLOUD is built without CONFIG_ZSWAP" <<<"$out"
check "cloud, no generator: zram off, says so" grep -q "zram left off: systemd-zram-generator is not installed" <<<"$out"
check_fails "cloud, no generator: no zram file" grep -q "$CONF" <<<"$out"

# With the generator installed: zram0 sized by the tier, zstd, priority 100.
touch "$R$GEN" && chmod 755 "$R$GEN"
check "cloud: apply at 512M" "${MP[@]}" --assume-ram 512M
check_eq "cloud: the generator's configuration" "$(body)" "$(printf '%s\n' \
        "[zram0]" "zram-size = min(ram / 2, 4096)" "compression-algorithm = zstd" "swap-priority = 100")"
check_eq "cloud: mode" "$(stat -c %a "$R$CONF")" 644
check_fails "cloud: no zswap tmpfiles.d file" test -e "$R$TMPF"

# The real generator reads it (test mode: reads $ZRAM_GENERATOR_ROOT, loads no module).
generate() {
        rm -rf "$SCRATCH/gen" && mkdir -p "$SCRATCH/gen" "$R/proc"
        printf 'MemTotal:         %s kB\n' "$1" >"$R/proc/meminfo"
        ZRAM_GENERATOR_ROOT=$R /usr/lib/systemd/system-generators/zram-generator \
                "$SCRATCH/gen" "$SCRATCH/gen" "$SCRATCH/gen" >"$SCRATCH/gen.log" 2>&1
}
if [ -x /usr/lib/systemd/system-generators/zram-generator ]; then
        # Debian's package enables [zram0] in its main file: memprov's drop-in decides.
        printf '[zram0]\n' >"$R/etc/systemd/zram-generator.conf"
        check "generator accepts the file" generate 480000
        check "generator: dev-zram0.swap in swap.target" test -L "$SCRATCH/gen/swap.target.wants/dev-zram0.swap"
        check "generator: priority 100" grep -qx "Priority=100" "$SCRATCH/gen/dev-zram0.swap"
else
        skip "generator accepts the file" "systemd-zram-generator not installed"
fi

# The generic kernel boots: zswap (zsmalloc pool) and no zram device.
boots $GENERIC
check "generic: --rerun at 512M" "${MP[@]}" --assume-ram 512M --rerun
check "generic: zswap's tmpfiles.d has the zsmalloc zpool" \
        grep -qx "w /sys/module/zswap/parameters/zpool - - - - zsmalloc" "$R$TMPF"
check_eq "generic: no zram0" "$(body | grep -v '^$')" "$(printf '%s\n' "[zram0]" "zram-size = 0")"
check "generic: the file says why" grep -q "zswap is in front of the swapfile" "$R$CONF"
if [ -x /usr/lib/systemd/system-generators/zram-generator ]; then
        check "generic: generator accepts the file" generate 480000
        check_fails "generic: generator makes no swap unit" test -e "$SCRATCH/gen/dev-zram0.swap"
fi

# Tiers and settings.
boots $CLOUD
out=$(plan --assume-ram 4G --rerun)
check "cloud 4G: no zram0, the tier has none" grep -q "no zram0: this tier has no compressed swap" <<<"$out"
out=$(plan --assume-ram 4G --rerun --set swap.zram=yes)
check "swap.zram=yes: zram0 at 4G" grep -q "zram0 of min(ram / 2, 4096) MiB" <<<"$out"
out=$(plan --assume-ram 512M --rerun --set swap.zram=no)
check "swap.zram=no: no zram0 at 512M" grep -q "no zram0" <<<"$out"
out=$(plan --assume-ram 512M --rerun --set "tier 512M.zram.size=ram / 4")
check "tier zram.size" grep -q "zram0 of ram / 4 MiB" <<<"$out"
check_fails "zram.size with a newline-breaking character is an error" \
        plan --assume-ram 512M --set "tier 512M.zram.size=ram; rm"
check_fails "swap.zram=maybe is an error" plan --assume-ram 512M --set swap.zram=maybe
# Without swap zram still works (it needs no disk swap behind it); zswap cannot.
out=$(plan --assume-ram 512M --rerun --set swap.size=none)
check "no disk swap: zram0 all the same" grep -q "zram0 of" <<<"$out"

# Swappiness by the kind of swap (vm.rst: in-memory swap may go beyond 100): disk only 30,
# compressed 133, with a database 10 and 100.
swappiness() { sed -n 's/^vm.swappiness = //p' "$R/etc/sysctl.d/60-memprov.conf"; }
"${MP[@]}" --assume-ram 512M --rerun >/dev/null 2>&1
check_eq "zram: swappiness 133" "$(swappiness)" 133
"${MP[@]}" --assume-ram 512M --rerun --set swap.zram=no >/dev/null 2>&1
check_eq "disk swap only: swappiness 30" "$(swappiness)" 30
boots $GENERIC
"${MP[@]}" --assume-ram 512M --rerun >/dev/null 2>&1
check_eq "zswap: swappiness 133" "$(swappiness)" 133
mkdir -p "$R/usr/bin" && touch "$R/usr/bin/postgres"
"${MP[@]}" --assume-ram 512M --rerun >/dev/null 2>&1
check_eq "zswap and a database: swappiness 100" "$(swappiness)" 100
"${MP[@]}" --assume-ram 4G --rerun >/dev/null 2>&1
check_eq "4G, a database, no compressed swap: swappiness 10" "$(swappiness)" 10
rm "$R/usr/bin/postgres"
check_fails "swappiness 201 is an error" plan --assume-ram 512M --set sysctl.swappiness=201
out=$(plan --assume-ram 512M --rerun --set sysctl.swappiness=150)
check "swappiness 150 is accepted" grep -q "vm.swappiness = 150" <<<"$out"
boots $CLOUD

# The generator removed: memprov's file goes with the next --rerun.
rm "$R$GEN"
check "no generator: --rerun" "${MP[@]}" --assume-ram 512M --rerun
check_fails "no generator: memprov's file removed" test -e "$R$CONF"
exit $T_FAILED
