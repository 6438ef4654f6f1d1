#!/usr/bin/env bash
# bench/run.sh — yima's benchmark harness (see docs/performance.md).
#
# For each size it generates synthetic filings (tools/gen_filings.rs, fixed
# seed), then measures wall time and peak memory (bench/timed.py) of:
#   yima check (human and JSON output; one big file and many department files),
#   the calamine floor (whole ranges one after the other; streaming, two threads),
#   frictionless validate of sheet 事项 against `yima schema --format frictionless`,
#   and in a fresh workspace: yima ingest, assign --check, assign, build (with the
#   speed of its HTML/Markdown and Word guide stages), build --only docx, release,
#   with the plain-write floor of the built guides; and (group exchange) the
#   ingested catalog exported as the platform's tables and imported into a
#   second fresh workspace, to compare with ingest;
#   and the code registry alone at a nation's size (bench/registry.rs): issue,
#   read and append to BENCH_REGISTRY_CODES codes;
#   incremental publishing (group "incremental"): on a workspace ingested from
#   CSV department files, the full pipeline (ingest, assign --check, build,
#   release) and then the same after BENCH_EDITS entries of one department
#   changed (the department's file ingested again, assign --check, build
#   reusing its cache, the next release) and again BENCH_STEADY times (the
#   steady state; the median step is reported), then, untimed, one more change
#   built and its dist/ compared byte for byte with `build --full` into another
#   folder (the entry cache, which a steady build appends to, by the line of
#   each entry file) and the releases checked by `yima verify`, and the file system's floor of a step (bench/
#   file_floor.rs: stat, then hard-link, every file of the newest release);
#   and guides per second against Hugo (group "hugo", Debian's hugo installed
#   with apt-get when missing): Hugo rendering the built Markdown guides, one
#   HTML page each with a minimal layout.
# It prints a table of figures and the ratios the targets are stated in.
#
# Settings (environment):
#   BENCH_SIZES            entries per run        (default "10000 100000";
#                          add 1000000 to opt in: BENCH_SIZES="10000 100000 1000000")
#   BENCH_SEED             generator seed         (default 7)
#   BENCH_ERROR_SHARE      seeded mistakes        (default 0.02)
#   BENCH_DATA             data folder            (default target/bench-data; never commit it)
#   BENCH_FRICTIONLESS_MAX largest size given to frictionless (default 1000000)
#   BENCH_BUILD_MAX        largest size built and released    (default 100000)
#   BENCH_TIMEOUT          seconds before one command is stopped (default 3600)
#   BENCH_MEM_LIMIT_MB     virtual memory cap of each measured command (default 12288),
#                          so that a run out of memory fails alone instead of
#                          starving the machine; such a run shows a non-zero exit
#   BENCH_STEPS            which groups to run (default "check floor frictionless pipeline
#                          registry exchange incremental hugo")
#   BENCH_EDITS            entries changed in the incremental group (default 10)
#   BENCH_STEADY           steady steps in the incremental group (default 3)
#   BENCH_REGISTRY_CODES   codes in the registry step (default 1000000)
#   BENCH_REPEAT           runs of each read-only measure (check, floors), the fastest
#                          kept: a shared machine's noise only ever adds time (default 3)
#   BENCH_SCRATCH          where the pipeline's workspace lives, build writes dist/ and
#                          the write floor writes its copy
#                          (default /dev/shm/yima-bench when /dev/shm exists, else the
#                          workspace): both on a RAM disk, so rendering is compared with
#                          writing rather than with the disk's write-back
#   BENCH_REGEN=1          regenerate data even when it is up to date
#
# `bench/run.sh --report target/bench-data/results-….tsv` prints the tables of
# an earlier run again without measuring.
#
# Run it alone: the figures mean little while other builds share the cores.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

