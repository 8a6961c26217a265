# clilib.sh -- helpers of cli.sh and cli2.sh, the subcommands' end-to-end tests, on top of
# lib.sh: run `batchtop SUBCOMMAND` on a pipe (bt) or on a pseudo-terminal (bt_tty) against the
# simulator with a distinctive key and a --log file, keep every stdout, stderr and log under
# $OUT (the key must appear in none of them: key_never_shown), read JSON and CSV with a real
# parser (node, else python3), and ask the simulator itself what is true (the oracle).
. "${TOP_SRCDIR:-.}/tests/e2e/lib.sh"

for tool in curl jq script timeout; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "SKIP: $tool not found"
        exit 77
    fi
done
JS=${NODE_BIN:-}
{ [ -n "$JS" ] && [ -x "$JS" ]; } || JS=$(command -v node || command -v nodejs || true)
PY=$(command -v python3 || true)
if [ -z "$JS" ] && [ -z "$PY" ]; then
    echo "SKIP: neither node nor python3 to read JSON and CSV"
    exit 77
fi

# step TEXT: as lib.sh's, with the seconds since the start (to see where the time goes).
E2E_T0=$(now_ms)
step() {
    local ms=$(( $(now_ms) - E2E_T0 ))
    echo "== [$((ms / 1000)).$((ms % 1000 / 100))s] $*"
}

# A key no program has any reason to print: sim_start gives it to the simulator.
KEY=llx-cli-KEEPOUT-5e0c7a91d2b84f36
export XDG_CACHE_HOME="$E2E_TMP/cache"
unset LLAMA_CLOUD_API_KEY LLAMA_CLOUD_BASE_URL NO_COLOR COLUMNS
OUT=$E2E_TMP/out
mkdir -p "$OUT"
RC=
BT_LIMIT=${BT_LIMIT:-60}   # seconds any one run may take before it counts as hung

# bt NAME ARGS...: batchtop ARGS on pipes, against $SIM_URL, logging to $OUT/NAME.log;
# stdout in $OUT/NAME.out, stderr in $OUT/NAME.err, exit status in $RC.
bt() {
    local name=$1
    shift
    LLAMA_CLOUD_API_KEY=$KEY timeout -k 5 "$BT_LIMIT" "$BATCHTOP" "$@" --base-url "$SIM_URL" \
        --log "$OUT/$name.log" >"$OUT/$name.out" 2>"$OUT/$name.err" </dev/null
    RC=$?
}

# bt_tty NAME ARGS...: the same on a pseudo-terminal (stdout and stderr both); what the
# terminal received is in $OUT/NAME.out (raw) and $OUT/NAME.txt (without the tty's CRs).
# $TTY_ENV: extra NAME=value words (NO_COLOR=1, COLUMNS=200).
bt_tty() {
    local name=$1 a
    shift
    {
        printf 'exec env %s' "${TTY_ENV:-}"
        for a in "$BATCHTOP" "$@" --base-url "$SIM_URL" --log "$OUT/$name.log"; do
            printf " '%s'" "$(printf '%s' "$a" | sed "s/'/'\\\\''/g")"
        done
        echo
    } >"$OUT/$name.sh"
    LLAMA_CLOUD_API_KEY=$KEY timeout -k 5 "$BT_LIMIT" script -qfec "sh '$OUT/$name.sh'" /dev/null \
        >"$OUT/$name.out" 2>&1 </dev/null
    RC=$?
    sed 's/\r$//' "$OUT/$name.out" >"$OUT/$name.txt"
}

