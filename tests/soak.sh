#!/bin/bash
# soak.sh -- batchtop against a simulator with every fault on, driven like an operator (issue 6).
# Usage: tests/soak.sh [SECONDS]   (default 600; `make check` runs 120 via soak-check.sh)
#
# batchtop runs in tmux (--refresh 2) against batchtop-sim with --fail-rate 0.2, --rate-limit 4,
# --latency 2000, --reset-rate 0.05, --malformed-rate 0.02 and --ambiguous-create-rate 0.2. A
# script acts like an operator for SECONDS: it creates 20 batches through the form (answering
# the form's "not created" and "outcome unknown" states the way its text says), opens and
# leaves batches and files, filters, sorts, cancels some, resizes the terminal, and probes key
# latency (send-keys until the expected screen change). It asserts: batchtop stays alive and
# answers every probe within 1 s; the header's "updated HH:MM:SS" keeps changing (never stuck
# for 60 s); after POST /_sim/faults/off every batch's status on screen equals the simulator's
# within two refresh intervals (plus the 2 s of latency a request may still be serving);
# exactly the 20 batches batchtop reported created exist, no more, no fewer; batchtop exits 0 and
# neither program printed a sanitizer report. Prints a summary: requests made, faults met,
# retries, max key latency. Needs tmux, curl and jq (uses tests/e2e/lib.sh).
SOAK_SECONDS=${1:-600}
E2E_NAME=soak
. "${TOP_SRCDIR:-.}/tests/e2e/lib.sh"
need_tmux

REFRESH=2
CREATES=20
PROBE_MAX_MS=1000
STUCK_MAX_S=60

# faults apply to the harness's own API calls too: retry until a list page arrives
api_retry() {
    local i out
    for i in $(seq 1 40); do
        out=$(api "$@" 2>/dev/null) && echo "$out" | jq -e .items >/dev/null 2>&1 && {
            echo "$out"
            return 0
        }
        sleep 0.25
    done
    fail "the simulator did not answer $1 in 40 tries"
}
state() { curl -sS --max-time 10 "$SIM_URL/_sim/state"; }   # control route: never faulted
alive() { kill -0 "$(batchtop_pid)" 2>/dev/null || fail "batchtop is not running"; }

max_latency=0
probes=0
# probe KEY REGEX: send KEY, time until a screen line matches REGEX; assert < PROBE_MAX_MS
probe() {
    local key=$1 re=$2 t0 dt
    t0=$(now_ms)
    keys "$key"
    while ! screen | grep -qE -- "$re"; do
        dt=$(( $(now_ms) - t0 ))
        [ "$dt" -lt 5000 ] || fail "key $key: /$re/ not on screen after 5 s"
        sleep 0.01
    done
    dt=$(( $(now_ms) - t0 ))
    probes=$((probes + 1))
    [ "$dt" -gt "$max_latency" ] && max_latency=$dt
    [ "$dt" -lt "$PROBE_MAX_MS" ] || fail "key $key took $dt ms (limit $PROBE_MAX_MS)"
}

# The header's "updated HH:MM:SS" must keep changing.
last_updated=
last_change=$(date +%s)
max_stuck=0
watch_updated() {
    local u now
    u=$(screen | head -n 1 | sed -n 's/.*updated \([0-9:]*\).*/\1/p')
    now=$(date +%s)
    if [ -n "$u" ] && [ "$u" != "$last_updated" ]; then
        last_updated=$u
        last_change=$now
    fi
    [ $((now - last_change)) -gt "$max_stuck" ] && max_stuck=$((now - last_change))
    [ $((now - last_change)) -le "$STUCK_MAX_S" ] ||
        fail "\"updated\" has not changed for $((now - last_change)) s"
}

to_list() {  # back to the list from wherever we are
    local i
    for i in 1 2 3 4; do
        screen | grep -qE '^ Batches \([0-9]' && return 0
        keys Escape
        sleep 0.2
    done
    wait_re '^ Batches \([0-9]' 10
}

