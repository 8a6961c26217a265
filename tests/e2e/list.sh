#!/bin/bash
# list.sh -- the Batches screen: seeded batches with counts, status keys, filter, sort, the
# selection following its batch while rows move, resize to 50x10 and back, help, messages,
# and quitting (q and SIGTERM) restoring the terminal.
. "${TOP_SRCDIR:-.}/tests/e2e/lib.sh"
need_tmux

sim_start --seed 11 --speed 1
tmux_start 120 40
run_batchtop

step "seeded batches and the counts line"
wait_for 'Batches (12/12)' 10
wait_re '^ PENDING [0-9]+ +THROTTLED [0-9]+ +RUNNING [0-9]+ +COMPLETED [0-9]+ +FAILED [0-9]+ +CANCELLED [0-9]+' 5
counts=$(screen | grep -E '^ PENDING ' | head -n 1)
total=0
for n in $(echo "$counts" | grep -oE '[0-9]+'); do total=$((total + n)); done
[ "$total" -eq 12 ] || fail "the counts add up to $total, not 12: $counts"
wait_for 'online' 5
on_screen 'updated '
on_screen 'every 5s'
on_screen 'req/min'
# every seeded batch is listed (the table shows the start of each ID)
for id in $(curl -sS "$SIM_URL/_sim/state" | jq -r '.batches[].id'); do
    on_screen "${id:0:18}"
done

step "status keys"
keys 4
wait_for 'status: COMPLETED' 5
rows=$(screen | sed -n '5,40p' | grep -E '^[> ]bat-')
[ -n "$rows" ] || fail "no COMPLETED rows"
echo "$rows" | grep -vq ' COMPLETED ' && fail "a non-COMPLETED row is shown under status 4"
keys a
wait_for 'status: active' 5
screen | sed -n '5,40p' | grep -E '^[> ]bat-' | grep -qE ' (COMPLETED|FAILED|CANCELLED) ' &&
    fail "a finished batch is shown under 'active'"
keys 0
wait_for 'Batches (12/12)  status: all' 5

step "filter"
board=$(dir_id 'Board packs')
[ -n "$board" ] || fail "no 'Board packs' directory in the simulator"
nboard=$(api "/api/v2/batches?source_directory_id=$board&page_size=100" | jq '.items | length')
keys /
type_text 'board pa'
keys Enter
wait_for "Batches ($nboard/12)" 5
on_screen 'filter: board pa'
screen | sed -n '5,40p' | grep -E '^[> ]bat-' | grep -vq 'Board packs' && fail "a row without 'Board packs' passed the filter"
keys Escape
wait_for 'Batches (12/12)  status: all' 5
not_on_screen 'filter:'

step "sort"
keys '>'
wait_for 'UPDATED▼' 5
keys I
wait_for 'UPDATED▲' 5
keys '<'
wait_for 'CREATED▼' 5

step "the selection stays on its batch while rows move"
keys g j j
sel=$(selected_row | cut -c2-19)
before=$(screen | grep -nE '^>' | cut -d: -f1)
dir=$(dir_id 'Research papers')
new=$(create_batch "$dir")
[ -n "$new" ] && [ "$new" != null ] || fail "could not create a batch through the API"
keys r
wait_for "${new:0:18}" 15
wait_for 'Batches (13/13)' 5
after_sel=$(selected_row | cut -c2-19)
after=$(screen | grep -nE '^>' | cut -d: -f1)
[ "$after_sel" = "$sel" ] || fail "selection moved from $sel to $after_sel"
[ "$after" -eq $((before + 1)) ] || fail "the selected row should have moved down one line ($before -> $after)"

step "y copies the selected ID (OSC 52) and says what it copied"
tmux_cmd set-option -g set-clipboard on
tmux_cmd delete-buffer >/dev/null 2>&1 || true
keys y
wait_for "copied ${sel}" 5
full=$(screen | grep -oE "copied bat-[0-9a-f-]+" | head -n 1 | sed 's/copied //')
deadline=$(( $(now_ms) + 5000 ))
until [ "$(tmux_cmd show-buffer 2>/dev/null)" = "$full" ]; do
    [ "$(now_ms)" -lt "$deadline" ] || fail "the terminal's clipboard did not get $full"
    sleep 0.05
done

step "p pauses and resumes live updates"
keys p
wait_for '│ PAUSED' 5
keys p
wait_gone '│ PAUSED' 5

step "resize to 50x10 and back"
tmux_cmd resize-window -t main -x 50 -y 10
wait_for 'terminal too small' 5
tmux_cmd resize-window -t main -x 120 -y 40
wait_for 'Batches (13/13)' 5
[ "$(selected_row | cut -c2-19)" = "$sel" ] || fail "selection lost after the resize"
tmux_cmd resize-window -t main -x 1 -y 1
# nothing fits in 1x1 (the one cell is the lower-right corner): wait for the redraw to blank it
deadline=$(( $(now_ms) + 5000 ))
until [ -z "$(screen | tr -d ' \n')" ]; do
    [ "$(now_ms)" -lt "$deadline" ] || fail "no redraw at 1x1"
    sleep 0.05
done
tmux_cmd resize-window -t main -x 120 -y 40
wait_for 'Batches (13/13)' 5
kill -0 "$(batchtop_pid)" || fail "batchtop died at 1x1"

step "help and messages"
keys '?'
wait_for 'Help' 5
on_screen 'show this help'
on_screen 'only CANCELLED'
keys G
wait_for 'markdown / plain text' 5
keys q
wait_for 'Batches (13/13)' 5
keys m
wait_for 'Messages (' 5
on_screen 'sorted by UPDATED'
keys Escape
wait_for 'Batches (13/13)' 5

step "q quits and restores the terminal"
quit_batchtop
on_screen 'BEFORE-BATCHTOP'
not_on_screen 'Batches ('
[ "$(tmux_cmd display-message -p -t main '#{alternate_on}')" = 0 ] || fail "still in the alternate screen"
[ "$(tmux_cmd display-message -p -t main '#{cursor_flag}')" = 1 ] || fail "the cursor is still hidden"

step "SIGTERM also restores the terminal"
run_batchtop
kill -TERM "$(batchtop_pid)"
wait_re 'BATCHTOP-EXIT=[0-9]+' 5
not_on_screen 'Batches ('
[ "$(tmux_cmd display-message -p -t main '#{alternate_on}')" = 0 ] || fail "still in the alternate screen after SIGTERM"

step "the key never reaches the screen"
not_on_screen "$KEY"
echo "PASS"