# expect_rc WANT WHAT: the last run's exit status, with its stderr when it is not.
expect_rc() {
    [ "$RC" = "$1" ] && return 0
    local last
    last=$(ls -t "$OUT"/*.err "$OUT"/*.out 2>/dev/null | head -n 2)
    fail "$2: exit status $RC, expected $1 ($(for f in $last; do head -c 600 "$f"; done | tr '\n' ' '))"
}

# no_escape FILE WHAT: no ESC and no C1 CSI (U+009B as UTF-8, c2 9b), nor any other control
# character than tab and newline (BEL, BS, VT, FF, CR, DEL) reached the terminal. The tty's
# own CRs are left out ($OUT/NAME.txt).
no_escape() {
    if LC_ALL=C grep -qaF $'\x1b' "$1"; then
        fail "$2: an ESC byte reached the terminal: $(LC_ALL=C grep -aF $'\x1b' "$1" | head -n 1 | cat -v)"
    fi
    if LC_ALL=C grep -qaF $'\xc2\x9b' "$1"; then
        fail "$2: a C1 CSI (c2 9b) reached the terminal"
    fi
    if tr -d '\t\n' <"$1" | LC_ALL=C grep -qa '[[:cntrl:]]'; then
        fail "$2: a control character reached the terminal: $(tr -d '\t\n' <"$1" | LC_ALL=C grep -ao '.\{0,20\}[[:cntrl:]]' | head -n 1 | cat -v)"
    fi
    return 0
}

# The readers, in one program so that many files cost one start: `reader KIND:FILE...` reads
# each FILE strictly as KIND and writes it as one JSON document to FILE.j, or names the first
# file it cannot read and fails. KIND: json (one document), jsonl (every line one object on its
# own; written as an array), csv (RFC 4180: quoted fields may hold commas, doubled quotes, CR
# and LF; records end with CRLF; a stray quote, a bare line break or an unterminated field is
# an error; written as an array of arrays of strings). Input must be valid UTF-8.
cat >"$E2E_TMP/reader.js" <<'JS'
const fs = require("fs");
function csv(s) {
    const rows = []; let row = [], f = "", i = 0, q = false, started = false;
    while (i < s.length) {
        const c = s[i];
        if (q) {
            if (c === '"') {
                if (s[i + 1] === '"') { f += '"'; i += 2; continue; }
                q = false; i++;
                if (i < s.length && s[i] !== "," && s[i] !== "\r")
                    throw new Error("text after a closing quote at " + i);
                continue;
            }
            f += c; i++; continue;
        }
        if (c === '"') {
            if (f !== "") throw new Error("a quote inside an unquoted field at " + i);
            q = true; started = true; i++; continue;
        }
        if (c === ",") { row.push(f); f = ""; i++; started = true; continue; }
        if (c === "\r" && s[i + 1] === "\n") {
            row.push(f); rows.push(row); row = []; f = ""; i += 2; started = false; continue;
        }
        if (c === "\r" || c === "\n") throw new Error("a bare line break outside quotes at " + i);
        f += c; i++; started = true;
    }
    if (q) throw new Error("an unterminated quoted field");
    if (started || f !== "" || row.length) throw new Error("the last record has no CRLF");
    return rows;
}
function jsonl(s) {
    if (!s.endsWith("\n")) throw new Error("the last line has no newline");
    return s.slice(0, -1).split("\n").map((l, i) => {
        const o = JSON.parse(l);
        if (o === null || typeof o !== "object" || Array.isArray(o))
            throw new Error("line " + (i + 1) + " is not an object");
        return o;
    });
}
for (const arg of process.argv.slice(2)) {
    const k = arg.indexOf(":"), kind = arg.slice(0, k), file = arg.slice(k + 1);
    try {
        const s = new TextDecoder("utf-8", {fatal: true}).decode(fs.readFileSync(file));
        const v = kind === "json" ? JSON.parse(s) : kind === "jsonl" ? jsonl(s) : csv(s);
        fs.writeFileSync(file + ".j", JSON.stringify(v) + "\n");
    } catch (e) {
        process.stderr.write(file + " is not " + kind + ": " + e.message + "\n");
        process.exit(1);
    }
}
JS
cat >"$E2E_TMP/reader.py" <<'PY'
import csv, io, json, sys
for arg in sys.argv[1:]:
    kind, file = arg.split(":", 1)
    try:
        s = open(file, "rb").read().decode("utf-8")
        if kind == "json":
            v = json.loads(s)
        elif kind == "jsonl":
            assert s.endswith("\n"), "the last line has no newline"
            v = [json.loads(l) for l in s[:-1].split("\n")]
            assert all(isinstance(o, dict) for o in v), "a line is not an object"
        else:
            assert s == "" or s.endswith("\r\n"), "the last record has no CRLF"
            v = list(csv.reader(io.StringIO(s, newline=""), strict=True))
        open(file + ".j", "w").write(json.dumps(v) + "\n")
    except Exception as e:
        sys.stderr.write("%s is not %s: %s\n" % (file, kind, e))
        sys.exit(1)
PY
reader() {
    if [ -n "$JS" ]; then
        "$JS" "$E2E_TMP/reader.js" "$@"
    else
        "$PY" "$E2E_TMP/reader.py" "$@"
    fi
}

# read_all KIND:NAME...: reader over $OUT/NAME.out; fails the test when one does not read.
read_all() {
    local a args=()
    for a in "$@"; do args+=("${a%%:*}:$OUT/${a#*:}.out"); done
    local why
    why=$(reader "${args[@]}" 2>&1) || fail "$why"
}

# J NAME: what reader made of $OUT/NAME.out.
J() {
    cat "$OUT/$1.out.j"
}

# same WHAT A B: two strings equal, or a failure that shows both (first 400 bytes).
same() {
    [ "$2" = "$3" ] && return 0
    fail "$1: got [$(printf '%s' "$2" | head -c 400 | cat -v)] expected [$(printf '%s' "$3" | head -c 400 | cat -v)]"
}

# sim_restart ARGS...: stop the simulator and start another with ARGS.
sim_restart() {
    kill "$SIM_PID" 2>/dev/null
    wait "$SIM_PID" 2>/dev/null
    SIM_PID=
    sim_start "$@"
}

# sim_ids: every batch ID the simulator holds, sorted.
sim_ids() {
    curl -sS --max-time 10 "$SIM_URL/_sim/state" | jq -r '.batches[].id' | sort
}

# sim_requests: how many requests the simulator (started with -v) has logged.
sim_requests() {
    grep -cE '^(GET|POST|HEAD|PUT|DELETE|PATCH) ' "$E2E_TMP/sim.err" || true
}

# sim_settle: until the simulator has logged a request of ours to /_sim/state (so any request
# made before it is logged too); prints the count of requests before that one.
sim_settle() {
    local tag=settle-$RANDOM$RANDOM deadline=$(( $(now_ms) + 5000 ))
    curl -sS --max-time 5 -o /dev/null "$SIM_URL/_sim/state?$tag"
    until grep -q "$tag" "$E2E_TMP/sim.err"; do
        [ "$(now_ms)" -lt "$deadline" ] || fail "the simulator did not log a request within 5 s"
        sleep 0.02
    done
    echo $(( $(sim_requests) - 1 ))
}

# sim_jobs ID: the simulator's truth about each file of batch ID, as a JSON array sorted by file
# ID: {file_id, name, job_id, status} (status NONE when the file was not given a job).
sim_jobs() {
    local b type ids names jobs
    b=$(api "/api/v2/batches/$1?expand=results")
    type=$(jq -r '.config.job.type' <<<"$b")
    names=$(api "/api/v1/beta/directories/$(jq -r .source_directory_id <<<"$b")/files?page_size=1000&include_deleted=true" |
        jq -c '[.items[] | {key: .id, value: .display_name}] | from_entries')
    ids=$(jq -r '[.results // [] | .[] | .job_reference.id // empty | "job_ids=" + .] | join("&")' <<<"$b")
    jobs='{}'
    if [ -n "$ids" ]; then
        local path=/api/v2/parse
        [ "$type" = extract_v2 ] && path=/api/v2/extract
        jobs=$(api "$path?$ids&page_size=1000" | jq -c '[.items[] | {key: .id, value: .status}] | from_entries')
    fi
    jq -c --argjson names "$names" --argjson jobs "$jobs" '[.results // [] | .[] |
        {file_id: .source_directory_file_id, name: $names[.source_directory_file_id],
         job_id: (.job_reference.id // null),
         status: (if .job_reference.id then $jobs[.job_reference.id] else "NONE" end)}] |
        sort_by(.file_id)' <<<"$b"
}

# wait_sim_all_ended [SECONDS]: until no batch in the simulator is active.
wait_sim_all_ended() {
    local deadline=$(( $(now_ms) + ${1:-20} * 1000 ))
    until [ "$(curl -sS --max-time 5 "$SIM_URL/_sim/state" |
        jq '[.batches[] | select(.status == "PENDING" or .status == "THROTTLED" or .status == "RUNNING")] | length')" = 0 ]; do
        [ "$(now_ms)" -lt "$deadline" ] || fail "batches still active after ${1:-20} s"
        sleep 0.1
    done
}

# key_never_shown: the key is in no stdout, stderr or log of any run, nor in the cache; and
# there are logs with requests in them (so the search was not over nothing).
key_never_shown() {
    local hits
    hits=$(grep -rlF -- "$KEY" "$OUT" "$XDG_CACHE_HOME" 2>/dev/null || true)
    [ -z "$hits" ] || fail "the API key appears in: $hits"
    [ "$(cat "$OUT"/*.log 2>/dev/null | grep -c ' -> [0-9]')" -gt 10 ] ||
        fail "the --log files hold no requests: the key search means nothing"
}
