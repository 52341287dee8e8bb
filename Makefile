# memprov: see README.md. `make run` and `make check` work on a fresh Debian 12 machine as root.
VERSION    := 0.1.0
PREFIX     ?= /usr
sbindir    ?= $(PREFIX)/sbin
libdir_mp  ?= $(PREFIX)/lib/memprov
mandir     ?= $(PREFIX)/share/man
catalogdir ?= $(PREFIX)/lib/systemd/catalog
completionsdir ?= $(PREFIX)/share/bash-completion/completions
DESTDIR    ?=
PKG_CONFIG ?= pkg-config
LIBS_PC    := mount blkid libsystemd inih json-c yaml-0.1

BUILD_DEPS := gcc make pkg-config libmount-dev libblkid-dev libsystemd-dev libinih-dev \
              libjson-c-dev libyaml-dev
# libFuzzer: Debian's default clang and its compiler-rt (libclang_rt.fuzzer).
FUZZ_DEPS  := clang libclang-rt-dev
TEST_DEPS  := $(BUILD_DEPS) util-linux mount e2fsprogs xfsprogs btrfs-progs systemd \
              mariadb-server mariadb-client apache2 php8.2-fpm libfcgi-bin jq \
              $(FUZZ_DEPS) valgrind \
              prometheus-node-exporter patch strace \
              prometheus systemd-container systemd-zram-generator nginx curl

CC       ?= cc
CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wmissing-prototypes \
            -fno-strict-aliasing -D_GNU_SOURCE -DMEMPROV_VERSION='"$(VERSION)"' \
            -DMEMPROV_DEFAULTS_DIR='"$(libdir_mp)"'
PC_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(LIBS_PC) 2>/dev/null)
PC_LIBS   = $(shell $(PKG_CONFIG) --libs $(LIBS_PC) 2>/dev/null) -lm
# memprov itself loads libsystemd with dlopen when it talks to systemd (modules/units-bus.c);
# only the unit tests, whose stand-in systemd is an sd-bus server, link it.
MEMPROV_LIBS = $(shell $(PKG_CONFIG) --libs $(filter-out libsystemd,$(LIBS_PC)) 2>/dev/null) -lm
SYSTEMD_UNIT_DIR = $(shell $(PKG_CONFIG) --variable=systemdsystemunitdir systemd 2>/dev/null || echo /lib/systemd/system)