sim_start --seed 61 --speed 1 -v --fail-rate 0.2 --rate-limit 4 --latency 2000 \
    --reset-rate 0.05 --malformed-rate 0.02 --ambiguous-create-rate 0.2
tmux_start 120 40
initial=$(state | jq '.batches | length')
state | jq -r '.batches[].id' | sort >"$E2E_TMP/initial-ids"
dirs=$(api_retry '/api/v1/beta/directories?page_size=100' |
    jq -r '.items[] | select(.name != "thousand" and .name != "big-1001") | .id')
[ -n "$dirs" ] || fail "no small directory to create batches over"
set -- $dirs
ndirs=$#

run_batchtop --refresh "$REFRESH" --log "$E2E_TMP/batchtop.log"
echo "soak: ${SOAK_SECONDS}s, $initial batches at start, faults on"
start=$(date +%s)
created=0
: >"$E2E_TMP/created-ids"
unknowns=0 notcreated=0 cancels=0 opens=0 files=0 filters=0 sorts=0 resizes=0
iter=0

create_one() {  # create through the form; returns once batchtop says it was created
    local dir=$1 t0 s id
    to_list
    probe n 'New batch'
    type_text "$dir"
    keys Tab Tab C-u
    type_text 'cfg-PARSE_AGENTIC'
    keys Enter
    t0=$(date +%s)
    while :; do
        alive
        s=$(screen)
        # the flash of the previous create may still be up: only a new ID counts
        id=$(echo "$s" | grep -oE 'created batch bat-[0-9a-f-]{36}' | head -n 1)
        id=${id#created batch }
        if [ -n "$id" ] && ! grep -qF "${id:0:18}" "$E2E_TMP/created-ids"; then
            echo "${id:0:18}" >>"$E2E_TMP/created-ids"
            created=$((created + 1))
            return 0
        fi
        # a later error flash can replace the success flash at once: the form closing with
        # the list showing means success, and the list then selects the new batch
        if ! echo "$s" | grep -qE '^ New batch|Outcome unknown' &&
            echo "$s" | grep -qE '^ Batches \([0-9]'; then
            id=$(echo "$s" | grep -oE '^>bat-[0-9a-f-]{14}' | head -n 1)
            id=${id#>}
            [ -n "$id" ] && ! grep -qF "$id" "$E2E_TMP/created-ids" ||
                fail "the form closed but no new batch is selected (${id:-none})"
            echo "$id" >>"$E2E_TMP/created-ids"
            created=$((created + 1))
            return 0
        fi
        case $s in
        *'Outcome unknown'*)
            unknowns=$((unknowns + 1))
            keys y                    # look for it, as the dialog offers
            sleep 0.3
            ;;
        *'NOT created'*'press Enter to try again'*)
            notcreated=$((notcreated + 1))
            keys Enter
            sleep 0.3
            ;;
        *'could not tell whether the batch was created'*)
            ;;                        # the look-up is running or the dialog comes next
        *'not created (HTTP'*)
            fail "the form refused a valid batch: $(echo "$s" | grep 'not created')"
            ;;
        esac
        [ $(( $(date +%s) - t0 )) -lt 120 ] || fail "no create outcome within 120 s"
        sleep 0.1
    done
}