# report RESULTS.tsv READ_ONLY — prints the figures as a table and the ratios
# the targets are stated in.
report() {
    python3 - "$1" "$2" "${EDITS:-10}" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
read_only = sys.argv[2] == "1"
EDITS = sys.argv[3] if len(sys.argv) > 3 else "10"
fig = {}
for r in rows:
    fig[(int(r["size"]), r["measure"])] = r
sizes = sorted({int(r["size"]) for r in rows})

def wall(n, m):
    r = fig.get((n, m))
    try:
        return float(r["wall_s"]) if r and r["exit"] in ("0", "1") else None
    except (TypeError, ValueError):
        return None

def val(n, m):
    r = fig.get((n, m))
    return r["wall_s"] if r else None

print()
print("| entries | measure | wall s | CPU s | peak MB | exit | note |")
print("|---:|---|---:|---:|---:|---:|---|")
for r in rows:
    if r["measure"] in ("guides", "frictionless rows", "platform MB", "hugo: pages"):
        continue
    print(f'| {int(r["size"]):,} | {r["measure"]} | {r["wall_s"]} | {r["cpu_s"]} | {r["peak_mb"]} | {r["exit"]} | {r["note"]} |')

def ratio(a, b):
    return f"{a / b:.2f}" if a is not None and b not in (None, 0) else "n/a"

print()
print("| entries | ratio | value | target |")
print("|---:|---|---:|---|")
for n in sizes:
    if (n, "check") in fig:
        check = wall(n, "check")
        fl = wall(n, "frictionless validate")
        if val(n, "frictionless rows") != str(n):
            fl = None  # it failed before reading the sheet: no figure
        print(f"| {n:,} | frictionless ÷ yima check | {ratio(fl, check)} | ≥ 30 |")
        print(f"| {n:,} | frictionless ÷ yima check (department files) | {ratio(fl, wall(n, 'check (department files)'))} | ≥ 30 |")
        reading = wall(n, "check --read-only") if read_only else wall(n, "calamine stream")
        label = "check --read-only" if read_only else "calamine stream (stand-in for the reading stage)"
        print(f"| {n:,} | yima check ÷ {label} | {ratio(check, reading)} | ≤ 1.25 |")
        print(f"| {n:,} | yima check ÷ calamine range | {ratio(check, wall(n, 'calamine range'))} | (floor) |")
        if read_only:
            print(f"| {n:,} | yima check ÷ calamine stream | {ratio(check, wall(n, 'calamine stream'))} | (floor) |")
        for m in ("check", "ingest", "assign --check", "assign", "import platform"):
            r = fig.get((n, m))
            if r and r["peak_mb"]:
                print(f"| {n:,} | {m} peak memory MB | {r['peak_mb']} | < 4096 |")
    b = wall(n, "build")
    g = val(n, "guides")
    if b and g:
        guides = int(g)
        print(f"| {n:,} | build: guides per second | {guides / b:,.0f} | |")
        wf = wall(n, "write floor (guides)")
        # The floor's own timer excludes process start and reading the files.
        try:
            inner = float(open(f"{sys.argv[1].rsplit('/', 1)[0]}/n{n}/write-floor-guides.txt").read().split("seconds=")[1].split()[0])
        except (OSError, IndexError, ValueError):
            inner = wf
        print(f"| {n:,} | whole build ÷ plain writes of the guides (speed) | {ratio(inner, b)} | |")
        stage = wall(n, "build: guides stage")
        print(f"| {n:,} | guide rendering ÷ plain writes of the guides (speed) | {ratio(inner, stage)} | ≥ 0.5 |")
        word = wall(n, "build: docx stage")
        if stage:
            print(f"| {n:,} | HTML and Markdown guides per second (guides stage) | {guides / stage:,.0f} | |")
        if word:
            print(f"| {n:,} | Word guides per second (docx stage, with the 汇编) | {guides / word:,.0f} | |")
            print(f"| {n:,} | docx stage ÷ guides stage (time) | {ratio(word, stage)} | |")
            print(f"| {n:,} | docx stage ÷ whole build (share of time) | {ratio(word, b)} | |")
    full = [wall(n, "full: " + m) for m in ("ingest", "assign --check", "build", "release")]
    inc = [wall(n, "incremental: " + m) for m in ("ingest", "assign --check", "build", "release")]
    if all(x is not None for x in full + inc):
        # (The first change after the first release: that release stamped
        # every entry and brought the 300,000 guides of dist/ up to its
        # stamps, which the full pipeline's release so counts.)
        print(f"| {n:,} | incremental pipeline, the first change after the first release ÷ full pipeline ({EDITS} entries changed) | {ratio(sum(inc), sum(full))} | ≤ 0.05 |")
        print(f"| {n:,} | the same without release (ingest, assign --check, build) | {ratio(sum(inc[:3]), sum(full[:3]))} | |")
        print(f"| {n:,} | incremental build ÷ full build | {ratio(inc[2], full[2])} | |")
        steps = []
        for name in ["steady"] + [f"steady {k}" for k in range(2, 100)]:
            step = [wall(n, f"{name}: " + m) for m in ("ingest", "assign --check", "build", "release")]
            if not all(x is not None for x in step):
                break
            steps.append(step)
        if steps:
            steady = sorted(steps, key=sum)[(len(steps) - 1) // 2]
            sums = ", ".join(f"{sum(s):.2f}" for s in steps)
            print(f"| {n:,} | the next change (steady state, the median of {len(steps)} steps: {sums} s) ÷ full pipeline | {ratio(sum(steady), sum(full))} | ≤ 0.05 |")
            print(f"| {n:,} | steady-state release ÷ full release (that step) | {ratio(steady[3], full[3])} | |")
            fs_stat, fs_link = val(n, "file floor: stat"), val(n, "file floor: link")
            if fs_stat and fs_link:
                # What no step can skip: a build and a release each prove a
                # release's worth of files, the three commands stat the
                # entry files (about as many again), and the release links
                # every file (one thread each, as the floor measured them).
                floor = 3 * float(fs_stat) + float(fs_link)
                print(f"| {n:,} | a steady step's file operations alone (3 × {float(fs_stat):.2f} s stat + {float(fs_link):.2f} s link, one thread) ÷ full pipeline | {ratio(floor, sum(full))} | (floor) |")
        print(f"| {n:,} | incremental dist/ identical to build --full | {val(n, 'incremental: identical')} | yes |")
        print(f"| {n:,} | incremental releases pass yima verify | {val(n, 'incremental: release verified')} | yes |")
    h = wall(n, "hugo")
    pages = val(n, "hugo: pages")
    ys = wall(n, "hugo: yima guides stage")
    yb = wall(n, "hugo: yima build")
    if h and pages and ys:
        p = int(pages)
        print(f"| {n:,} | Hugo pages per second (one HTML page an entry) | {p / h:,.0f} | |")
        print(f"| {n:,} | yima entries per second, guides stage (HTML and Markdown) | {p / ys:,.0f} | > Hugo |")
        if yb:
            print(f"| {n:,} | yima entries per second, whole build (with Word, catalogs, site) | {p / yb:,.0f} | |")
for n in sizes:
    if (n, "import platform") in fig:
        print(f"| {n:,} | import platform ÷ ingest (the same entries) | {ratio(wall(n, 'import platform'), wall(n, 'ingest'))} | ≤ 1 |")
for a, b in zip(sizes, sizes[1:]):
    if b != 10 * a:
        continue
    for m in ("check", "check (department files)", "ingest", "assign --check", "build", "release",
              "export platform", "import platform", "write floor (guides)"):
        if (a, m) not in fig or (b, m) not in fig:
            continue
        target = "(floor)" if m.startswith("write floor") else "≤ 11"
        print(f"| {b:,} ÷ {a:,} | time growth of {m} | {ratio(wall(b, m), wall(a, m))} | {target} |")
EOF
}

# `bench/run.sh --report FILE.tsv` prints the tables of an earlier run again.
if [ "${1:-}" = "--report" ]; then
    report "${2:?usage: bench/run.sh --report RESULTS.tsv}" "${3:-0}"
    exit 0
fi

SIZES=${BENCH_SIZES:-"10000 100000"}
SEED=${BENCH_SEED:-7}
SHARE=${BENCH_ERROR_SHARE:-0.02}
DATA=${BENCH_DATA:-target/bench-data}
FRICTIONLESS_MAX=${BENCH_FRICTIONLESS_MAX:-1000000}
BUILD_MAX=${BENCH_BUILD_MAX:-100000}
TIMEOUT=${BENCH_TIMEOUT:-3600}
MEM_LIMIT_MB=${BENCH_MEM_LIMIT_MB:-12288}
STEPS=${BENCH_STEPS:-"check floor frictionless pipeline registry exchange incremental hugo"}
EDITS=${BENCH_EDITS:-10}
REGISTRY_CODES=${BENCH_REGISTRY_CODES:-1000000}
REPEAT=${BENCH_REPEAT:-3}
if [ -z "${BENCH_SCRATCH:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
    BENCH_SCRATCH=/dev/shm/yima-bench
fi
SCRATCH=${BENCH_SCRATCH:-}
VENV=target/bench-venv
YIMA=$ROOT/target/release/yima
GEN=$ROOT/target/release/examples/gen-filings
FLOOR=$ROOT/target/release/examples/calamine-floor
WFLOOR=$ROOT/target/release/examples/write-floor
FFLOOR=$ROOT/target/release/examples/file-floor
REGBENCH=$ROOT/target/release/examples/registry-bench

mkdir -p "$DATA"
DATA=$(cd "$DATA" && pwd)
STAMP=$(date +%Y%m%d-%H%M%S)
RESULTS=$DATA/results-$STAMP.tsv
LOG=$DATA/run-$STAMP.log
printf 'size\tmeasure\twall_s\tcpu_s\tpeak_mb\texit\tnote\n' >"$RESULTS"

say() { printf '%s\n' "$*" | tee -a "$LOG" >&2; }

# --- tools -------------------------------------------------------------------
# Commands are timed by bench/timed.py (Python's standard library only).
TIMED=$ROOT/bench/timed.py

say "building release binaries"
cargo build --release --bin yima --example gen-filings --example calamine-floor \
    --example write-floor --example file-floor --example registry-bench 2>&1 | tail -n 2 >&2

HAVE_FRICTIONLESS=1
if [ ! -x "$VENV/bin/frictionless" ]; then
    say "installing frictionless into $VENV (once)"
    if ! { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q 'frictionless[excel]'; } >>"$LOG" 2>&1; then
        say "could not install frictionless: its figures are skipped (see $LOG)"
        HAVE_FRICTIONLESS=0
    fi
fi
FRICTIONLESS_VERSION=$([ "$HAVE_FRICTIONLESS" = 1 ] && "$VENV/bin/frictionless" --version 2>/dev/null || echo none)

"$YIMA" schema --format frictionless >"$DATA/items.tableschema.json"

# The reading stage alone: `yima check --read-only` when yima has it (a hidden
# flag is not in --help, so ask clap directly); else calamine streaming stands in.
READ_ONLY=0
if "$YIMA" check --read-only --help >/dev/null 2>&1; then
    READ_ONLY=1
fi

# --- machine -----------------------------------------------------------------
CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
MEM=$(free -g | awk '/^Mem:/ {print $2 " GiB"}')
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$([ -n "$(git status --porcelain 2>/dev/null)" ] && echo " (with uncommitted changes)" || true)
say "machine: $(nproc) cores · $MEM · $CPU · $(uname -sr)"
say "yima $COMMIT$DIRTY · frictionless $FRICTIONLESS_VERSION · sizes: $SIZES · seed $SEED"

# --- measuring -----------------------------------------------------------------
# measure SIZE NAME NOTE CMD… — runs CMD under bench/timed.py with its
# stdout sent to $OUT_FILE (default /dev/null), records wall time (to the
# millisecond), CPU time, peak RSS and exit code.
# Exit code 1 of yima check means "errors found", which the seeded filings have.
# measure_best SIZE NAME NOTE CMD… — measure, run BENCH_REPEAT times; only the
# fastest run is kept.
measure_best() {
    local size=$1 name=$2 note=$3
    shift 3
    local keep i best="" line
    keep=$(mktemp)
    for i in $(seq "$REPEAT"); do
        RESULTS=$keep.$i measure "$size" "$name" "$note (fastest of $REPEAT)" "$@"
        line=$(cat "$keep.$i")
        if [ -z "$best" ] || awk -v a="$(cut -f3 <<<"$line")" -v b="$(cut -f3 <<<"$best")" \
            'BEGIN { exit !(a < b) }'; then
            best=$line
        fi
        rm -f "$keep.$i"
    done
    rm -f "$keep"
    printf '%s\n' "$best" >>"$RESULTS"
}

measure() {
    local size=$1 name=$2 note=$3
    shift 3
    say "  $name …"
    local wall cpu rss code
    read -r wall cpu rss code < <(python3 "$TIMED" --mem-mb "$MEM_LIMIT_MB" --timeout "$TIMEOUT" \
        --stdout "${OUT_FILE:-/dev/null}" --stderr "${ERR_FILE:-$LOG}" -- "$@")
    [ "$code" = 124 ] && note="timed out after ${TIMEOUT}s; $note"
    [ "$code" -ge 128 ] && note="killed or aborted (out of memory?); $note"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$size" "$name" "$wall" "$cpu" "$rss" "$code" "$note" >>"$RESULTS"
    say "    ${wall}s wall, ${cpu}s CPU, ${rss} MB peak, exit $code"
}

# What the generated bytes depend on: the generator's sources and the
# standard's data, not the rest of yima (whose changes relink the binary).
GEN_KEY=$(cat tools/gen_filings.rs tools/gen_filings/*.rs schemas/*.yaml | sha256sum | cut -c1-16)

# generate DIR ARGS… — writes filings with gen-filings unless DIR already
# holds them from the same arguments and the same generator sources.
generate() {
    local dir=$1
    shift
    local args="$GEN_KEY $*"
    if [ "${BENCH_REGEN:-0}" != 1 ] && [ -f "$dir/gen-summary.json" ] &&
        [ "$(cat "$dir/.gen-args" 2>/dev/null)" = "$args" ]; then
        say "  reusing $dir"
        return
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    OUT_FILE=$dir/gen-output.txt measure "$size" "generate $(basename "$dir")" "" "$GEN" --out "$dir" "$@"
    if [ -f "$dir/gen-summary.json" ]; then
        echo "$args" >"$dir/.gen-args"
    else
        say "  generating $dir failed: see $LOG"
    fi
}

# step NAME — whether BENCH_STEPS asks for this group.
step() { case " $STEPS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

# incremental SIZE BASE FILES — the pipeline in full, then again after
# $EDITS entries of one department changed: the department's file ingested
# again, assign --check, build (reusing dist/'s cache), the next release.
# The incremental dist/ must equal `build --full` of the same catalog byte for
# byte, and the release must pass `yima verify`; both are recorded.
# Whether the entry caches of two output folders (`.yima.entries` and
# `.yima.codes`) give a load the same line for every entry file: the header,
# then of the lines for each path the last, for the paths of the second
# folder's cache (a full build's, which has one line per entry file).
same_entry_lines() {
    python3 - "$1" "$2" <<'PY'
import hashlib, sys
def lines(path):
    last = {}
    with open(path, 'rb') as f:
        head = f.readline()
        for line in f:
            line = line.rstrip(b'\n')
            if line:
                last[line.split(b'\t', 1)[0]] = hashlib.sha256(line).digest()
    return head, last
for name in ('.yima.entries', '.yima.codes'):
    (ha, a), (hb, b) = (lines(f'{d}/{name}') for d in sys.argv[1:3])
    if ha != hb or any(a.get(p) != h for p, h in b.items()):
        sys.exit(f'{name}: the lines in use differ')
PY
}

# change LABEL NOTE [VERSION] — within `incremental`: the edited department
# file ingested again, assign --check, build (reusing dist/'s cache; its
# summary kept for the report) and, given a version, the release, each
# measured as "LABEL: command".
change() {
    local label=$1 note=$2 version=${3:-}
    measure "$size" "$label: ingest" "$note" "$YIMA" -C "$ws" ingest "$edited"
    measure "$size" "$label: assign --check" "" "$YIMA" -C "$ws" assign --check
    OUT_FILE=$base/incremental-build.txt measure "$size" "$label: build" "reusing dist/'s cache" \
        "$YIMA" -C "$ws" build
    if [ -n "$version" ]; then
        measure "$size" "$label: release" "" "$YIMA" -C "$ws" release "$version"
    fi
}

incremental() {
    local size=$1 base=$2 files=$3
    local csv=$base/csv edited=$base/csv-edited
    generate "$csv" --entries "$size" --seed "$SEED" --files "$files" --error-share 0 \
        --format csv --encoding utf8
    local ws=$base/ws-incremental
    [ -n "$SCRATCH" ] && ws=$SCRATCH/ws-incremental-$size
    rm -rf "$ws" "$edited"
    "$YIMA" init "$ws" >/dev/null
    measure "$size" "full: ingest" "$files CSV department files" "$YIMA" -C "$ws" ingest "$csv"
    measure "$size" "full: assign --check" "" "$YIMA" -C "$ws" assign --check
    measure "$size" "full: build" "no cache" "$YIMA" -C "$ws" build
    measure "$size" "full: release" "" "$YIMA" -C "$ws" release 2026.1
    # One department's filing with $EDITS entries changed (their 办理地点).
    mkdir -p "$edited"
    local items
    items=$(find "$csv" -name '*-事项.csv' | sort | head -n 1)
    local stem=${items%-事项.csv}
    cp "$stem"-*.csv "$edited/"
    python3 - "$edited/$(basename "$items")" "$EDITS" <<'PY'
import csv, sys
path, edits = sys.argv[1], int(sys.argv[2])
with open(path, encoding="utf-8-sig", newline="") as f:
    rows = list(csv.reader(f))
col = next((r.index("办理地点"), i) for i, r in enumerate(rows) if "办理地点" in r)
column, header = col
changed = 0
for r in rows[header + 1:]:
    if changed == edits:
        break
    if len(r) > column and r[column].strip():
        r[column] = r[column] + "（新址）"
        changed += 1
with open(path, "w", encoding="utf-8-sig", newline="") as f:
    csv.writer(f, lineterminator="\r\n").writerows(rows)
print(changed)
PY
    rm -f "$base/incremental-build.txt"
    change incremental "one department's file, $EDITS entries changed" 2026.2
    # A second change of the same kind: the steady state of CI publishing
    # after every change.
    sed -i 's/（新址）/（新址二）/g' "$edited"/*-事项.csv
    change steady "the same department's file, $EDITS entries changed again" 2026.3
    # More steps of the same kind (BENCH_STEADY in all, 3 by default): one
    # step's figure moves by a fifth with the machine's load; the summary
    # takes the median step.
    local k
    for k in $(seq 2 "${BENCH_STEADY:-3}"); do
        sed -i "s/（新址[^）]*）/（新址$k）/g" "$edited"/*-事项.csv
        change "steady $k" "" "2026.$((k + 2))"
    done
    # The incremental dist/ byte for byte against `build --full` of the same
    # catalog into another folder, after one more change of the same kind
    # (ingested, checked and built as the steps were, and not counted in
    # them): after the timed steps, so that no full build — 3.4 GB written
    # and freed — runs between a timed build and its release, which CI never
    # does (the first steady release after it took 5.0–5.4 s of CPU against
    # 3.7–3.8 s in the other steps: memory the kernel hands out again).
    sed -i "s/（新址[^）]*）/（新址验）/g" "$edited"/*-事项.csv
    change check "one more change, for the comparison"
    measure "$size" "full: build of the edited catalog" "--full, into another folder" \
        "$YIMA" -C "$ws" build --full --out "$ws/dist-full"
    # Every output byte for byte; the entry cache (which a steady build
    # appends to: of two lines for one path the later counts) by the lines
    # a load would use.
    local same=no
    diff -rq -x .yima.entries -x .yima.codes "$ws/dist" "$ws/dist-full" >>"$LOG" 2>&1 \
        && same_entry_lines "$ws/dist" "$ws/dist-full" >>"$LOG" 2>&1 && same=yes
    rm -rf "$ws/dist-full"
    # The file system's part of a step, on the RAM disk as the last step saw
    # it: one thread looking at each file of the newest release, then
    # hard-linking each into a new folder.
    local newest
    newest=$(find "$ws/releases" -mindepth 1 -maxdepth 1 -type d -name '2026.*' | sort -V | tail -n 1)
    rm -rf "$ws/file-floor" "$base/file-floor.txt"
    OUT_FILE=$base/file-floor.txt measure "$size" "file floor" "stat, then link, every file of a release" \
        "$FFLOOR" "$newest" "$ws/file-floor"
    rm -rf "$ws/file-floor"
    local field
    for field in stat link; do
        printf '%s\t%s\t%s\t\t\t\t\n' "$size" "file floor: $field" \
            "$(sed -n "s/.*${field}_seconds=\([0-9.]*\).*/\1/p" "$base/file-floor.txt" 2>/dev/null)" >>"$RESULTS"
    done
    local verified=no
    "$YIMA" -C "$ws" verify "$ws/releases/2026.2" >>"$LOG" 2>&1 \
        && "$YIMA" -C "$ws" verify "$ws/releases/2026.3" >>"$LOG" 2>&1 \
        && "$YIMA" -C "$ws" verify "$newest" >>"$LOG" 2>&1 && verified=yes
    printf '%s\t%s\t%s\t\t\t\t%s\n' "$size" "incremental: identical" "$same" \
        "$(tail -n 1 "$base/incremental-build.txt" 2>/dev/null)" >>"$RESULTS"
    printf '%s\t%s\t%s\t\t\t\t\n' "$size" "incremental: release verified" "$verified" >>"$RESULTS"
    say "    incremental dist/ identical to a full build: $same; release verified: $verified"
    [ -n "$SCRATCH" ] && rm -rf "$ws"
}

# hugo_guides SIZE BASE — yima's guides per second against Hugo rendering the
# same entries: the Markdown guides yima built, as Hugo content (front matter
# with the title), through a minimal layout into one HTML page each.
hugo_guides() {
    local size=$1 base=$2
    if ! command -v hugo >/dev/null; then
        say "  installing hugo (apt-get)"
        if ! { apt-get install -y -q hugo || sudo apt-get install -y -q hugo; } >>"$LOG" 2>&1; then
            say "  could not install hugo: its figures are skipped (see $LOG)"
            return
        fi
    fi
    local ws=$base/ws-hugo site=$base/hugo
    [ -n "$SCRATCH" ] && { ws=$SCRATCH/ws-hugo-$size; site=$SCRATCH/hugo-$size; }
    rm -rf "$ws" "$site"
    "$YIMA" init "$ws" >/dev/null
    "$YIMA" -C "$ws" ingest "$base/clean" >/dev/null 2>>"$LOG"
    rm -f "$base/hugo-build-timings.txt"
    ERR_FILE=$base/hugo-build-timings.txt measure "$size" "hugo: yima build" "all outputs, no cache" \
        "$YIMA" -C "$ws" build --full --timings
    local stage
    stage=$(awk -F'\t' '$1 == "guides" {s = $2} END {print s}' "$base/hugo-build-timings.txt" 2>/dev/null || true)
    printf '%s\t%s\t%s\t\t\t0\t%s\n' "$size" "hugo: yima guides stage" "${stage:-}" \
        "HTML and Markdown guide of every entry" >>"$RESULTS"
    mkdir -p "$site/content/guides" "$site/layouts/_default"
    printf 'baseURL = "http://localhost/"\ntitle = "guides"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n' \
        >"$site/config.toml"
    printf '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body>{{ .Content }}</body></html>\n' \
        >"$site/layouts/_default/single.html"
    printf '<!DOCTYPE html><html><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body>{{ range .Pages }}<a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ end }}</body></html>\n' \
        >"$site/layouts/_default/list.html"
    # Front matter from each guide's first heading, so Hugo has a title.
    python3 - "$ws/dist/guides" "$site/content/guides" <<'PY'
import os, sys
src, dst = sys.argv[1], sys.argv[2]
for name in os.listdir(src):
    if not name.endswith(".md"):
        continue
    text = open(os.path.join(src, name), encoding="utf-8").read()
    title = next((l.lstrip("# ").strip() for l in text.splitlines() if l.startswith("# ")), name)
    title = title.replace("\\", "\\\\").replace('"', '\\"')
    with open(os.path.join(dst, name), "w", encoding="utf-8") as f:
        f.write(f'---\ntitle: "{title}"\n---\n{text}')
PY
    local pages
    pages=$(find "$site/content/guides" -name '*.md' | wc -l)
    printf '%s\t%s\t%s\t\t\t\t\n' "$size" "hugo: pages" "$pages" >>"$RESULTS"
    measure "$size" "hugo" "$(hugo version 2>/dev/null | cut -d' ' -f1-2)" \
        hugo --quiet -s "$site" -d "$site/public"
    [ -n "$SCRATCH" ] && rm -rf "$ws" "$site"
}

# --- the runs -------------------------------------------------------------------
if step registry; then
    # The registry alone, at a nation's size: issue every code through the
    # assigner and write the log; read it back (every chain checked); read,
    # issue one more code and write it again (the registry part of an ingest).
    say ""
    say "== registry of $REGISTRY_CODES codes =="
    lock=$DATA/registry-codes.lock
    [ -n "$SCRATCH" ] && { mkdir -p "$SCRATCH"; lock=$SCRATCH/registry-codes.lock; }
    rm -f "$lock"
    measure "$REGISTRY_CODES" "registry: issue and write" "codes given by the assigner, log written" \
        "$REGBENCH" issue "$REGISTRY_CODES" "$lock"
    measure_best "$REGISTRY_CODES" "registry: read" "every line's chain checked" "$REGBENCH" read "$lock"
    measure "$REGISTRY_CODES" "registry: read, append, write" "one code issued" "$REGBENCH" append "$lock"
    rm -f "$lock"
fi

for size in $SIZES; do
    # Only the registry asked for: no filings to generate.
    step check || step floor || step frictionless || step pipeline || step exchange ||
        step incremental || step hugo || break
    say ""
    say "== $size entries =="
    base=$DATA/n$size
    files=$((size / 2000))
    [ "$files" -lt 2 ] && files=2
    # "One big file" — as big as Excel allows: a sheet holds 1,048,576 rows,
    # so past 200,000 entries (~800,000 materials) the filing takes several.
    big=$(((size + 199999) / 200000))
    if [ "$big" = 1 ]; then one="one file"; else one="$big files of 200,000 (Excel's row limit)"; fi
    if step check || step floor || step frictionless; then
        generate "$base/single" --entries "$size" --seed "$SEED" --files "$big" --error-share "$SHARE"
        generate "$base/multi" --entries "$size" --seed "$SEED" --files "$files" --error-share "$SHARE"
    fi
    if step pipeline || step hugo; then
        generate "$base/clean" --entries "$size" --seed "$SEED" --files "$files" --error-share 0
    fi
    single=$base/single

    if step incremental && [ "$size" -le "$BUILD_MAX" ]; then
        incremental "$size" "$base" "$files"
    fi
    if step hugo && [ "$size" -le "$BUILD_MAX" ]; then
        hugo_guides "$size" "$base"
    fi

    if step check; then
        measure_best "$size" "check" "$one, human output" "$YIMA" check "$single"
        measure_best "$size" "check --format json" "$one" "$YIMA" check --format json "$single"
        measure_best "$size" "check (department files)" "$files files" "$YIMA" check "$base/multi"
        if [ "$READ_ONLY" = 1 ]; then
            measure_best "$size" "check --read-only" "yima's reading stage" "$YIMA" check --read-only "$single"
        fi
    fi
    if step floor; then
        measure_best "$size" "calamine range" "$one, both sheets one after the other" "$FLOOR" --mode range "$single"
        measure_best "$size" "calamine stream" "$one, both sheets in parallel" "$FLOOR" --mode stream "$single"
    fi

    if step frictionless && [ "$HAVE_FRICTIONLESS" = 1 ] && [ "$size" -le "$FRICTIONLESS_MAX" ]; then
        # One process per workbook, one after the other; --trusted: frictionless
        # refuses absolute paths without it.
        rm -rf "$base/frictionless"
        mkdir -p "$base/frictionless"
        measure_best "$size" "frictionless validate" "sheet 事项 only, $one" bash -c '
            fl=$1 schema=$2 out=$3
            shift 3
            for f in "$@"; do
                "$fl" validate --json --trusted --sheet 事项 --header-rows 2 --schema "$schema" \
                    --limit-errors 1000000000 "$f" >"$out/$(basename "$f").json" || true
            done' _ "$VENV/bin/frictionless" "$DATA/items.tableschema.json" "$base/frictionless" \
            "$single"/*.xlsx
        # A figure counts only if every row was read (not a file-level error).
        read -r rows errors < <(python3 -c 'import json,sys
rows = errors = 0
for p in sys.argv[1:]:
    t = json.load(open(p))["tasks"][0]["stats"]
    rows += t.get("rows", 0); errors += t.get("errors", 0)
print(rows, errors)' "$base"/frictionless/*.json 2>/dev/null || echo "0 0")
        printf '%s\t%s\t%s\t\t\t\t%s\n' "$size" "frictionless rows" "$rows" "$errors errors" >>"$RESULTS"
        say "    frictionless read $rows rows, found $errors errors"
    elif step frictionless && [ "$HAVE_FRICTIONLESS" = 1 ]; then
        say "  frictionless skipped above BENCH_FRICTIONLESS_MAX=$FRICTIONLESS_MAX"
    fi

    step pipeline || step exchange || continue
    # The workspace on the scratch disk too: ingest, assign and release write
    # a file per entry, and on disk they measured its write-back, not yima.
    ws=$base/ws
    [ -n "$SCRATCH" ] && ws=$SCRATCH/ws-$size
    rm -rf "$ws"
    "$YIMA" init "$ws" >/dev/null
    measure "$size" "ingest" "$files clean department files" "$YIMA" -C "$ws" ingest "$base/clean"
    if step exchange; then
        # The same entries through the platform's tables: exported, then
        # imported into a second fresh workspace (both on the scratch disk).
        tables=${SCRATCH:-$base}/platform-$size
        ws2=${SCRATCH:-$base}/ws-imported-$size
        rm -rf "$tables" "$ws2"
        measure "$size" "export platform" "the ingested catalog" "$YIMA" -C "$ws" export --format platform \
            --out "$tables" --time "2026-03-01 00:00:00"
        printf '%s\t%s\t%s\t\t\t\t\n' "$size" "platform MB" "$(du -sm "$tables" | cut -f1)" >>"$RESULTS"
        "$YIMA" init "$ws2" >/dev/null
        measure "$size" "import platform" "into a fresh workspace" "$YIMA" -C "$ws2" import --format platform "$tables"
        rm -rf "$tables" "$ws2"
    fi
    if ! step pipeline; then
        [ -n "$SCRATCH" ] && rm -rf "$ws"
        continue
    fi
    measure "$size" "assign --check" "" "$YIMA" -C "$ws" assign --check
    measure "$size" "assign" "nothing left to assign" "$YIMA" -C "$ws" assign
    if [ "$size" -le "$BUILD_MAX" ]; then
        # dist/ on the scratch disk (a RAM disk by default), the floor's copy too.
        dist=$ws/dist
        [ -n "$SCRATCH" ] && dist=$SCRATCH/dist
        floor_out=${SCRATCH:-$DATA}/write-floor
        rm -rf "$dist" "$floor_out" "$base/build-timings.txt"
        ERR_FILE=$base/build-timings.txt measure "$size" "build" "dist/ in ${SCRATCH:-the workspace}" \
            "$YIMA" -C "$ws" build --timings --out "$dist"
        # The guide stages alone (`build --timings`: stage<TAB>seconds): HTML
        # and Markdown, then Word (each guide and each agency's 汇编).
        stage=$(awk -F'\t' '$1 == "guides" {print $2}' "$base/build-timings.txt" 2>/dev/null || true)
        printf '%s\t%s\t%s\t\t\t0\t%s\n' "$size" "build: guides stage" "${stage:-}" \
            "yima build --timings" >>"$RESULTS"
        word=$(awk -F'\t' '$1 == "docx" {print $2}' "$base/build-timings.txt" 2>/dev/null || true)
        printf '%s\t%s\t%s\t\t\t0\t%s\n' "$size" "build: docx stage" "${word:-}" \
            "yima build --timings: Word guides and 汇编" >>"$RESULTS"
        guides=$(find "$dist/guides" -name '*.html' 2>/dev/null | wc -l)
        printf '%s\t%s\t%s\t\t\t\t\n' "$size" "guides" "$guides" >>"$RESULTS"
        OUT_FILE=$base/write-floor-guides.txt measure "$size" "write floor (guides)" \
            "plain writes of dist/guides" "$WFLOOR" "$dist/guides" "$floor_out"
        rm -rf "$floor_out"
        measure "$size" "write floor (dist)" "plain writes of all of dist/" "$WFLOOR" "$dist" "$floor_out"
        rm -rf "$floor_out"
        measure "$size" "build --only docx" "Word guides and 汇编 over the built dist/" \
            "$YIMA" -C "$ws" build --only docx --out "$dist"
        [ -n "$SCRATCH" ] && rm -rf "$dist"
        measure "$size" "release" "" "$YIMA" -C "$ws" release 2026.1
    else
        say "  build and release skipped above BENCH_BUILD_MAX=$BUILD_MAX"
    fi
    if [ -n "$SCRATCH" ]; then rm -rf "$ws"; fi
done

report "$RESULTS" "$READ_ONLY" | tee -a "$LOG"
say ""
say "figures: $RESULTS · log: $LOG"
