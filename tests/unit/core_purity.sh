#!/bin/bash
# The core (src/core, libkfcore.a) is pure: it may call libc's memory, string
# and formatting functions and libm, and nothing that does I/O, handles
# signals, draws on a terminal or traces. Every symbol the archive needs from
# outside itself must be on this list; a new one is a design question, not a
# list edit to make the test pass.
. "${SRCDIR:-.}/tests/lib/lib.sh"
need_cmd nm
lib=${KFCORE:-./libkfcore.a}
[ -f "$lib" ] || { fail "$lib not built"; done_testing; }

allowed='^(__errno_location|__assert_fail|__stack_chk_fail|__ctype_b_loc|__ctype_tolower_loc|__ctype_toupper_loc|__isoc99_sscanf|__isoc23_sscanf|__isoc23_strtol|__isoc23_strtoul|__isoc23_strtoll|__isoc23_strtoull|calloc|malloc|realloc|reallocarray|free|memcpy|memmove|memset|memcmp|memchr|strcmp|strncmp|strlen|strnlen|strchr|strrchr|strstr|strdup|strndup|strcspn|strspn|strtol|strtoul|strtoll|strtoull|strtod|snprintf|vsnprintf|qsort|qsort_r|bsearch|abs|labs|llabs|round|lround|llround|floor|ceil|log|log2|log10|log1p|pow|sqrt|exp|fabs|isnan|isinf|__ubsan_.*|__asan_.*|__sanitizer_.*|__sancov_.*|__msan_.*)$'

defined=$(nm --defined-only "$lib" | awk 'NF == 3 { print $3 }' | sort -u)
needed=$(nm -u "$lib" | awk '{ print $2 }' | sort -u)
outside=$(comm -23 <(echo "$needed") <(echo "$defined"))
bad=$(echo "$outside" | grep -vE "$allowed" | grep -v '^$' || true)
expect_eq "symbols libkfcore.a needs beyond pure libc/libm" "$(echo $bad)" ""
[ -n "$outside" ] || fail "nm found no undefined symbol at all: is $lib an archive?"
echo "libkfcore.a calls only: $(echo $outside)"
done_testing
