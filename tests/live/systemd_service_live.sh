#!/bin/bash
# kfrag-check.service as built (what make install copies), started for real
# by systemd: `systemctl start` of the unit, then `systemd-run` of kfrag
# check with every [Service] property of the unit. Under its hardening it
# must still trace (events counted, its tracefs instance removed), read
# /proc/kpageflags (memmap available), read the page frames of a protected
# process (a locked_heap named scx_*: pagemap readable, at least the pages
# it locked itself), write state, history and the textfile (0644), and end
# with a verdict (exit 0, 1 or 2). systemd-analyze security scores it there
# at most 5.0 (tests/cli/systemd_unit.sh scores it offline).
#
# PID 1 need not be systemd: the test boots systemd as PID 1 of new mount,
# pid, uts, ipc and cgroup namespaces (cgroup2 rooted at a child cgroup of
# its own). That systemd knows no unit but the ones of this test
# (SYSTEMD_UNIT_PATH: kfrag-check.service, empty stand-ins of the targets a
# service depends on, dbus for systemd-run): nothing of the machine's
# sysinit (tmpfiles would empty /tmp, sysctl.d would be applied) can run.
# /run, /var/lib and /usr/local are private tmpfs there; kfrag is copied to
# /usr/local/sbin, where the unit's ExecStart names it (the build tree may
# be under /root or /home, which ProtectHome hides).
. "${SRCDIR:-.}/tests/lib/lib.sh"
. "${SRCDIR:-.}/tests/lib/live_lib.sh"
live_setup
for c in unshare nsenter systemctl systemd-analyze jq; do need_cmd $c; done
SYSTEMD=
for s in /lib/systemd/systemd /usr/lib/systemd/systemd; do
	[ -x $s ] && SYSTEMD=$s && break
done
[ -n "$SYSTEMD" ] || skip "no systemd binary (Debian package systemd)"
B=$(dirname "$KFRAG")
U=$B/data/kfrag-check.service
[ -f "$U" ] || skip "$U not built"
HEAP=$B/tests/helpers/locked_heap
[ -x "$HEAP" ] || skip "$HEAP not built"
CG=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
[ -n "$CG" ] || skip "no cgroup2 hierarchy mounted to root a systemd in"
CGDIR=$CG/kfrag-test-$$
SD_PID= UNSHARE=

