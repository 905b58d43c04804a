# SPDX-License-Identifier: GPL-2.0-or-later
# mta-sts-hostd
#
#   make              build build/mta-sts-hostd
#   make demo         install what building needs, build, run on an example
#   make check        install missing Debian packages, build, run every test
#   make check-asan   the same suite built with AddressSanitizer + UBSan
#   make check-tsan   the integration suite, the daemon built with
#                     ThreadSanitizer
#   make clean

VERSION		:= 0.1.0
BUILD		?= build
SANITIZE	?=

# Debian packages: to build, and to run the tests against real DNS software.
BUILD_DEPS	:= gcc make pkg-config libwolfssl-dev libmicrohttpd-dev \
		   libyaml-dev libidn2-dev libcriterion-dev libsystemd-dev \
		   libunbound-dev libseccomp-dev zlib1g-dev scdoc
TEST_DEPS	:= curl openssl bind9 bind9-utils bind9-dnsutils nsd postfix python3 \
		   shellcheck util-linux iproute2 python3-cryptography \
		   pebble certbot lego systemd prometheus mandoc

PKGS		:= wolfssl libmicrohttpd yaml-0.1 libidn2 libsystemd libunbound \
		   libseccomp zlib
CC		?= gcc
WARNINGS	:= -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wformat=2 \
		   -Wmissing-prototypes -Wstrict-prototypes -Wvla
CPPFLAGS	+= -DMTA_STS_VERSION='"$(VERSION)"' -D_GNU_SOURCE
ifeq ($(SANITIZE),1)
OPTFLAGS	:= -O1 -g -fno-omit-frame-pointer \
		   -fsanitize=address,undefined -fno-sanitize-recover=all
SANLDFLAGS	:= -fsanitize=address,undefined
else ifeq ($(SANITIZE),thread)
OPTFLAGS	:= -O1 -g -fno-omit-frame-pointer -fsanitize=thread
SANLDFLAGS	:= -fsanitize=thread
else
OPTFLAGS	:= -O2 -g -D_FORTIFY_SOURCE=2
SANLDFLAGS	:=
endif
CFLAGS		+= -std=c17 $(WARNINGS) $(OPTFLAGS) -fstack-protector-strong \
		   -fPIE $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDFLAGS		+= -pie -Wl,-z,relro,-z,now $(SANLDFLAGS)
LDLIBS		+= $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread

# Four programs in one binary, each a folder, each using only the ones
# below it: the command line (server/cli/, main() and the subcommands), the
# certificate order scheduler (server/certs/), the doctor (server/doctor/)
# and the daemon (server/), all on the configuration model (config/).
CONFIG_SRCS	:= $(wildcard config/*.c)
DAEMON_SRCS	:= $(wildcard server/*.c)
DOCTOR_SRCS	:= $(wildcard server/doctor/*.c)
CERTS_SRCS	:= $(wildcard server/certs/*.c)
CLI_SRCS	:= $(wildcard server/cli/*.c)
UNIT_SRCS	:= $(wildcard tests/unit/test_*.c)
CONFIG_OBJS	:= $(CONFIG_SRCS:%.c=$(BUILD)/%.o)
DAEMON_OBJS	:= $(DAEMON_SRCS:%.c=$(BUILD)/%.o)
DOCTOR_OBJS	:= $(DOCTOR_SRCS:%.c=$(BUILD)/%.o)
CERTS_OBJS	:= $(CERTS_SRCS:%.c=$(BUILD)/%.o)
CLI_OBJS	:= $(CLI_SRCS:%.c=$(BUILD)/%.o)
ALL_OBJS	:= $(CONFIG_OBJS) $(DAEMON_OBJS) $(DOCTOR_OBJS) $(CERTS_OBJS) \
		   $(CLI_OBJS)
MAIN_OBJ	:= $(BUILD)/server/cli/main.o
# In link order: a library uses only those after it.
LIBS		:= $(BUILD)/libcli.a $(BUILD)/libcerts.a $(BUILD)/libdoctor.a \
		   $(BUILD)/libdaemon.a $(BUILD)/libconfig.a
UNIT_BINS	:= $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
BIN		:= $(BUILD)/mta-sts-hostd
# The daemon with a trigger that breaks its system call allow-list, for the
# test that proves the list is enforced (tests/integration/t49-*); never
# installed, and the trigger is in no other build.
SECCOMP_TEST_BIN	:= $(BUILD)/seccomp-test/mta-sts-hostd
SECCOMP_TEST_OBJS	:= $(MAIN_OBJ) $(BUILD)/seccomp-test/seccomp.o \
		   $(BUILD)/libcli.a $(BUILD)/libcerts.a $(BUILD)/libdoctor.a \
		   $(filter-out $(BUILD)/server/seccomp.o,$(DAEMON_OBJS)) \
		   $(BUILD)/libconfig.a
# Manual pages, from the scdoc sources in packaging/man/.
MANPAGES	:= $(BUILD)/man/mta-sts-hostd.8 $(BUILD)/man/mta-sts-hostd.yaml.5

.PHONY: all deps deps-build demo check check-asan check-tsan test unit \
	integration clean \
	seccomp-test
# Objects are not intermediate files to delete after a link.
.SECONDARY:

all: $(BIN) $(MANPAGES)

# `make V=1` shows the full command lines.
ifeq ($(V),1)
Q :=
say := @:
else
Q := @
say := @echo
endif

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(say) "  CC      $@"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/libconfig.a: $(CONFIG_OBJS)
$(BUILD)/libdaemon.a: $(DAEMON_OBJS)
$(BUILD)/libdoctor.a: $(DOCTOR_OBJS)
$(BUILD)/libcerts.a: $(CERTS_OBJS)
# Everything of the command line but main(), for the unit tests.
$(BUILD)/libcli.a: $(filter-out $(MAIN_OBJ),$(CLI_OBJS))
$(LIBS):
	$(say) "  AR      $@"
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BIN): $(MAIN_OBJ) $(LIBS)
	$(say) "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/seccomp-test/seccomp.o: server/seccomp.c
	@mkdir -p $(@D)
	$(say) "  CC      $@"
	$(Q)$(CC) $(CPPFLAGS) -DMTA_STS_SECCOMP_TEST $(CFLAGS) -MMD -MP -c \
	    -o $@ $<

$(SECCOMP_TEST_BIN): $(SECCOMP_TEST_OBJS)
	$(say) "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

seccomp-test: $(SECCOMP_TEST_BIN)

# Through a temporary file: a failed scdoc leaves no page that looks built.
$(BUILD)/man/%: packaging/man/%.scd
	@mkdir -p $(@D)
	$(say) "  SCDOC   $@"
	$(Q)scdoc < $< > $@.tmp && mv $@.tmp $@

.PHONY: man
man: $(MANPAGES)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIBS)
	@mkdir -p $(@D)
	$(say) "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcriterion

# Installs what is missing, and only that; needs root the first time.
install_missing = missing=$$(for p in $(1); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q '^install ok installed$$' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" != 0 ]; then \
			echo "missing Debian packages:" $$missing; \
			echo "install them as root: apt-get install" $$missing; \
			exit 1; \
		fi; \
		echo "installing missing Debian packages:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends $$missing \
		>/dev/null || exit 1; \
	fi

deps-build:
	@$(call install_missing,$(BUILD_DEPS))

deps:
	@$(call install_missing,$(BUILD_DEPS) $(TEST_DEPS))

# A throwaway CA, certificates for the hoster example, and the daemon on
# 127.0.0.1:8443 in the foreground.
demo: deps-build
	@$(call install_missing,openssl)
	@$(MAKE) --no-print-directory all
	@examples/demo/run $(abspath $(BIN))

unit: $(UNIT_BINS)
	@status=0; for t in $(UNIT_BINS); do \
		echo "== $$t"; $$t --jobs 2 || status=1; \
	done; exit $$status

integration: $(BIN) $(SECCOMP_TEST_BIN)
	@tests/integration/run $(abspath $(BIN))

test: unit integration

check: deps
	$(MAKE) test
	$(MAKE) check-asan
	$(MAKE) check-tsan
	$(MAKE) fuzz-replay

check-asan: deps
	$(MAKE) BUILD=build/asan SANITIZE=1 test

# The runner fails a test whose files hold a sanitizer's report.
check-tsan: deps
	$(MAKE) BUILD=build/tsan SANITIZE=thread integration

clean:
	rm -rf build

-include $(ALL_OBJS:.o=.d) \
	$(BUILD)/seccomp-test/seccomp.d \
	$(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%.d)

# Benchmark against nginx on loopback (tests/bench/run): installs nginx and
# libssl-dev if missing; BENCH_DOMAINS=N (default 10000), BENCH_DURATION=S,
# BENCH_IDLE=N idle connections (default 10000), BENCH_ONLY=idle for that
# memory measurement alone, BENCH_ONLY=stress the stress run alone (see
# bench-stress). Results in build/bench/results.txt.
.PHONY: bench bench-doctor bench-stress
bench: all
	@[ "$${BENCH_ONLY:-}" = stress ] || tests/bench/run $(abspath $(BIN))
	@[ -n "$${BENCH_ONLY:-}" ] && [ "$$BENCH_ONLY" != stress ] || \
	    tests/bench/stress $(abspath $(BIN))

# Short connections with their handshakes in pieces and pipelined requests,
# under constant reloads (tests/bench/stress; BENCH_STRESS_CONNECTIONS=N,
# default 50000 per half), then beside connections trickling handshakes at
# a daemon of one worker (BENCH_STRESS_TRICKLERS, 120): no step may stall.
# Results in build/bench/stress.txt.
bench-stress: all
	tests/bench/stress $(abspath $(BIN))

# The daemon alone at a hoster's scale (tests/bench/scale): BENCH_SCALE_N
# customers (default 100000), a file and a certificate each; start-up, memory,
# one customer added, changed and removed, a full reload, handshake CPU.
# Results in build/bench/scale-N.txt.
.PHONY: bench-scale
bench-scale: all
	@$(call install_missing,libssl-dev python3 curl openssl)
	tests/bench/scale $(abspath $(BIN))

# `doctor` over BENCH_DOCTOR_DOMAINS (10000) domains in a network namespace
# (tests/bench/doctor); results in build/bench/doctor-results.txt.
bench-doctor: all
	@$(call install_missing,nsd postfix libssl-dev iproute2 python3)
	tests/bench/doctor $(abspath $(BIN))

# Debian package (packaging/debian): `make deb` builds it from a copy of the
# source tree in build/deb/ (with packaging/debian as its debian/), so that
# dpkg-buildpackage writes mta-sts-hostd_<version>_<arch>.deb, the .changes
# and the rest into build/, then runs lintian on the .changes and fails on
# errors. Always the normal build flags, whatever BUILD or SANITIZE the
# caller has: the make variables of a calling make are not passed down.
# Lintian's remaining warnings and why: packaging/debian/README.source.
# No fakeroot: the package declares Rules-Requires-Root: no.
DEB_DEPS	:= debhelper dpkg-dev lintian
.PHONY: deb
deb:
	@$(call install_missing,$(BUILD_DEPS) $(DEB_DEPS))
	rm -rf build/deb
	mkdir -p build/deb
	tar --exclude=./build --exclude=./.git -cf - . | tar -C build/deb -xf -
	rm -rf build/deb/debian
	cp -a packaging/debian build/deb/debian
	cd build/deb && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	    -u MAKEOVERRIDES -u BUILD -u SANITIZE \
	    dpkg-buildpackage -b -us -uc
	changes=build/mta-sts-hostd_$$(dpkg-parsechangelog \
	    -l packaging/debian/changelog -SVersion)_$$(dpkg --print-architecture).changes; \
	lintian --fail-on error "$$changes"

# Fuzzing (tests/fuzz): libFuzzer targets built with clang, ASan and UBSan
# into build/fuzz/. The project sources are compiled again with clang, not
# taken from the gcc-built archives. `make fuzz` runs each target for
# FUZZ_SECONDS (default 60) on its corpus tests/fuzz/corpus/<target>/ (new
# inputs land in build/fuzz/corpus/<target>/; fold them in with -merge=1);
# crashes go to build/fuzz/crashes/. `make fuzz-replay` runs each target once
# over its committed corpus (part of `make check`). -close_fd_mask=2 keeps
# the daemon's log (fuzz_http, fuzz_tls) out of a long run's log; reports
# of crashes and broken invariants still reach it.
FUZZ_DEPS	:= clang libclang-rt-14-dev
FUZZ_SECONDS	?= 60
FUZZ_CC		:= clang
FUZZ_DIR	:= build/fuzz
FUZZ_TARGETS	:= fuzz_yaml fuzz_config fuzz_name fuzz_cert fuzz_record \
		   fuzz_probe fuzz_http fuzz_tls fuzz_loadcache
FUZZ_BINS	:= $(FUZZ_TARGETS:%=$(FUZZ_DIR)/%)
FUZZ_CFLAGS	:= -std=c17 $(WARNINGS) -g -O1 -fno-omit-frame-pointer \
		   -fsanitize=fuzzer,address,undefined \
		   -fno-sanitize-recover=undefined \
		   $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
FUZZ_LDLIBS	:= $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread
FUZZ_CERT_SRCS	:= server/log.c
FUZZ_PROBE_SRCS	:= server/doctor/doctor_probe.c server/doctor/doctor_net.c \
		   server/doctor/doctor_dns.c $(FUZZ_CERT_SRCS)
# fuzz_http and fuzz_tls: one worker of the daemon, its loop turned by the
# target (tests/fuzz/fuzz_server.c).
FUZZ_SERVER_SRCS := tests/fuzz/fuzz_server.c tests/fuzz/fuzz_pki.c \
		   server/server.c server/worker.c server/relay.c server/http.c \
		   server/tls.c server/ticket.c server/snapshot.c server/host.c \
		   server/hosttab.c server/limit.c \
		   $(FUZZ_CERT_SRCS)

.PHONY: fuzz fuzz-build fuzz-replay fuzz-deps
fuzz-deps:
	@$(call install_missing,$(BUILD_DEPS) $(FUZZ_DEPS))

$(FUZZ_DIR)/fuzz_cert: tests/fuzz/fuzz_cert.c $(CONFIG_SRCS) $(FUZZ_CERT_SRCS)
$(FUZZ_DIR)/fuzz_probe: tests/fuzz/fuzz_probe.c $(CONFIG_SRCS) $(FUZZ_PROBE_SRCS)
$(FUZZ_DIR)/fuzz_http $(FUZZ_DIR)/fuzz_tls: $(FUZZ_SERVER_SRCS)
$(FUZZ_DIR)/fuzz_loadcache: tests/fuzz/fuzz_loadcache.c $(CONFIG_SRCS) \
    tests/fuzz/fuzz_pki.c
$(FUZZ_DIR)/%: tests/fuzz/%.c $(CONFIG_SRCS) \
    $(wildcard config/*.h server/*.h server/*/*.h tests/fuzz/*.h)
	@mkdir -p $(@D)
	$(say) "  FUZZ    $@"
	$(Q)$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -o $@ $(filter %.c,$^) \
	    $(FUZZ_LDLIBS)

fuzz-build: fuzz-deps
	@$(MAKE) -s --no-print-directory $(FUZZ_BINS)

fuzz: fuzz-build
	@mkdir -p $(FUZZ_DIR)/crashes
	@status=0; for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_DIR)/corpus/$$t; \
		echo "== $$t ($(FUZZ_SECONDS) s)"; \
		$(FUZZ_DIR)/$$t -max_total_time=$(FUZZ_SECONDS) \
		    -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
		    -close_fd_mask=2 \
		    -artifact_prefix=$(FUZZ_DIR)/crashes/$$t- \
		    $(FUZZ_DIR)/corpus/$$t tests/fuzz/corpus/$$t \
		    > $(FUZZ_DIR)/$$t.log 2>&1; rc=$$?; \
		execs=$$(sed -n 's/^stat::number_of_executed_units: *//p' \
		    $(FUZZ_DIR)/$$t.log); \
		speed=$$(sed -n 's/^stat::average_exec_per_sec: *//p' \
		    $(FUZZ_DIR)/$$t.log); \
		found=$$(ls $(FUZZ_DIR)/crashes/ 2>/dev/null | \
		    grep -c "^$$t-" || true); \
		echo "   executions: $${execs:-?} ($${speed:-?}/s)," \
		    "findings in $(FUZZ_DIR)/crashes/: $$found," \
		    "exit status $$rc (log: $(FUZZ_DIR)/$$t.log)"; \
		[ $$rc = 0 ] || { status=1; \
		    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' \
		    $(FUZZ_DIR)/$$t.log | head -5; }; \
	done; exit $$status

fuzz-replay: fuzz-build
	@ok=0; bad=0; for t in $(FUZZ_TARGETS); do \
		n=$$(ls tests/fuzz/corpus/$$t | wc -l); \
		printf '== %s: %s inputs ... ' $$t $$n; \
		if $(FUZZ_DIR)/$$t -runs=0 -timeout=10 tests/fuzz/corpus/$$t \
		    > $(FUZZ_DIR)/$$t-replay.log 2>&1; then echo ok; \
		    ok=$$((ok + 1)); \
		else echo FAILED; tail -30 $(FUZZ_DIR)/$$t-replay.log; \
		    bad=$$((bad + 1)); fi; \
	done; echo "fuzz-replay: $$ok passed, $$bad failed"; [ $$bad = 0 ]
