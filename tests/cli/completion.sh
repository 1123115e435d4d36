#!/bin/bash
# The bash completion of kfrag (data/completion/kfrag): commands, every
# option each command's --help documents, and option values (files,
# directories, pids, process names, trace events), run as bash runs it:
# _kfrag with COMP_WORDS set, under bash-completion's own helpers.
. "${SRCDIR:-.}/tests/lib/lib.sh"
BC=
for f in /usr/share/bash-completion/bash_completion /etc/bash_completion; do
	[ -f $f ] && BC=$f && break
done
[ -n "$BC" ] || skip "bash-completion is not installed (Debian package bash-completion)"

# comp LINE: the completions of the line's last word (a trailing space: a
# new word), one a line, sorted
comp() {
	KFRAG_DIR=$(dirname "$KFRAG") LINE="$1" bash --norc -c '
		. "$0" && . "$1" || exit 1
		PATH=$KFRAG_DIR:$PATH
		read -ra COMP_WORDS <<< "$LINE"
		[[ $LINE == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE=$LINE COMP_POINT=${#LINE}
		_kfrag kfrag "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"' "$BC" "$SRCDIR/data/completion/kfrag" | sort
}
expect_comp() { local got; got=$(comp "$1" | sed '/^$/d' | tr '\n' ' '); expect_eq "completion of '$1'" "$got" "$2"; }

expect_comp "kfrag " "check help record report top "
expect_comp "kfrag re" "record report "
expect_comp "kfrag --v" "--version "
expect_comp "kfrag help ch" "check "

# every option of every command's --help, and nothing else but --version
for cmd in report top check record; do
	"$KFRAG" $cmd --help | sed -nE 's/^ +(-[a-zA-Z], )?(--[a-z][a-z-]*).*/\2/p' > $TMP/want
	[ "$(wc -l < $TMP/want)" -ge 5 ] && ok || fail "$cmd --help lists few options: $(cat $TMP/want)"
	echo --version >> $TMP/want
	comp "kfrag $cmd --" > $TMP/got
	expect_eq "$cmd: the long options" "$(tr '\n' ' ' < $TMP/got)" "$(sort -u $TMP/want | tr '\n' ' ')"
done
expect_comp "kfrag report --j" "--json "
expect_comp "kfrag check -w highor" "highorder= "
expect_comp "kfrag check --critical unus" "unusable= "
expect_comp "kfrag check -c lost" ""
comp "kfrag check -w lost" | grep -qx "lost_events=" && ok || fail "-w lost: $(comp 'kfrag check -w lost')"
expect_comp "kfrag check -t " ""
expect_comp "kfrag check --perfdata " "all key none "
expect_comp "kfrag check --perfdata k" "key "
expect_comp "kfrag report --assume-sysctl compact_" "compact_unevictable_allowed= "
expect_comp "kfrag top --assume-sysctl " "compact_unevictable_allowed= compaction_proactiveness= "
expect_comp "kfrag check -d 5 --pri" "--print-config "

# values: files, directories, pids, names, events
mkdir -p $TMP/w/procdir && touch $TMP/w/trace.dat $TMP/w/kfrag.conf
cd $TMP/w
expect_comp "kfrag report --input tr" "trace.dat "
expect_comp "kfrag check --config kfrag." "kfrag.conf "
expect_comp "kfrag report --proc-root " "procdir "
expect_comp "kfrag top --proc-root p" "procdir "
expect_comp "kfrag report --duration " ""
comp "kfrag top --protect-pid " | grep -qx "$$" && ok || fail "--protect-pid does not offer this shell's pid $$"
comp "kfrag report --protect-comm " | grep -qx "bash" && ok || fail "--protect-comm does not offer bash"
comp "kfrag record -e comp" > $TMP/got
grep -qx compaction $TMP/got && grep -qx compaction:mm_compaction_begin $TMP/got && ! grep -qv '^compaction' $TMP/got &&
	ok || fail "record -e comp: $(tr '\n' ' ' < $TMP/got)"
comp "kfrag record --events kmem,mig" > $TMP/got
grep -qx kmem,migrate $TMP/got && grep -qx kmem,migrate:mm_migrate_pages $TMP/got && ! grep -qv '^kmem,migrate' $TMP/got &&
	ok || fail "record --events kmem,mig: $(tr '\n' ' ' < $TMP/got)"
expect_comp "kfrag record -e kmem:mm_page_alloc_" "kmem:mm_page_alloc_extfrag kmem:mm_page_alloc_zone_locked "
expect_comp "kfrag record -e kmem,exceptions:" "kmem,exceptions:page_fault_user "
done_testing