cleanup() {
	[ -n "$SD_PID" ] && kill -KILL "$SD_PID" 2> /dev/null	# its pid namespace dies with it
	[ -n "$UNSHARE" ] && kill -KILL "$UNSHARE" 2> /dev/null
	sleep 0.5
	[ -d "$CGDIR" ] && find "$CGDIR" -depth -type d -exec rmdir {} \; 2> /dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the units this systemd knows -------------------------------------------------
mkdir -p $TMP/units/kfrag-check.service.d $TMP/out
sed -e 's|^ExecStart=[^ ]*|ExecStart=/usr/local/sbin/kfrag|' -e 's|--config [^ ]*|--config /usr/local/etc/kfrag.conf|' \
	"$U" > $TMP/units/kfrag-check.service
for t in kfrag-test sysinit basic shutdown local-fs sockets timers paths; do
	printf '[Unit]\nDescription=%s: a stand-in of the test\n' $t > $TMP/units/$t.target
done
for d in dbus.service dbus.socket; do
	[ -f /lib/systemd/system/$d ] && cp /lib/systemd/system/$d $TMP/units/
done
# what the test observes: the output, and the exit status (a verdict is a
# success of the unit, SuccessExitStatus=1 2)
cat > $TMP/units/kfrag-check.service.d/test.conf << EOF
[Service]
StandardOutput=append:$TMP/out/service.out
StandardError=append:$TMP/out/service.err
ExecStopPost=/bin/sh -c 'echo \$\$EXIT_STATUS > /var/lib/kfrag/test-exit-status'
EOF
# make check-sanitize's kfrag: LeakSanitizer stops the world through ptrace,
# which the unit's hardening denies ("LeakSanitizer has encountered a fatal
# error"); leaks are checked by the other tests, AddressSanitizer still
# reports here (on stderr, which must stay empty)
SAN_ENV=
grep -qa __asan_init "$KFRAG" && SAN_ENV=ASAN_OPTIONS=detect_leaks=0
[ -n "$SAN_ENV" ] && echo "Environment=$SAN_ENV" >> $TMP/units/kfrag-check.service.d/test.conf
cat > $TMP/units/scx_kfragtest.service << EOF
[Service]
ExecStart=$TMP/scx_kfragtest 16
LimitMEMLOCK=infinity
StandardOutput=append:$TMP/out/heap.out
EOF
cp "$HEAP" $TMP/scx_kfragtest	# protected by discovery: its name

# ---- systemd as PID 1 of its own namespaces --------------------------------------
# mkdir of the cgroup and the move happen in the new pid namespace's init
# (PID 1), then unshare --cgroup roots the cgroup namespace there
cat > $TMP/init.sh << EOF
#!/bin/bash
set -e
mkdir $CGDIR
echo 0 > $CGDIR/cgroup.procs
exec unshare --cgroup $TMP/init2.sh
EOF
cat > $TMP/init2.sh << EOF
#!/bin/bash
set -e
mount --make-rprivate /
umount -l /sys/fs/cgroup 2> /dev/null || true
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t tmpfs tmpfs /run
mkdir -p /run/lock
mount -t tmpfs tmpfs /usr/local
install -D -m 755 "$KFRAG" /usr/local/sbin/kfrag
install -D -m 644 "$B/data/kfrag.conf" /usr/local/etc/kfrag.conf
mount -t tmpfs tmpfs /var/lib
mkdir -p /var/lib/prometheus/node-exporter
mount -t proc proc /proc
export container=kfrag-test SYSTEMD_UNIT_PATH=$TMP/units
exec $SYSTEMD --system --unit=kfrag-test.target --log-target=console > $TMP/out/systemd.log 2>&1
EOF
chmod +x $TMP/init.sh $TMP/init2.sh
unshare --mount --pid --uts --ipc --fork $TMP/init.sh < /dev/null > $TMP/out/unshare.log 2>&1 &
UNSHARE=$!
disown $UNSHARE	# its end (killed) is no news
for _ in $(seq 200); do
	SD_PID=$(pgrep -P $UNSHARE -x systemd)
	[ -n "$SD_PID" ] && break
	kill -0 $UNSHARE 2> /dev/null || break
	sleep 0.1
done
[ -n "$SD_PID" ] || skip "systemd did not start in new namespaces: $(cat $TMP/out/unshare.log $TMP/out/systemd.log 2> /dev/null | tail -3)"
in_ns() { timeout 150 nsenter -t "$SD_PID" -m -p -u -i "$@"; }
for _ in $(seq 200); do
	st=$(in_ns systemctl is-system-running 2> /dev/null)
	case $st in running | degraded) break ;; esac
	sleep 0.1
done
# degraded: up, with a unit failed (none of the test's has run yet)
case $st in running | degraded) ok ;; *) fail "systemd in its namespaces: '$st'" ;; esac

# ---- the exposure, as installed ------------------------------------------------------
score=$(in_ns systemd-analyze security --no-pager kfrag-check.service 2>&1 |
	sed -n 's/.*Overall exposure level for kfrag-check.service: \([0-9.]*\).*/\1/p')
[ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 5.0) }' && ok ||
	fail "exposure '$score', more than 5.0 or not measured"
echo "systemd-analyze security kfrag-check.service: $score" >&2

in_ns systemctl start scx_kfragtest.service
for _ in $(seq 100); do
	grep -q '^ready ' $TMP/out/heap.out 2> /dev/null && break
	sleep 0.1
