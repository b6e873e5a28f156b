# SPDX-License-Identifier: MIT
# sentinel: health-check gate station.  See README.md.
#
#   make            build sentineld and sentinelctl into build/
#   make demo       run the gate on the simulated board over a demo scenario
#   make check      unit + scenario tests (ASan/UBSan build, what CI runs)
#   make crashtest  SIGKILL and storage-fault harness (KILLS=300 SEED=...)
#   make synctest   sync with sentinel-bureau end to end, with fault runs (SEED=...)
#   make bench      print the benchmark figures (tests/bench/)
#   make valgrind   unit tests under valgrind
#   make install    PREFIX=/usr/local DESTDIR= (install-gate, install-bureau, install-demo)
#   make deb        Debian packages into build/deb/ (CROSS=aarch64-linux-gnu-: arm64)
#   make deps       install missing Debian packages (as root) or name them

VERSION   := 0.1.0
PREFIX    ?= /usr/local
DESTDIR   ?=
CROSS     ?=
CC        := $(CROSS)gcc
AR        := $(CROSS)ar
PKG_CONFIG ?= pkg-config

PKGS      := sqlite3 zbar libpng libjpeg inih jansson libcrypto zlib libgpiod libcbor libcurl pangocairo cairo libdrm alsa
# The bureau's receiver (tools/bureau/) also links libmicrohttpd and libpq (its PostgreSQL
# backend).  BUREAU_PG=no builds it without the PostgreSQL backend (SQLite only, no libpq:
# --db postgresql://... is then refused naming the missing backend); cross builds default to
# it, since libpq-dev:arm64 cannot be installed beside libpq-dev:amd64.  Build it into a
# build directory of its own (B=...): its objects differ.
ifneq ($(CROSS),)
BUREAU_PG ?= no
endif
BUREAU_PG ?= yes
ifeq ($(BUREAU_PG),no)
BUREAU_PKGS := libmicrohttpd
BUREAU_PG_SRC :=
else ifeq ($(BUREAU_PG),yes)
BUREAU_PKGS := libmicrohttpd libpq
BUREAU_PG_SRC = $(wildcard tools/bureau/db_pg*.c)
else
$(error BUREAU_PG must be yes or no, not '$(BUREAU_PG)')
endif
# The card module (firmware/card/: badge and pass cards) encodes its QR code with libqrencode.
CARD_PKGS := libqrencode
# CROSS=aarch64-linux-gnu-: Debian's cross toolchain and :arm64 libraries
# (`make deps CROSS=...`); zbar is the arm64 libzbar0 with the
# architecture-independent header (libzbar-dev:arm64 drags in a desktop).
# `make CROSS=... check` runs the unit tests under qemu-aarch64-static,
# sanitizers off.
ifneq ($(CROSS),)
PKG_CONFIG := PKG_CONFIG_LIBDIR=/usr/lib/$(patsubst %-,%,$(CROSS))/pkgconfig:/usr/share/pkgconfig pkg-config
PKGS      := $(filter-out zbar,$(PKGS))
LDLIBS    += -l:libzbar.so.0
QEMU      := qemu-aarch64-static
B         ?= build/arm64
endif
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS  := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
CARD_LIBS := $(shell $(PKG_CONFIG) --libs $(CARD_PKGS) 2>/dev/null)

WARN      := -Wall -Wextra -Werror -Wmissing-prototypes -Wshadow -Wcast-qual \
             -Wsign-compare -Wstrict-prototypes -Wformat=2
CPPFLAGS  += -D_GNU_SOURCE -DSNT_VERSION=\"$(VERSION)\" -I. -Ifirmware -Iboard
CFLAGS    ?= -O2 -g
ALL_CFLAGS = -std=c11 $(WARN) $(PKG_CFLAGS) $(CFLAGS)
LDLIBS    += $(PKG_LIBS) -lm

# Sanitizer build used by `make check`.
SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
             -fno-sanitize-recover=undefined

B         ?= build
# Modules: the directories of code, firmware/NAME (named NAME), board/ itself
# (hal.h and the backend switch, named board) and board/NAME.  Each program
# lists the modules it links (as OpenBSD ntpd's Makefile lists SRCS); every
# .c of a listed module is linked, so a new file in a module needs no edit
# here.  tests/layering/rules says which module may include which; `make
# check` checks these lists against it (tests/layering/check-includes.py).
SENTINELD_MODULES   := common entry clock cose idcard image log notify scan screen trust trustlist voice codes \
                       sign fss rules issuers policy store journal config thermo checkin board board/sim \
                       board/linux
