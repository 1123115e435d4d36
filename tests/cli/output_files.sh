#!/bin/bash
# Where kfrag writes its output (issue #13, defects 1 and 8): report --output
# never replaces what is not a regular file (a device or a FIFO is written
# through, a symlink or a directory refused, the target untouched), honours
# the umask, removes the temporary files a killed kfrag left beside its
# output and keeps those of a running one; writing to a full device says so
# and fails (report, and check with UNKNOWN). kfrag record -o shares the
# same code (kf_atomic_open); its live side is in tests/live/live_record.sh.
# Also: an endless input line, and an unprivileged live run.
. "${SRCDIR:-.}/tests/lib/lib.sh"
IN=$FIXTURES/text/pipe_kmem_storm.txt

report() { "$KFRAG" report --input "$IN" --json "$@" 2> "$TMP/err"; }

# a FIFO: written through, still a FIFO
mkfifo "$TMP/fifo"
cat "$TMP/fifo" > "$TMP/from-fifo" &
reader=$!
report --output "$TMP/fifo"
expect_eq "report --output FIFO: exit" "$?" 0
wait "$reader"
expect_eq "the FIFO is still a FIFO" "$(stat -c %F "$TMP/fifo")" "fifo"
expect_eq "the report came through the FIFO" "$(jq -r .source.path "$TMP/from-fifo" 2>/dev/null)" "$IN"

# a character device of our own (root): still a device; /dev/null as well
if [ "$(id -u)" = 0 ] && mknod "$TMP/null" c 1 3 2>/dev/null; then
	report --output "$TMP/null"
	expect_eq "report --output a device: exit" "$?" 0
	expect_eq "the device is still a device" "$(stat -c %F "$TMP/null")" "character special file"
	expect_eq "no temporary file beside it" "$(ls -a "$TMP" | grep -c kfrag-tmp)" 0
	# /dev/null itself, when it is still a device (an older kfrag run by
	# something else on this machine may have replaced it: not this test's doing)
	if [ -c /dev/null ]; then
		report --output /dev/null
		expect_eq "report --output /dev/null: exit" "$?" 0
		expect_eq "/dev/null is still a device" "$(stat -c '%F' /dev/null)" "character special file"
	fi
else
	echo "note: not root: the device case is covered by the FIFO" >&2
fi

# a symlink: refused, neither it nor its target changed
echo precious > "$TMP/target"
ln -s "$TMP/target" "$TMP/link"
report --output "$TMP/link"
expect_eq "report --output symlink: exit" "$?" 1
grep -q "$TMP/link" "$TMP/err" && ok || fail "the message does not name the file: $(cat "$TMP/err")"
expect_eq "the link is still a link" "$(stat -c %F "$TMP/link")" "symbolic link"
expect_eq "its target untouched" "$(cat "$TMP/target")" precious
ln -s "$TMP/nowhere" "$TMP/dangling"
report --output "$TMP/dangling"
expect_eq "report --output dangling symlink: exit" "$?" 1
[ -e "$TMP/nowhere" ] && fail "a file was created through a dangling link" || ok
mkdir "$TMP/dir"
report --output "$TMP/dir"
expect_eq "report --output a directory: exit" "$?" 1
expect_eq "no temporary file left" "$(ls -a "$TMP" "$TMP/dir" | grep -c kfrag-tmp)" 0

# the umask
( umask 022; report --output "$TMP/u022.json" )
expect_eq "mode under umask 022" "$(stat -c %a "$TMP/u022.json")" 644
( umask 077; report --output "$TMP/u077.json" )
expect_eq "mode under umask 077" "$(stat -c %a "$TMP/u077.json")" 600

# temporary files of a killed kfrag (its pid in the name, no such process)
# are removed; one of a running process is kept
dead=$(( $(cat /proc/sys/kernel/pid_max) + 1 ))
touch "$TMP/out.json.kfrag-tmp.$dead.AbCdEf" "$TMP/out.json.kfrag-tmp.$$.GhIjKl"
report --output "$TMP/out.json"
expect_eq "report after a killed one: exit" "$?" 0
expect_eq "the dead process's temporary file removed" "$(ls -a "$TMP" | grep -c "kfrag-tmp.$dead")" 0
expect_eq "the running process's temporary file kept" "$(ls -a "$TMP" | grep -c "kfrag-tmp.$$")" 1

# a full device: a message and a failure, from report and check
if [ -w /dev/full ]; then
	"$KFRAG" report --input "$IN" > /dev/full 2> "$TMP/err"
	expect_eq "report > /dev/full: exit" "$?" 1
	grep -q "standard output: No space left on device" "$TMP/err" && ok || fail "report > /dev/full: '$(cat "$TMP/err")'"
	printf 'state_file =\nhistory_file =\nprometheus_file =\n' > "$TMP/c.conf"
	"$KFRAG" check --config "$TMP/c.conf" --proc-root "$FIXTURES/proc/compaction-mlocked-moved/after" > /dev/full 2> "$TMP/err"
	expect_eq "check > /dev/full: exit (UNKNOWN)" "$?" 3
	grep -q "No space left on device" "$TMP/err" && ok || fail "check > /dev/full: '$(cat "$TMP/err")'"
fi

# an endless line (/dev/zero) ends with a message naming the file, bounded
"$KFRAG" report --input /dev/zero > /dev/null 2> "$TMP/err"
expect_eq "--input /dev/zero: exit" "$?" 1
grep -q "/dev/zero: line 1 is longer than" "$TMP/err" && ok || fail "/dev/zero: '$(cat "$TMP/err")'"

# a live run without privileges: "needs root" is the first thing said
# (issue #13: a guard message came first)
if [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$KFRAG" report --duration 1 --protect-pid 1 \
		> /dev/null 2> "$TMP/err"
	expect_eq "unprivileged live run: exit" "$?" 1
	head -1 "$TMP/err" | grep -q "needs root" && ok || fail "unprivileged: first line '$(head -1 "$TMP/err")'"
fi

done_testing