done
heap_pages=$(sed -n 's/^ready pid=[0-9]* pages=\([0-9]*\) .*/\1/p' $TMP/out/heap.out)
[ -n "$heap_pages" ] || fail "locked_heap did not start: $(cat $TMP/out/heap.out)"

# judge OUT: the check's output (a verdict, line one within NRPE's 1,024 bytes)
# and what it left in the namespace's /var/lib
judge() {
	local what=$1 out=$2 l1
	l1=$(head -1 "$out")
	[[ $l1 =~ ^KFRAG\ (OK|WARNING|CRITICAL)\ - ]] && ok || fail "$what: line one '$l1'"
	[ ${#l1} -lt 1024 ] && ok || fail "$what: line one is ${#l1} bytes"
	in_ns cat /var/lib/prometheus/node-exporter/kfrag.prom > $TMP/prom 2> /dev/null
	expect_eq "$what: memory map read (kpageflags)" "$(sed -n 's/^kfrag_memmap_available //p' $TMP/prom)" 1
	awk '/^kfrag_trace_events\{/ { n += $2 } END { exit !(n > 0) }' $TMP/prom && ok ||
		fail "$what: no event traced: $(grep '^kfrag_trace_events' $TMP/prom)"
	expect_eq "$what: textfile mode" "$(in_ns stat -c %a /var/lib/prometheus/node-exporter/kfrag.prom)" 644
	in_ns tail -1 /var/lib/kfrag/history.jsonl |
		jq -r '.guard.protected[]? | select(.comm == "scx_kfragtest") | "\(.pagemap_readable) \(.locked_pages)"' > $TMP/prot
	read -r readable locked < $TMP/prot
	expect_eq "$what: the protected process's page frames read" "${readable:-}" true
	[ "${locked:-0}" -ge "${heap_pages:-1}" ] && ok ||
		fail "$what: ${locked:-no} locked pages counted, locked_heap locked $heap_pages itself"
}

# ---- systemctl start ---------------------------------------------------------------------
in_ns systemctl start kfrag-check.service
expect_eq "systemctl start kfrag-check.service" "$?" 0
st=$(in_ns cat /var/lib/kfrag/test-exit-status)
[[ $st =~ ^[012]$ ]] && ok || fail "the unit's exit status '$st', not a verdict (0, 1, 2)"
judge "the unit" $TMP/out/service.out
pid=$(in_ns systemctl show -p ExecMainPID --value kfrag-check.service)
ls $T/instances | grep -q "^kfrag-$pid\(-[0-9]*\)\?$" && fail "the unit's instance kfrag-$pid is left" || ok

# ---- systemd-run with the unit's properties --------------------------------------------
if [ -f $TMP/units/dbus.service ] && command -v systemd-run > /dev/null &&
	in_ns systemctl start dbus.socket dbus.service; then
	props=()
	while IFS= read -r l; do
		case $l in '' | '#'* | '['* | ExecStart=*) ;; *) props+=(-p "$l") ;; esac
	done < <(sed -n '/^\[Service\]/,$p' $TMP/units/kfrag-check.service)
	in_ns rm -f /var/lib/prometheus/node-exporter/kfrag.prom
	[ -n "$SAN_ENV" ] && props+=(-p "Environment=$SAN_ENV")
	in_ns systemd-run --wait --quiet --unit=kfrag-test-run "${props[@]}" \
		-p StandardOutput=append:$TMP/out/run.out -p StandardError=append:$TMP/out/run.err \
		/usr/local/sbin/kfrag check --config /usr/local/etc/kfrag.conf
	st=$?
	[ $st -le 2 ] && ok || fail "systemd-run: exit $st: $(cat $TMP/out/run.err)"
	judge "systemd-run" $TMP/out/run.out
else
	echo "no dbus (Debian package dbus) or systemd-run: the transient run is not checked" >&2
fi
[ -s $TMP/out/service.err ] && fail "the unit wrote on stderr: $(head -3 $TMP/out/service.err)" || ok
done_testing