operator_step() {  # one thing an operator does, chosen round-robin
    local id
    to_list
    case $((iter % 6)) in
    0)  # open a batch (the oldest, which has finished), a file, leave
        keys G
        probe Enter '^ Batch bat-'
        opens=$((opens + 1))
        if wait_re_soft 'Files \([1-9]' 15; then
            keys j
            probe Enter 'Output:'
            files=$((files + 1))
            sleep 0.5
            keys q
        fi
        keys q
        ;;
    1)  # filter by a created batch, then clear
        id=$(tail -n 1 "$E2E_TMP/created-ids")
        [ -n "$id" ] || id=bat-
        probe / 'filter \(! inverts\):'
        type_text "${id:0:12}"
        keys Enter
        wait_re '^ Batches \([0-9]+/' 5
        filters=$((filters + 1))
        keys Escape
        ;;
    2)  # sort by another column and back, invert twice
        keys '>' '<' I I
        sorts=$((sorts + 1))
        ;;
    3)  # cancel the selected batch (the newest created is selected after a create)
        keys c
        sleep 0.3
        if screen | grep -q 'Cancel batch bat-'; then
            keys y
            cancels=$((cancels + 1))
        fi
        sleep 0.3
        ;;
    4)  # resize and back
        tmux_cmd resize-window -t main -x 100 -y 30
        sleep 0.3
        tmux_cmd resize-window -t main -x 120 -y 40
        resizes=$((resizes + 1))
        ;;
    5)  # help and messages, both ways
        probe '?' 'Help — keys'
        probe q '^ Batches \([0-9]'
        probe m '^ Messages \('
        probe q '^ Batches \([0-9]'
        ;;
    esac
}

wait_re_soft() {  # like wait_re, but returns 1 instead of failing
    local re=$1 secs=$2 deadline=$(( $(now_ms) + $2 * 1000 ))
    while ! screen | grep -qE -- "$re"; do
        [ "$(now_ms)" -lt "$deadline" ] || return 1
        sleep 0.05
    done
}

while :; do
    elapsed=$(( $(date +%s) - start ))
    [ "$elapsed" -ge "$SOAK_SECONDS" ] && [ "$created" -ge "$CREATES" ] && break
    [ "$elapsed" -lt $((SOAK_SECONDS * 3)) ] ||
        fail "only $created of $CREATES creates in ${elapsed}s"
    alive
    watch_updated
    # spread the creates over the first two thirds of the run
    if [ "$created" -lt "$CREATES" ] &&
        [ "$created" -le $(( elapsed * CREATES * 3 / (SOAK_SECONDS * 2) )) ]; then
        eval "dir=\${$(( created % ndirs + 1 ))}"
        create_one "$dir"
    fi
    operator_step
    iter=$((iter + 1))
done
to_list
keys 0
echo "soak: operator done after $(( $(date +%s) - start ))s: $created creates, $opens opens," \
    "$files files, $filters filters, $sorts sorts, $cancels cancels, $resizes resizes"

step "faults off: the screen converges to the simulator within two refresh intervals"
tmux_cmd resize-window -t main -x 120 -y 40
curl -sS --max-time 10 -X POST "$SIM_URL/_sim/faults/off" >/dev/null || fail "faults/off failed"
t_off=$(now_ms)
limit_ms=$(( 2 * REFRESH * 1000 + 2000 + 1000 ))   # 2 intervals + max latency + polling slack
prev=$(state)
converged=
while :; do
    cur=$(state)
    t_cap=$(now_ms)   # the screen as captured now is what is judged (the check takes a while)
    screen >"$E2E_TMP/final"
    ok=1
    # every batch: its status on screen is its status now or one snapshot ago (a transition
    # that happened after the last refresh is not a miss)
    while read -r id st; do
        row=$(grep -E "^[ >]${id:0:18}" "$E2E_TMP/final" | head -n 1)
        [ -n "$row" ] || { ok=0; break; }
        shown=$(echo "$row" | awk '{print $2}')
        old=$(echo "$prev" | jq -r --arg id "$id" '.batches[] | select(.id == $id) | .status')
        [ "$shown" = "$st" ] || [ "$shown" = "$old" ] || { ok=0; break; }
    done < <(echo "$cur" | jq -r '.batches[] | .id + " " + .status')
    if [ $ok = 1 ]; then
        converged=$(( t_cap - t_off ))
        break
    fi
    [ $(( $(now_ms) - t_off )) -lt 30000 ] || break
    prev=$cur
    sleep 0.25