SRCS     := $(wildcard lib/*.c modules/*.c init/*.c)
LIB_SRCS := $(filter-out init/main.c,$(SRCS))
UNIT_SRCS := $(wildcard tests/unit/*.c)

B  := build
BA := build-asan
ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

.PHONY: all run check check-long check-unit bench install clean deps test-deps format fuzz fuzz-build
all: deps $(B)/memprov $(B)/unit-tests

# Installs only what is missing; a no-op on a machine that has everything.
define apt_install
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
	    grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    echo "installing:" $$missing; \
	    if [ "$$(id -u)" != 0 ]; then echo "run as root to install:" $$missing >&2; exit 1; fi; \
	    apt-get update -q -o DPkg::Lock::Timeout=600 >/dev/null && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=600 \
	        --no-install-recommends $$missing >/dev/null; \
	fi
endef

deps:
	$(call apt_install,$(BUILD_DEPS))
test-deps:
	$(call apt_install,$(TEST_DEPS))

$(B)/%.o: %.c $(wildcard lib/*.h modules/*.h init/*.h tests/unit/*.h)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) $(CPPFLAGS) $(CFLAGS) $(PC_CFLAGS) -c -o $@ $<
$(BA)/%.o: %.c $(wildcard lib/*.h modules/*.h init/*.h tests/unit/*.h)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) $(CPPFLAGS) $(CFLAGS) $(ASAN_FLAGS) $(PC_CFLAGS) -c -o $@ $<

$(B)/memprov: $(SRCS:%.c=$(B)/%.o)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(MEMPROV_LIBS)
$(BA)/memprov: $(SRCS:%.c=$(BA)/%.o)
	$(CC) $(CFLAGS) $(ASAN_FLAGS) -o $@ $^ $(MEMPROV_LIBS)
$(B)/unit-tests: $(LIB_SRCS:%.c=$(B)/%.o) $(UNIT_SRCS:%.c=$(B)/%.o)
	$(CC) $(CFLAGS) -o $@ $^ $(PC_LIBS)
$(BA)/unit-tests: $(LIB_SRCS:%.c=$(BA)/%.o) $(UNIT_SRCS:%.c=$(BA)/%.o)
	$(CC) $(CFLAGS) $(ASAN_FLAGS) -o $@ $^ $(PC_LIBS)
$(B)/bench-run: tests/bench.c
	$(CC) $(CFLAGS) -o $@ $<
$(B)/bench-floor: tests/bench-floor.c
	$(CC) $(CFLAGS) -o $@ $<

# Shows this machine's plan; changes nothing.
run: all
	$(B)/memprov --dry-run --defaults conf.d

# Every test, built plainly and with ASan/UBSan; ends with "N passed, N failed". About 30 minutes
# on 2 cores: what boots a VM (tests/integration/vm.sh, load.sh) and the slow kill-point
# scenarios skip themselves, each counted as skipped, naming check-long.
check: test-deps
	$(call apt_install,$(VM_DEPS))
	$(MAKE) --no-print-directory $(B)/memprov $(B)/unit-tests $(BA)/memprov $(BA)/unit-tests
	tests/run $(B) $(BA)

# `make check` and what it skips for time (MEMPROV_TEST_LONG=1): VM scenario 5 on Debian 12 and
# 1 on Debian 13 (make image, tests/vm/run), the 512 MiB load cell, the kill points on every
# filesystem. About 45 minutes with the images cached; the same summary line.
check-long: test-deps
	$(call apt_install,$(VM_DEPS))
	$(MAKE) --no-print-directory $(B)/memprov $(B)/unit-tests $(BA)/memprov $(BA)/unit-tests
	MEMPROV_TEST_LONG=1 tests/run $(B) $(BA)

# libFuzzer targets (tests/fuzz/fuzz-*.c), ASan+UBSan, seeded from tests/fuzz/corpus/TARGET/.
# `make fuzz` runs each for FUZZ_TIME seconds on one core, new inputs kept in
# build-fuzz/corpus/TARGET; `make check` replays the seeds and runs each briefly
# (tests/integration/fuzz.sh).
BF           := build-fuzz
FUZZ_CC      := clang
FUZZ_FLAGS   := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
                -fno-sanitize-recover=all -Wno-string-plus-int
FUZZ_TARGETS := ini yaml json size fstab state cnf web
FUZZ_TIME    ?= 60
$(BF)/%.o: %.c $(wildcard lib/*.h modules/*.h init/*.h tests/fuzz/*.h)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(FUZZ_CC) $(CPPFLAGS) $(CFLAGS) $(FUZZ_FLAGS) $(PC_CFLAGS) -c -o $@ $<
.PRECIOUS: $(BF)/%.o
$(BF)/fuzz-%: $(BF)/tests/fuzz/fuzz-%.o $(LIB_SRCS:%.c=$(BF)/%.o)
	$(FUZZ_CC) $(CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $^ $(PC_LIBS)
fuzz-build: deps
	$(call apt_install,$(FUZZ_DEPS))
	$(MAKE) --no-print-directory $(FUZZ_TARGETS:%=$(BF)/fuzz-%)
fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(BF)/corpus/$$t && \
	    echo "fuzz-$$t: $(FUZZ_TIME) s" && \
	    $(BF)/fuzz-$$t -max_total_time=$(FUZZ_TIME) -close_fd_mask=3 -print_final_stats=1 -artifact_prefix=$(BF)/fuzz-$$t- \
	        $(BF)/corpus/$$t tests/fuzz/corpus/$$t 2>&1 | \
	        grep -E '^(stat::number_of_executed_units|stat::new_units_added|==[0-9]+==|SUMMARY|artifact_prefix|Test unit written)' \
	        || true; \
	    ! ls $(BF)/fuzz-$$t-crash-* $(BF)/fuzz-$$t-leak-* $(BF)/fuzz-$$t-timeout-* $(BF)/fuzz-$$t-oom-* 2>/dev/null || exit 1; \
	done

# Wall time and peak RSS of memprov against the bare fallocate+mkswap+swapon (not a test).
bench: test-deps
	$(MAKE) --no-print-directory $(B)/memprov $(B)/bench-run $(B)/bench-floor
	tests/bench.sh $(B)/memprov $(B)/bench-run conf.d 7 $(B)/bench-floor

install: $(B)/memprov
	install -D -m 0755 $(B)/memprov $(DESTDIR)$(sbindir)/memprov
	install -d $(DESTDIR)$(libdir_mp) $(DESTDIR)/etc/memprov/conf.d
	install -m 0644 conf.d/*.conf $(DESTDIR)$(libdir_mp)/
	install -D -m 0644 units/memprov.service $(DESTDIR)$(SYSTEMD_UNIT_DIR)/memprov.service
	install -D -m 0644 man/memprov.8 $(DESTDIR)$(mandir)/man8/memprov.8
	install -D -m 0644 man/memprov.conf.5 $(DESTDIR)$(mandir)/man5/memprov.conf.5
	install -D -m 0644 catalog/memprov.catalog $(DESTDIR)$(catalogdir)/memprov.catalog
	install -D -m 0644 completion/memprov $(DESTDIR)$(completionsdir)/memprov
	install -d -m 0755 $(DESTDIR)/var/lib/memprov

# --- Debian package, reference VPS image, VM tests (issue 5; see images/README.md) -----------
DEB_DEPS   := $(BUILD_DEPS) debhelper dpkg-dev fakeroot lintian
IMAGE_DEPS := debootstrap zstd e2fsprogs util-linux
VM_DEPS    := qemu-system-x86 qemu-utils genisoimage python3 wrk openssh-client
DEB_SRC    := Makefile lib init modules conf.d units man catalog completion debian

.PHONY: deb image check-vm check-load check-container
# The Debian release: bookworm (Debian 12, this host's, the default) or trixie (Debian 13).
SUITE     ?= bookworm
VM_SUITES ?= bookworm trixie
DEB_DIR    = $(if $(filter bookworm,$(SUITE)),$(B)/deb,$(B)/deb-$(SUITE))
DEB_ARCH   = $(shell dpkg --print-architecture)
# build/deb/memprov_$(VERSION)_<arch>.deb, built from a copy of the tree (dpkg-buildpackage
# writes next to the source dir). SUITE=trixie: build/deb-trixie/, built in a trixie chroot
# (images/build-deb) and checked with trixie's lintian there: Debian 13's lintian rejects the
# Debian 12 package's /lib/systemd/system (images/README.md).
deb:
ifeq ($(SUITE),bookworm)
	$(call apt_install,$(DEB_DEPS))
	rm -rf $(B)/deb && mkdir -p $(B)/deb/src
	tar -cf - $(DEB_SRC) | tar -xf - -C $(B)/deb/src
	cd $(B)/deb/src && dpkg-buildpackage -us -uc -b >../build.log 2>&1 || \
	    { tail -n 40 ../build.log >&2; exit 1; }
	rm -rf $(B)/deb/src
	@ls -1 $(B)/deb/*.deb
else
	$(call apt_install,$(IMAGE_DEPS))
	images/build-deb --suite $(SUITE) --out $(DEB_DIR) $(DEB_SRC)
endif

# The reference image with this tree's .deb for SUITE; cached in /var/cache/memprov-images
# (Debian 13's in its trixie/ subdirectory). `make image SUITE=trixie`: the same recipe on Debian 13.
image: deb
	$(call apt_install,$(IMAGE_DEPS))
	images/build-image --suite $(SUITE) --deb $(DEB_DIR)/memprov_$(VERSION)_$(DEB_ARCH).deb

# Boots each suite's image under qemu (TCG) for every scenario in tests/vm/ (`make check` runs
# 1 and 5 on bookworm and 1 on trixie).
check-vm:
	$(call apt_install,$(IMAGE_DEPS) $(VM_DEPS))
	for s in $(VM_SUITES); do $(MAKE) --no-print-directory image SUITE=$$s || exit 1; done
	rc=0; for s in $(VM_SUITES); do SUITE=$$s tests/vm/run || rc=1; done; exit $$rc

# Real containers too slow for `make check` (tests/container/: an unprivileged systemd-nspawn,
# LXC privileged, unprivileged and with lxcfs, each booting the reference image (`make image`);
# lxc-debootstrap.sh: an unprivileged LXC container on a debootstrapped bookworm, cached once).
check-container: $(B)/memprov
	$(call apt_install,systemd-container lxc lxcfs debootstrap)
	rc=0; for t in tests/container/*.sh; do echo "# $$t"; \
	    MEMPROV=$$PWD/$(B)/memprov DEFAULTS=$$PWD/conf.d bash $$t || rc=1; done; exit $$rc

# The load matrix (issues 9, 19): WordPress at 512M and 1G, each with memprov off, with its swap
# and unit changes only ([services] enabled = no) and in full; wrk's anonymous reads plus a
# logged-in administrator, uploads, comments and wp-cron from the host; prints the goodput table
# and measured against budgeted costs (tests/load/, images/README.md).
check-load: image
	$(call apt_install,$(VM_DEPS))
	tests/load/check-load

format:
	clang-format -i $(SRCS) $(wildcard lib/*.h modules/*.h init/*.h tests/unit/*.[ch] tests/*.c)

clean:
	rm -rf $(B) $(BA) $(BF)
