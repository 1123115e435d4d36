# Helpers of kfrag top's tests (sourced after tests/lib/lib.sh): kfrag top runs
# in a tmux pseudo-terminal of the test's own (a private server socket), is
# driven with send-keys and read with capture-pane. The wrapper shell saves
# the terminal settings before and after, and kfrag's exit status.
need_cmd tmux
need_cmd jq
need_cmd pgrep
# a new server (socket) for every start: a server just told to exit may
# still answer on its socket and die under the next command
TOP_NR=0
TOP_SOCK="$TMP/tmux.0.sock"
TOP_SESSION=kftop
top_kill_all() {
	for s in "$TMP"/tmux.*.sock; do
		[ -S "$s" ] && tmux -S "$s" kill-server 2>/dev/null
	done
}
trap 'top_kill_all; rm -rf "$TMP"' EXIT

tm() { tmux -S "$TOP_SOCK" "$@"; }

# the glyphs of a UTF-8 screen (the ASCII ones are >, v, ^), for patterns
# that must match whatever the locale of the test: the focus marker, as a
# grep BRE alternative, and the sort arrows
FOCUS_UTF8=$(printf '\342\226\266')
FOCUS="\\(>\\|$FOCUS_UTF8\\)"
SORT_DOWN=$(printf '\342\226\274')
SORT_UP=$(printf '\342\226\262')
# awk counts bytes: every parse below runs in the C locale
top_awk() { LC_ALL=C awk "$@"; }

# top_start COLSxLINES ARGS...: kfrag top ARGS in a fresh window
top_start() {
	size=$1
	shift
	rm -f "$TMP/status" "$TMP/stty.before" "$TMP/stty.after"
	tm kill-server 2>/dev/null
	TOP_NR=$((TOP_NR + 1))
	TOP_SOCK="$TMP/tmux.$TOP_NR.sock"
	# the arguments, quoted for the wrapper shell
	args=
	for a in "$@"; do
		args="$args '$(printf %s "$a" | sed "s/'/'\\\\''/g")'"
	done
	# the wrapper outlives a Ctrl-C (a trap, not an ignore: kfrag gets the
	# default disposition) and leaves no core
	cat > "$TMP/wrapper.sh" <<EOF
trap : INT
ulimit -c 0
stty -g > "$TMP/stty.before"
${TOP_ENV:-} "$KFRAG" top $args 2> "$TMP/stderr"
echo \$? > "$TMP/status.tmp"
stty -g > "$TMP/stty.after"
mv "$TMP/status.tmp" "$TMP/status"
sleep 600
EOF
	# the server and the wrapper outlive this command: without the live
	# tests' lock (fd 9), or a wrapper left behind holds it for minutes
	tm -f /dev/null new-session -d -s "$TOP_SESSION" -x "${size%x*}" -y "${size#*x}" \
		"env ${TOP_LANG:-LC_ALL=C.UTF-8} sh $TMP/wrapper.sh" 9>&-
}

top_screen() { tm capture-pane -p -t "$TOP_SESSION"; }
# with colours and attributes as escape sequences
top_screen_e() { tm capture-pane -p -e -t "$TOP_SESSION"; }
top_keys() { tm send-keys -t "$TOP_SESSION" "$@"; }
top_resize() { tm resize-window -t "$TOP_SESSION" -x "${1%x*}" -y "${1#*x}"; }
top_pane_pid() { tm list-panes -t "$TOP_SESSION" -F '#{pane_pid}'; }
# kfrag's pid (a child of the wrapper shell)
top_pid() { pgrep -P "$(top_pane_pid)" -x kfrag; }
# 1 while the program is in the alternate screen, 0 when it left it
top_alternate() { tm display-message -p -t "$TOP_SESSION" '#{alternate_on}'; }
top_cursor() { tm display-message -p -t "$TOP_SESSION" '#{cursor_flag}'; }

# top_wait REGEX [SECONDS]: until the screen shows it; 1 on timeout
top_wait() {
	n=$(( ${2:-10} * 10 ))
	while [ $n -gt 0 ]; do
		top_screen | grep -q -- "$1" && return 0
		[ -f "$TMP/status" ] && break
		sleep 0.1
		n=$((n - 1))
	done
	echo "--- waited for '$1'; the screen:" >&2
	top_screen >&2
	[ -f "$TMP/stderr" ] && cat "$TMP/stderr" >&2
	return 1
}

# top_wait_gone REGEX [SECONDS]
top_wait_gone() {
	n=$(( ${2:-10} * 10 ))
	while [ $n -gt 0 ]; do
		top_screen | grep -q -- "$1" || return 0
		sleep 0.1
		n=$((n - 1))
	done
	echo "--- waited for '$1' to go; the screen:" >&2
	top_screen >&2
	return 1
}

