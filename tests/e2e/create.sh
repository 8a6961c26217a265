#!/bin/bash
# create.sh -- the New batch form: typed values, F2 pickers, validation and a 422 that keep
# every value, and a created batch selected in the list and watched to COMPLETED.
. "${TOP_SRCDIR:-.}/tests/e2e/lib.sh"
need_tmux

# Every create answers 500 although it succeeded, until SIGUSR1 turns the faults off.
sim_start --seed 5 --speed 20 --ambiguous-create-rate 1 -v
tmux_start 120 40
run_batchtop
wait_for 'Batches (12/12)' 10

research=$(dir_id 'Research papers')
[ -n "$research" ] || fail "no 'Research papers' directory"

step "an empty form is refused on both fields"
keys n
wait_for 'New batch' 5
keys Enter
wait_for 'fix the marked fields' 5
[ "$(screen | grep -c 'required')" -eq 2 ] || fail "expected 'required' on two fields"

step "a create that succeeds but answers 500 is found, not sent twice"
type_text "$research"
keys Tab Tab
type_text 'cfg-PARSE_AGENTIC'
keys Enter
wait_re 'created batch bat-[0-9a-f-]+' 20
amb=$(screen | grep -oE 'created batch bat-[0-9a-f-]+' | head -n 1 | sed 's/created batch //')
wait_for 'Batches (13/13)' 10
[ "$(api "/api/v2/batches?page_size=100" | jq '.items | length')" = 13 ] ||
    fail "the ambiguous create made more than one batch"
grep -qE '^POST /api/v2/batches 5[0-9][0-9] ' "$E2E_TMP/sim.err" || fail "the create did not answer 5xx"
[ "$(grep -cE '^POST /api/v2/batches ' "$E2E_TMP/sim.err")" = 1 ] || fail "the create was sent twice"
[ "$(selected_row | cut -c2-19)" = "${amb:0:18}" ] || fail "the found batch is not selected"
kill -USR1 "$SIM_PID"

step "a 422 from a wrong-type configuration keeps the typed values"
keys n
wait_for 'New batch' 5
type_text "$research"
keys Tab Space Tab
type_text 'cfg-PARSE_AGENTIC'
wait_for 'extract_v2' 5
keys Enter
wait_for 'not created (HTTP 422)' 10
# the message sits under the configuration field, and every value is still there
screen | grep -A1 'Configuration ID' | grep -q 'configuration' || fail "the 422 is not shown under the configuration field"
on_screen "Source                $research"
on_screen 'Job type              extract_v2'
on_screen 'Configuration ID      cfg-PARSE_AGENTIC'
# and they survive a resize (the form is rebuilt for the new width)
tmux_cmd resize-window -t main -x 70 -y 24
wait_gone "$SIM_URL" 5           # the narrow header leaves the endpoint out
on_screen "Source                ${research:0:20}"
on_screen 'Configuration ID      cfg-PARSE_AGENTIC'
tmux_cmd resize-window -t main -x 120 -y 40
wait_for "$SIM_URL" 5
on_screen "Source                $research"

step "a value with a space is refused before sending"
keys Home
type_text 'x '
keys Enter
wait_for 'no spaces allowed' 5
keys C-u
type_text 'cfg-PARSE_AGENTIC'

step "typed values: switch back to parse_v2 and create"
keys BTab Space
wait_for 'Job type              parse_v2' 5
keys Enter Enter      # the second Enter arrives while the first is being sent: ignored
wait_re 'created batch bat-[0-9a-f-]+' 10
[ "$(grep -cE '^POST /api/v2/batches 201 ' "$E2E_TMP/sim.err")" = 1 ] ||
    fail "a second Enter while sending made another create"
not_on_screen 'Batch bat-'
id=$(screen | grep -oE 'created batch bat-[0-9a-f-]+' | head -n 1 | sed 's/created batch //')
wait_for 'Batches (14/14)' 10
[ "$(selected_row | cut -c2-19)" = "${id:0:18}" ] || fail "the new batch $id is not selected"
step "watch it reach COMPLETED"
deadline=$(( $(now_ms) + 30000 ))
until selected_row | grep -q ' COMPLETED '; do
    [ "$(now_ms)" -lt "$deadline" ] || fail "$id did not show COMPLETED within 30 s"
    sleep 0.05
done
[ "$(sim_status "$id")" = COMPLETED ] || fail "the simulator says $id is $(sim_status "$id")"
[ "$(api "/api/v2/batches?source_directory_id=$research&page_size=100" | jq "[.items[] | select(.id == \"$id\")] | length")" = 1 ] ||
    fail "the batch is not exactly once in the API"

step "through the F2 pickers"
keys n
wait_for 'New batch' 5
keys F2
wait_for 'Pick a source directory' 5
wait_for 'Board packs' 10
type_text 'board'
wait_gone 'Research papers' 5
keys Enter
wait_gone 'Pick a source directory' 5
board=$(dir_id 'Board packs')
on_screen "Source                $board"
keys Tab Tab F2
wait_for 'Pick a configuration (parse_v2)' 5
wait_for 'cfg-PARSE_AGENTIC' 5
keys Down
# a configuration's version is a datetime: shown as a time beside its tier, not as sent
wait_re '│>.*(fast|cost_effective|agentic|agentic_plus) · ([0-9]{2}:[0-9]{2}:[0-9]{2}|[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2})' 5
# the second row is a saved parse configuration: remember its ID
cfg=$(screen | grep -E '^ *│>' | grep -oE 'cfg-[0-9a-f-]{36}' | head -n 1)
[ -n "$cfg" ] || fail "no saved parse_v2 configuration in the picker"
keys Enter
wait_for "Configuration ID      $cfg" 5
keys Enter
wait_re 'created batch bat-[0-9a-f-]+' 10
id2=$(screen | grep -oE 'created batch bat-[0-9a-f-]+' | head -n 1 | sed 's/created batch //')
[ "$id2" != "$id" ] || fail "the same batch twice"
[ "$(api "/api/v2/batches/$id2" | jq -r '.source_directory_id + " " + .config.job.configuration_id')" = "$board $cfg" ] ||
    fail "the batch was created with other values than picked"
wait_for 'Batches (15/15)' 10

step "Esc leaves the form without creating anything"
keys n
wait_for 'New batch' 5
keys Escape
wait_for 'Batches (15/15)' 5
quit_batchtop
echo PASS
