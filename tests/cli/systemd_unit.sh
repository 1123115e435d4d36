#!/bin/bash
# The systemd units kfrag installs: systemd-analyze verifies them (the
# binary named by ExecStart set to the one under test), the service's
# exposure (systemd-analyze security) is at most 5.0 of 10, and its
# hardening keeps what kfrag check needs writable: tracefs, its state and
# the textfile directory of the default kfrag.conf. Whether kfrag check
# still traces under these properties needs a running systemd:
# tests/live/systemd_service_live.sh boots one and starts the unit.
. "${SRCDIR:-.}/tests/lib/lib.sh"
need_cmd systemd-analyze
U=$(dirname "$KFRAG")/data
[ -f $U/kfrag-check.service ] || skip "$U/kfrag-check.service not built"

sed "s|^ExecStart=[^ ]*|ExecStart=$KFRAG|" $U/kfrag-check.service > $TMP/kfrag-check.service
cp $U/kfrag-check.timer $TMP/
systemd-analyze verify --man=no $TMP/kfrag-check.service $TMP/kfrag-check.timer > $TMP/verify 2>&1 && ok ||
	fail "systemd-analyze verify: $(cat $TMP/verify)"
# the manuals they name are shipped
for m in $(sed -n 's/^Documentation=//p' $U/kfrag-check.service $U/kfrag-check.timer | tr ' ' '\n' | sed -n 's/^man://p' | sort -u); do
	page=${m%(*} sec=${m#*(}; sec=${sec%)}
	[ -f "$SRCDIR/man/$page.$sec" ] && ok || fail "Documentation=man:$m: no man/$page.$sec"
done

# exposure: --threshold=50 fails above 5.0
if systemd-analyze security --help 2>&1 | grep -q -- --offline; then
	systemd-analyze security --offline=yes --threshold=50 $TMP/kfrag-check.service > $TMP/security 2>&1 && ok ||
		fail "exposure above 5.0: $(tail -1 $TMP/security)"
	echo "$(tail -1 $TMP/security)" >&2
else
	echo "this systemd-analyze has no --offline: the exposure is not measured" >&2
fi

# what must stay writable, and what kfrag check needs of the kernel
prop() { sed -n "s/^$1=//p" $U/kfrag-check.service | tr '\n' ' '; }
rw=$(prop ReadWritePaths)
for p in /sys/kernel/tracing /var/lib/kfrag /var/lib/prometheus/node-exporter; do
	case " $rw " in *" $p "* | *" -$p "*) ok ;; *) fail "ReadWritePaths lacks $p: $rw" ;; esac
done
expect_eq "ProtectSystem" "$(prop ProtectSystem)" "strict "
# ProtectKernelTunables would keep tracefs read-only whatever ReadWritePaths says
expect_eq "no ProtectKernelTunables" "$(prop ProtectKernelTunables)" ""
for c in CAP_SYS_ADMIN CAP_SYS_PTRACE; do
	case " $(prop CapabilityBoundingSet)" in *" $c"*) ok ;; *) fail "CapabilityBoundingSet lacks $c (pagemap PFNs of other processes)" ;; esac
done
# no ProtectProc=invisible nor ProcSubset=pid: the guard reads other
# processes, the memory map /proc/kpageflags
expect_eq "ProcSubset" "$(prop ProcSubset)" ""
expect_eq "ProtectProc" "$(prop ProtectProc)" ""
done_testing