# A key's effect shows once kfrag has read the key and drawn again, an
# instant later: a test waits for the screen to catch up (up to 10 s)
# instead of sleeping a guessed time and reading it once.
# top_expect WHAT WANT CMD...: until CMD prints WANT, a check
top_expect() {
	_what=$1 _want=$2
	shift 2
	_te_n=100
	while :; do
		_got=$("$@")
		[ "$_got" = "$_want" ] && { ok; return 0; }
		_te_n=$((_te_n - 1))
		[ $_te_n -le 0 ] && break
		sleep 0.1
	done
	fail "$_what: got '$_got', want '$_want'"
}
# top_until CMD...: until CMD succeeds; 1 after 10 s (shell variables are
# global in sh: the counters have names of their own, CMD may use _n)
top_until() {
	_tu_n=100
	until "$@"; do
		_tu_n=$((_tu_n - 1))
		[ $_tu_n -le 0 ] && return 1
		sleep 0.1
	done
}

# top_exit [SECONDS]: kfrag's exit status once it ended ("" on timeout)
top_exit() {
	n=$(( ${1:-10} * 10 ))
	while [ $n -gt 0 ] && [ ! -f "$TMP/status" ]; do
		sleep 0.1
		n=$((n - 1))
	done
	cat "$TMP/status" 2>/dev/null
}

# the terminal as kfrag found it: same stty settings, main screen, cursor shown
top_check_terminal() {
	what=$1
	if [ -f "$TMP/stty.before" ] && cmp -s "$TMP/stty.before" "$TMP/stty.after"; then
		ok
	else
		fail "$what: terminal settings changed: $(cat "$TMP/stty.before" 2>/dev/null) -> $(cat "$TMP/stty.after" 2>/dev/null)"
	fi
	expect_eq "$what: alternate screen left" "$(top_alternate)" 0
	expect_eq "$what: cursor visible" "$(top_cursor)" 1
}

# the line of the screen that starts (after blanks) with WORD
top_row() { top_screen | grep -m1 -- "^ *$1 "; }
# field N (awk) of that line
top_field() { top_row "$1" | awk -v n="$2" '{ print $n }'; }

# top_table HEADER_REGEX: the table under the first line matching it (that
# line included), up to the next panel's title bar or the key hints
top_table() {
	top_screen | top_awk -v h="$1" '
		!on && $0 ~ h { on = 1; print; next }
		on && /^( |>|\xe2\x96\xb6)[1-6] (Zones|CPUs|Fragmentation|Compaction|Processes|Guard) / { exit }
		on && /^q ?Quit/ { exit }
		on { print }'
}

# top_columns TITLE...: those columns of every row of a table on stdin whose
# header line has a one-word title per column, cut at the titles'
# positions: numbers end under the end of their title, the COMMAND column
# (left-aligned, and a comm may hold blanks) starts under its title
top_columns() {
	# one byte for the sort arrow, so that bytes are cells in the header too
	sed "s/$SORT_DOWN/#/; s/$SORT_UP/#/" | top_awk -v want="$*" '
		function trim(s) { gsub(/^ +| +$/, "", s); return s }
		NR == 1 {
			rest = $0; pos = 0; nt = 0
			while (match(rest, /[^ ]+/)) {
				t = substr(rest, RSTART, RLENGTH); sub(/[v^#]$/, "", t); gsub(/[^A-Za-z\/]/, "", t)
				nt++; title[nt] = t; start[nt] = pos + RSTART; stop[nt] = pos + RSTART + RLENGTH - 1
				pos += RSTART + RLENGTH - 1; rest = substr(rest, RSTART + RLENGTH)
			}
			n = split(want, w, " ")
			next
		}
		!NF { next }
		{
			line = ""
			for (k = 1; k <= n; k++) {
				for (i = 1; i <= nt && title[i] != w[k]; i++)
					;
				if (title[i] == "COMMAND")
					v = substr($0, start[i], start[i + 1] - start[i] < 15 ? start[i + 1] - start[i] : 15)
				else if (i > 1 && title[i - 1] == "COMMAND")	# its 15 cells and a blank
					v = substr($0, start[i - 1] + 16, stop[i] - start[i - 1] - 15)
				else
					v = substr($0, i > 1 ? stop[i - 1] + 1 : 1, stop[i] - (i > 1 ? stop[i - 1] : 0))
				line = line (k > 1 ? " " : "") trim(v)
			}
			print line
		}'
}

# the guard panel's alerts, one line each: "SEVERITY message" (the wrapped
# lines joined; the action, after the arrow, left out)
top_alerts() {
	top_screen | top_awk '
		/^( |>|\xe2\x96\xb6)6 Guard / { on = 1; next }
		!on { next }
		/^ *PID PROTECTED/ || /^q ?Quit/ || /^  no alerts/ { exit }
		{
			label = substr($0, 1, 11); text = substr($0, 12)
			gsub(/ +$/, "", label); gsub(/^ +| +$/, "", text)
			if (label != "") { if (cur != "") print cur; cur = label " " text; inmsg = 1; next }
			if (text ~ /^(->|\xe2\x86\x92)/) { inmsg = 0; next }
			if (inmsg && text != "") cur = cur " " text
		}
		END { if (cur != "") print cur }'
}