SENTINELCTL_MODULES := common entry clock cose idcard image review scan screen trust trustlist voice codes sign fss \
                       rules issuers policy store report sync config thermo card board board/sim board/linux
BUREAU_MODULES      := common entry clock cose trust trustlist codes sign fss rules issuers policy review store sync \
                       card idcard
TEST_MODULES        := common entry clock cose idcard image log notify review scan screen trust trustlist voice \
                       codes sign fss rules issuers policy store journal report sync config thermo checkin card \
                       board board/sim board/linux

module_dir = $(if $(filter board board/%,$(1)),$(1),firmware/$(1))
# libgpiod 2.x (Debian 13, Raspberry Pi OS trixie) when pkg-config finds it.
GPIOD_V2  := $(shell $(PKG_CONFIG) --atleast-version=2 libgpiod 2>/dev/null && echo yes)
ifeq ($(GPIOD_V2),yes)
module_src = $(patsubst board/linux/gpio_v1.c,board/linux/gpiod2/gpio_v2.c,\
             $(sort $(foreach m,$(1),$(wildcard $(call module_dir,$(m))/*.c))))
else
module_src = $(sort $(foreach m,$(1),$(wildcard $(call module_dir,$(m))/*.c)))
endif
module_obj = $(patsubst %.c,$(B)/obj/%.o,$(call module_src,$(1)))
SENTINELD_OBJ   := $(patsubst %.c,$(B)/obj/%.o,$(sort $(wildcard firmware/sentineld*.c))) \
                   $(call module_obj,$(SENTINELD_MODULES))
CTL_OBJ         := $(patsubst %.c,$(B)/obj/%.o,$(sort $(wildcard tools/*.c)))
BUREAU_OBJ      := $(patsubst %.c,$(B)/obj/%.o,$(sort $(filter-out tools/bureau/db_pg%.c,\
                   $(wildcard tools/bureau/*.c)) $(BUREAU_PG_SRC)))
TEST_MOD_OBJ    := $(call module_obj,$(TEST_MODULES))
# The test modules as one archive, for the helper programs the test, bench
# and sync scripts build (tests/bench/*.sh, test-report.sh, synctest.sh).
TEST_LIB        := $(B)/tests/modules.a
ALL_MOD_OBJ     := $(sort $(call module_obj,$(SENTINELD_MODULES) $(SENTINELCTL_MODULES) \
                   $(BUREAU_MODULES) $(TEST_MODULES)))
PROGS     := $(B)/sentineld $(B)/sentinelctl
ifneq ($(wildcard tools/bureau/*.c),)
PROGS     += $(B)/sentinel-bureau
endif
TEST_SRC  := $(sort $(wildcard tests/test_*.c))
ifeq ($(GPIOD_V2),yes)
TEST_SRC  := $(filter-out tests/test_gpio.c,$(TEST_SRC)) tests/gpiod2/test_gpio2.c
endif
TESTS     := $(TEST_SRC:tests/%.c=$(B)/tests/%)

.PHONY: all deps demo check run-tests crashtest synctest bench install clean valgrind gpiod2-check fuzz pot
.DEFAULT_GOAL := all
# Keep test objects: a second `make check` relinks nothing.
.SECONDARY:

# Messages in other languages (gettext): po/<lang>.po -> $(B)/locale/<lang>/LC_MESSAGES/sentinel.mo,
# installed under $(LOCALEDIR); tests point SENTINEL_LOCALEDIR at $(B)/locale.
LOCALEDIR ?= $(PREFIX)/share/locale
PO_LANGS  := $(patsubst po/%.po,%,$(wildcard po/*.po))
MO        := $(PO_LANGS:%=$(B)/locale/%/LC_MESSAGES/sentinel.mo)

all: $(PROGS) $(MO) $(B)/clips/.made

# The default voice prompts (firmware/voice/prompts.txt), made with espeak-ng.
$(B)/clips/.made: firmware/voice/prompts.txt tools/make-clips.sh
	sh tools/make-clips.sh $(B)/clips firmware/voice/prompts.txt
	@touch $@

$(B)/locale/%/LC_MESSAGES/sentinel.mo: po/%.po
	@mkdir -p $(dir $@)
	msgfmt --check -o $@ $<

# Regenerate the template after changing marked strings, then merge it into
# each translation: make pot && msgmerge -U po/zh_CN.po po/sentinel.pot
pot:
	xgettext --from-code=UTF-8 --keyword=_ --keyword=N_ --keyword=P_:1,2 --add-comments=TRANSLATORS: \
		--package-name=sentinel --package-version=$(VERSION) -o po/sentinel.pot \
		$(sort $(wildcard tools/*.c tools/*.h tools/bureau/*.c firmware/*.c firmware/*/*.c \
		board/*.c board/*/*.c board/*/*/*.c))

deps:
	@CROSS=$(CROSS) sh tools/deps.sh

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/sentineld: $(SENTINELD_OBJ)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(CTL_OBJ) $(BUREAU_OBJ) $(B)/obj/firmware/sentineld.o: CPPFLAGS += -DSNT_LOCALEDIR=\"$(LOCALEDIR)\"

$(B)/sentinelctl: $(CTL_OBJ) $(call module_obj,$(SENTINELCTL_MODULES))
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(CARD_LIBS)

# sentinel-bureau: the bureau's receiver and signer (tools/bureau/).
$(BUREAU_OBJ): ALL_CFLAGS += $(shell $(PKG_CONFIG) --cflags $(BUREAU_PKGS) 2>/dev/null) \
	$(if $(filter no,$(BUREAU_PG)),-DSNT_BUREAU_NO_PG)
$(call module_obj,card): ALL_CFLAGS += $(shell $(PKG_CONFIG) --cflags $(CARD_PKGS) 2>/dev/null)
$(B)/sentinel-bureau: $(BUREAU_OBJ) $(call module_obj,$(BUREAU_MODULES))
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(shell $(PKG_CONFIG) --libs $(BUREAU_PKGS) $(CARD_PKGS) 2>/dev/null)

# The daemon over an error-injecting SQLite VFS, for the fault part of crashtest.
$(B)/sentineld-faultvfs: $(SENTINELD_OBJ) $(B)/obj/tests/fault/faultvfs.o
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Power cuts (SIGKILL) and storage faults; prints kills=K entries=N lost=L reused=R seed=S.
KILLS ?= 300
SEED  ?= $(shell date +%s)
crashtest: deps
	@$(MAKE) --no-print-directory all $(B)/sentineld-faultvfs
	@sh tests/crash/crashtest.sh $(B) $(KILLS) $(SEED)

# Sync end to end (tests/sync/synctest.sh): the demo's log and 10,000 entries
# reach sentinel-bureau on loopback, online and by stick, with fault runs;
# ends with gate=N bureau=M equal=yes|no duplicates=D.  Not part of check.
synctest: deps
	@$(MAKE) --no-print-directory all $(TEST_LIB)
	@sh tests/sync/synctest.sh $(B) $(SEED)

# Link-time stubs: a test may wrap library functions (ld --wrap).
$(B)/tests/test_checkin: TEST_LDFLAGS = -Wl,--wrap=snt_store_append
# The conformance runner over the shared vectors (tests/conformance/), linked before the library.
$(B)/tests/test_conformance: TEST_LDFLAGS = $(B)/obj/tests/conformance/runner.o
$(B)/tests/test_conformance: | $(B)/obj/tests/conformance/runner.o
$(B)/obj/tests/test_conformance.o: tests/conformance/runner.c

$(TEST_LIB): $(TEST_MOD_OBJ)
	@mkdir -p $(dir $@)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/tests/%: $(B)/obj/tests/%.o $(TEST_MOD_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) $(TEST_LDFLAGS) -o $@ $^ $(LDLIBS) $(CARD_LIBS) -lcmocka

demo: deps
	@$(MAKE) --no-print-directory all
	@sh board/sim/demo/run-demo.sh $(B)

# `check` builds everything again with ASan/UBSan into build/check and runs
# the unit tests, then the scenario scripts against those binaries.
check: deps
	@$(MAKE) --no-print-directory $(if $(CROSS),B=build/check-arm64 CFLAGS="-O1 -g",B=build/check \
		CFLAGS="$(SAN_FLAGS)" LDFLAGS="-fsanitize=address,undefined") run-tests

run-tests: $(TESTS) $(PROGS) $(MO) $(B)/clips/.made $(TEST_LIB)
	@QEMU="$(QEMU)" sh tests/run-check.sh $(B) $(TESTS)

# The libgpiod 2.x backend built and tested against Debian stable's libgpiod-dev,
# fetched without touching the apt configuration (tools/fetch-gpiod2.sh).
GPIOD2_DIR := build/gpiod2
gpiod2-check: deps
	@[ -e $(GPIOD2_DIR)/pkgconfig/libgpiod.pc ] || sh tools/fetch-gpiod2.sh $(GPIOD2_DIR)
	@PKG_CONFIG_PATH=$(CURDIR)/$(GPIOD2_DIR)/pkgconfig $(MAKE) --no-print-directory \
		B=build/gpiod2-check CFLAGS="$(SAN_FLAGS)" LDFLAGS="-fsanitize=address,undefined" run-tests

# libFuzzer targets per parser (tests/fuzz/): clang, ASan/UBSan; the test
# modules (TEST_MODULES) are compiled again with coverage into $(B)/fuzz/
# (apart from the gcc builds); not part of check.  Each target's seeds are in
# tests/fuzz/seeds/<name>/ where it has any (copy them into a corpus dir):
#   make fuzz && build/fuzz/fuzz_cose -max_total_time=600 build/fuzz/corpus-cose
FUZZ_CC   ?= clang
FUZZ_FLAGS := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_LIB_OBJ := $(patsubst %.c,$(B)/fuzz/obj/%.o,$(call module_src,$(TEST_MODULES)))
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
fuzz: $(FUZZ_TARGETS)
	@echo "fuzz: $(FUZZ_TARGETS)"

$(B)/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) -std=c11 $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/fuzz/modules.a: $(FUZZ_LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/fuzz/%: tests/fuzz/%.c $(B)/fuzz/modules.a
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) -std=c11 $(FUZZ_FLAGS) -fsanitize=fuzzer $(PKG_CFLAGS) -o $@ $^ $(PKG_LIBS) -lm

# Benchmarks print figures; they are not pass/fail tests and stay out of check.
bench: all $(TEST_LIB)
	@for f in tests/bench/bench-*.sh; do sh $$f $(B) || exit 1; done

valgrind: all $(TESTS)
	@for t in $(TESTS); do valgrind -q --error-exitcode=1 --leak-check=full --suppressions=tests/valgrind.supp $$t || exit 1; done

# `make install` = install-gate + install-bureau + install-demo.
#   install-gate    sentineld, sentinelctl, their man pages, the messages,
#                   the voice clips, the systemd units, the udev rule, the
#                   Pi configurations (under $(DATADIR)) and, unless one
#                   exists, /etc/sentinel/sentinel.conf: the Raspberry Pi 4
#                   configuration, not enrolled (the gate opens for nobody
#                   until `sentinelctl enrol`); never the simulator's
#   install-bureau  sentinel-bureau, its man page, its copy of the messages and,
#                   unless one exists, /etc/sentinel/bureau.conf: the commented
#                   sample (tools/bureau/bureau.conf; every key commented out)
#   install-demo    the demo with its phone screens (made here with qrencode
#                   + ImageMagick, see `make deps`) and the simulator's
#                   example configuration under $(DOCDIR)
# `make deb` builds the Debian packages from install-gate and install-bureau
# (board/debian/).
DOCDIR  = $(PREFIX)/share/doc/sentinel
DATADIR = $(PREFIX)/share/sentinel
# A man page for each program (beside its code) and for the configuration file.
MAN8_GATE = $(sort $(wildcard firmware/*.8 tools/*.8))
MAN8_BUREAU = $(sort $(wildcard tools/bureau/*.8))
MAN5    = $(sort $(wildcard firmware/*/*.5))
DEMODIR = $(PREFIX)/share/sentinel/demo
# systemd units (board/rpi/*.service, *.timer); Debian's own are in /lib/systemd/system.
SYSTEMD_UNITDIR ?= $(PREFIX)/lib/systemd/system
UNITS   = sentineld.service sentinel-sync.service sentinel-sync.timer sentinel-sync-usb@.service \
          sentinel-purge.service sentinel-purge.timer
# udev rule starting the USB sync for sticks labelled USB_LABEL ([sync] usb_label).
UDEVRULESDIR ?= $(PREFIX)/lib/udev/rules.d
USB_LABEL ?= SENTINEL
# The installed paths in the Pi configurations (written for PREFIX=/usr).
PI_SED  = sed 's\#/usr/share/sentinel/\#$(DATADIR)/\#g'
.PHONY: install-gate install-bureau install-demo deb
install: install-gate install-bureau install-demo

install-gate: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man8 \
		$(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(DOCDIR) $(DESTDIR)$(DATADIR) \
		$(DESTDIR)/etc/sentinel
	install -m 0755 $(B)/sentineld $(B)/sentinelctl $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 $(MAN8_GATE) $(DESTDIR)$(PREFIX)/share/man/man8/
	install -m 0644 $(MAN5) $(DESTDIR)$(PREFIX)/share/man/man5/
	for l in $(PO_LANGS); do \
		install -D -m 0644 $(B)/locale/$$l/LC_MESSAGES/sentinel.mo \
			$(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/sentinel.mo || exit 1; \
	done
	install -m 0644 README.md board/rpi/WIRING.md $(DESTDIR)$(DOCDIR)/
	for c in sentinel-pi4.conf sentinel-pi5.conf; do \
		$(PI_SED) board/rpi/$$c >$(DESTDIR)$(DATADIR)/$$c && chmod 0644 $(DESTDIR)$(DATADIR)/$$c || exit 1; done
	install -d $(DESTDIR)$(SYSTEMD_UNITDIR)
	for u in $(UNITS); do \
		sed 's#@BINDIR@#$(PREFIX)/bin#' board/rpi/$$u >$(DESTDIR)$(SYSTEMD_UNITDIR)/$$u || exit 1; \
		chmod 0644 $(DESTDIR)$(SYSTEMD_UNITDIR)/$$u; done
	install -d $(DESTDIR)$(UDEVRULESDIR)
	sed 's#@USB_LABEL@#$(USB_LABEL)#' board/rpi/99-sentinel-usb.rules \
		>$(DESTDIR)$(UDEVRULESDIR)/99-sentinel-usb.rules
	chmod 0644 $(DESTDIR)$(UDEVRULESDIR)/99-sentinel-usb.rules
	install -d $(DESTDIR)$(DATADIR)/clips
	install -m 0644 $(B)/clips/*.wav $(DESTDIR)$(DATADIR)/clips/
	[ -e $(DESTDIR)/etc/sentinel/sentinel.conf ] || \
		install -m 0644 $(DESTDIR)$(DATADIR)/sentinel-pi4.conf $(DESTDIR)/etc/sentinel/sentinel.conf

# The bureau's copy of the catalogue goes to $(PREFIX)/share/sentinel-bureau/locale
# (snt_i18n_init_pkg()): the gate's package holds $(LOCALEDIR)'s, and dpkg
# refuses two packages holding one file.
install-bureau: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man8 $(DESTDIR)/etc/sentinel
	install -m 0755 $(B)/sentinel-bureau $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 $(MAN8_BUREAU) $(DESTDIR)$(PREFIX)/share/man/man8/
	[ -e $(DESTDIR)/etc/sentinel/bureau.conf ] || \
		install -m 0644 tools/bureau/bureau.conf $(DESTDIR)/etc/sentinel/bureau.conf
	for l in $(PO_LANGS); do \
		install -D -m 0644 $(B)/locale/$$l/LC_MESSAGES/sentinel.mo \
			$(DESTDIR)$(PREFIX)/share/sentinel-bureau/locale/$$l/LC_MESSAGES/sentinel.mo || exit 1; \
	done

install-demo: all
	install -d $(DESTDIR)$(DOCDIR) $(DESTDIR)$(DEMODIR)
	install -m 0644 board/sim/scenario.md $(DESTDIR)$(DOCDIR)/
	install -m 0644 board/sim/demo/demo.scenario $(DESTDIR)$(DEMODIR)/
	install -m 0755 board/sim/demo/make-screens.sh $(DESTDIR)$(DEMODIR)/
	sh board/sim/demo/make-screens.sh $(DESTDIR)$(DEMODIR)/phones
	sed 's#@DEMODIR@#$(DEMODIR)#' board/sim/sentinel-sim.conf >$(DESTDIR)$(DOCDIR)/sentinel-sim.conf

# The Debian packages (board/debian/): build/deb/sentinel-gate_<version>_<arch>.deb and
# build/deb/sentinel-bureau_<version>_<arch>.deb; with CROSS=aarch64-linux-gnu- both for
# arm64 (the bureau's SQLite only: BUREAU_PG=no).  Needs debhelper (make deps).
deb: deps
	@sh board/debian/build-deb.sh build/deb $(VERSION) $(CROSS)

clean:
	rm -rf build

-include $(ALL_MOD_OBJ:.o=.d) $(B)/obj/firmware/sentineld*.d $(B)/obj/tools/*.d $(B)/obj/tools/bureau/*.d \
	$(B)/obj/tests/*.d $(B)/obj/tests/gpiod2/*.d