done
if [ -z "$converged" ]; then
    # say which batches differ, and what batchtop asked about them
    while read -r id st; do
        row=$(grep -E "^[ >]${id:0:18}" "$E2E_TMP/final" | head -n 1)
        shown=$(echo "$row" | awk '{print $2}')
        if [ "$shown" != "$st" ]; then
            echo "differs: $id on screen '${shown:-missing}', simulator '$st'" >&2
            grep -F "$id" "$E2E_TMP/sim.err" | tail -n 5 | sed 's/^/  sim: /' >&2
            grep -F "$id" "$E2E_TMP/batchtop.log" | tail -n 5 | sed 's/^/  batchtop: /' >&2
        fi
    done < <(echo "$cur" | jq -r '.batches[] | .id + " " + .status')
    cp "$E2E_TMP/batchtop.log" "${TOP_BUILDDIR:-/tmp}/soak-batchtop.log" 2>/dev/null &&
        echo "batchtop's log kept in ${TOP_BUILDDIR:-/tmp}/soak-batchtop.log" >&2
    fail "the screen did not converge to /_sim/state within 30 s"
fi
echo "soak: converged ${converged} ms after faults off (limit ${limit_ms} ms)"
[ "$converged" -le "$limit_ms" ] || fail "converged after $converged ms, limit $limit_ms ms"

step "exactly the $CREATES batches batchtop created exist"
state | jq -r '.batches[].id' | sort >"$E2E_TMP/final-ids"
comm -13 "$E2E_TMP/initial-ids" "$E2E_TMP/final-ids" | cut -c1-18 >"$E2E_TMP/new-ids"
sort -u "$E2E_TMP/created-ids" >"$E2E_TMP/reported"
nnew=$(wc -l <"$E2E_TMP/new-ids")
nrep=$(wc -l <"$E2E_TMP/reported")
[ "$nrep" -eq "$CREATES" ] || fail "batchtop reported $nrep distinct creates"
[ "$nnew" -eq "$CREATES" ] ||
    fail "the simulator holds $nnew new batches, not $CREATES (duplicates or losses)"
# (IDs compared on their first 18 characters, as the list shows them: bat- and 14 hex digits)
cmp -s "$E2E_TMP/new-ids" "$E2E_TMP/reported" || fail "the created IDs differ from the new batches"
wait_for "Batches ($((initial + CREATES))/$((initial + CREATES)))" 10

quit_batchtop
screen | grep -qE 'Sanitizer|runtime error' && fail "batchtop printed a sanitizer report"
kill -TERM "$SIM_PID"
src=0
wait "$SIM_PID" || src=$?
SIM_PID=
[ "$src" -eq 0 ] || fail "batchtop-sim exited $src"
grep -qE 'Sanitizer|runtime error' "$E2E_TMP/sim.err" &&
    fail "the simulator printed a sanitizer report"

requests=$(grep -cE '^(GET|POST|HEAD) ' "$E2E_TMP/sim.err")
faults=$(grep -cE '^(GET|POST|HEAD) .* (5[0-9][0-9]|429|000) ' "$E2E_TMP/sim.err")
resets=$(grep -cE '^(GET|POST|HEAD) .* 000 ' "$E2E_TMP/sim.err")
limited=$(grep -cE '^(GET|POST|HEAD) .* 429 ' "$E2E_TMP/sim.err")
retries=$(grep -cE '\(try ([2-9]|[1-9][0-9]+)\)' "$E2E_TMP/batchtop.log")
echo "soak summary: ${SOAK_SECONDS}s; requests $requests; faults met $faults" \
    "(429: $limited, dropped: $resets, 5xx: $((faults - limited - resets))); retries $retries;" \
    "creates $created (outcome unknown $unknowns, not created $notcreated); cancels $cancels;" \
    "key probes $probes, max key latency ${max_latency} ms;" \
    "\"updated\" max stuck ${max_stuck} s;" \
    "converged ${converged} ms after faults off"
