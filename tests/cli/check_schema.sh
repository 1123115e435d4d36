#!/bin/bash
# kfrag check's JSON (--json) and its history lines validate against
# data/kfrag-check.schema.json and data/kfrag-check-history.schema.json
# with every object closed (no key kfrag does not describe), in every shape
# kfrag writes: a first run, a run with rates and a recorded trace, the
# guard's alerts (shared capture), the memory map read and not readable,
# memmap, guard and trace switched off, an UNKNOWN before measuring. The
# schemas keep the contract: open objects, so a later 1.x document
# validates, a 2.0 does not; the validation can fail (mutations rejected).
. "${SRCDIR:-.}/tests/lib/lib.sh"
. "${SRCDIR:-.}/tests/lib/check_lib.sh"
PYTHON=${PYTHON:-/usr/bin/python3}
[ -x "$PYTHON" ] || skip "needs $PYTHON (apt-get install python3)"
"$PYTHON" -c 'import jsonschema' 2>/dev/null ||
	skip "needs Python's jsonschema: apt-get install python3-jsonschema"
S=$SRCDIR/data/kfrag-check.schema.json
H=$SRCDIR/data/kfrag-check-history.schema.json
C=$TMP/c.conf
docs=()
# run NAME ARGS...: kfrag check --json, its document kept
run() {
	local name=$1
	shift
	"$KFRAG" check "$@" --json > $TMP/$name.json 2> $TMP/err
	[ $? -le 3 ] && ok || fail "check $*: $(cat $TMP/err)"
	docs+=($TMP/$name.json)
}

printf "state_file =\nhistory_file = %s\nprometheus_file =\n" $TMP/history.jsonl > $C
run first --config $C --proc-root $MOVED/before --state $TMP/s --now 1700000000
run rates --config $C --proc-root $MOVED/after --state $TMP/s --now 1700000300 --input $FIXTURES/text/pipe_lost.txt
cap=$(tracedat_caps moved | head -n 1)
if [ -f "$cap/trace.dat" ]; then
	{ cat $C; echo "protect_pid = $(sed -n 's/.*protected_pid=\([0-9]*\).*/\1/p' $cap/scenario)"; } > $TMP/g.conf
	run guard --config $TMP/g.conf --input $cap/trace.dat --proc-root $cap/proc-after
	grep -q '"critical"' $TMP/guard.json && ok || fail "the guard capture raised no critical alert"
fi
mm=$FIXTURES/memmap/normal-48
mkdir -p $TMP/fx && cp $mm/zoneinfo $mm/buddyinfo $mm/pagetypeinfo $mm/kpageflags $mm/kpageflags.start_pfn $MOVED/before/vmstat $TMP/fx/
chmod 644 $TMP/fx/*
run memmap --config $C --proc-root $TMP/fx --duration 0
grep -q '"available": true' $TMP/memmap.json && ok || fail "no memory map read from $TMP/fx"
{ base_conf; echo "memmap = no"; echo "guard = no"; } > $TMP/off.conf
run off --config $TMP/off.conf --proc-root $MOVED/after --duration 0
run early --config $TMP/nonexistent.conf
expect_eq "early UNKNOWN" "$(sed -n 's/.*"status": "\([A-Z]*\)".*/\1/p' $TMP/early.json)" UNKNOWN
[ -s $TMP/history.jsonl ] && ok || fail "no history written"
expect_eq "history lines: every run that measured with the history on" "$(wc -l < $TMP/history.jsonl)" $(( ${#docs[@]} - 2 ))

"$PYTHON" - "$S" "$H" $TMP/history.jsonl "${docs[@]}" > $TMP/problems 2>&1 <<'PY'
import copy, json, os, sys
import jsonschema
sys.path.insert(0, os.environ.get("SRCDIR", ".") + "/tests/lib")
from closed_schema import closed, closed_objects

check, history = (json.load(open(f)) for f in sys.argv[1:3])
for name, s in (("check", check), ("history", history)):
    jsonschema.Draft202012Validator.check_schema(s)
    for p in closed_objects(s):
        print("%s schema: %s" % (name, p))


def validators(check, history):
    """Both schemas, the history's reference to the check's resolved by $id
    (referencing where jsonschema has it, RefResolver before 4.18)."""
    try:
        from referencing import Registry, Resource
        reg = Registry().with_resources([(s["$id"], Resource.from_contents(s)) for s in (check, history)])
        return (jsonschema.Draft202012Validator(check, registry=reg),
                jsonschema.Draft202012Validator(history, registry=reg))
    except ImportError:
        store = {s["$id"]: s for s in (check, history)}
        return tuple(jsonschema.Draft202012Validator(s, resolver=jsonschema.RefResolver.from_schema(s, store=store))
                     for s in (check, history))


strict_check, strict_history = validators(closed(check), history)
open_check, open_history = validators(check, history)


def errors(v, doc):
    return ["/".join(map(str, e.absolute_path)) + ": " + e.message[:200] for e in v.iter_errors(doc)]


for f in sys.argv[4:]:
    doc = json.load(open(f))
    for e in errors(strict_check, doc):
        print("%s: %s" % (os.path.basename(f), e))
for n, line in enumerate(open(sys.argv[3]), 1):
    for e in errors(strict_history, json.loads(line)):
        print("history line %d: %s" % (n, e))

# the validation can fail
full = json.loads(open(sys.argv[3]).readline())
early = json.load(open([f for f in sys.argv[4:] if f.endswith("early.json")][0]))
def mutated(change):
    d = copy.deepcopy(full)
    change(d)
    return d
mutations = [
    ("unknown key", lambda d: d.update(zonez=[])),
    ("status not a Nagios status", lambda d: d.update(status="FINE")),
    ("exit code 4", lambda d: d.update(exit_code=4)),
    ("a required key deleted (checks)", lambda d: d.pop("checks")),
    ("negative free blocks", lambda d: d["zones"][0]["free_blocks"].__setitem__(0, -1)),
    ("unusable index above 1", lambda d: d["zones"][0]["unusable_index"].__setitem__(0, 1.5)),
    ("a check result without message", lambda d: d["checks"][0].pop("message")),
    ("major version 2.0", lambda d: d.update(schema_version="2.0")),
]
for name, change in mutations:
    if not errors(strict_check, mutated(change)):
        print("mutation accepted: " + name)
if not errors(strict_history, early):
    print("history schema accepts an early UNKNOWN, which is never appended")
# the contract: a later minor version, with keys this schema does not name
later = mutated(lambda d: d.update(schema_version="1.7", added_later={"x": 1}))
later["checks"][0]["added_later"] = True
for v, what in ((open_check, "check"), (open_history, "history")):
    for e in errors(v, later):
        print("%s schema rejects a later 1.x document: %s" % (what, e))
PY
[ -s $TMP/problems ] && fail "$(head -20 $TMP/problems)" || ok
echo "${#docs[@]} documents and $(wc -l < $TMP/history.jsonl) history lines validated" >&2
done_testing
