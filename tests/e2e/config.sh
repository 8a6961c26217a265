#!/bin/bash
# config.sh -- the configuration file as an operator uses it: a profile from
# ~/.config/batchtop/config connects to the simulator with a key from api_key_command and is
# named in the header; a production profile confirms create and cancel naming it; a failing
# api_key_command and a broken file stop batchtop before curses with one clear line, and no
# request is sent without a key; --print-config shows where each setting came from.
. "${TOP_SRCDIR:-.}/tests/e2e/lib.sh"
need_tmux

sim_start --seed 7 --speed 0.05 -v
# a second simulator with another world, for the profile switch
"$BATCHTOP_SIM" --listen 127.0.0.1:0 --api-key "$KEY" --seed 99 --batches 5 --speed 0.05 \
    >"$E2E_TMP/sim2.out" 2>"$E2E_TMP/sim2.err" &
SIM2_PID=$!
trap 'kill "$SIM2_PID" 2>/dev/null; wait "$SIM2_PID" 2>/dev/null; e2e_cleanup' EXIT
deadline=$(($(now_ms) + 10000))
until SIM2_URL=$(head -n 1 "$E2E_TMP/sim2.out" 2>/dev/null | sed -n 's/^listening on //p') && [ -n "$SIM2_URL" ]; do
    [ "$(now_ms)" -lt "$deadline" ] || fail "the second simulator did not start"
    sleep 0.05
done
tmux_start 120 40
conf="$E2E_TMP/home/.config/batchtop"
mkdir -p "$conf"
cat >"$conf/config" <<EOF
# written by config.sh
[defaults]
refresh = 2

[profile sim]
base_url = $SIM_URL
api_key_command = cat '$E2E_TMP/keyfile'
production = true

[keys]
messages = M

[colors]
header = white on blue

[notify]
command = echo "\$BATCHTOP_BATCH_ID \$BATCHTOP_STATUS key=\${LLAMA_CLOUD_API_KEY:-none}" >> '$E2E_TMP/notified'

[profile other]
base_url = $SIM2_URL
api_key_command = cat '$E2E_TMP/keyfile'

[profile locked]
base_url = $SIM_URL
api_key_command = !echo 'vault is locked' >&2; exit 5
EOF
chmod 600 "$conf/config"
# like `pass show`: the key on the first line, more after it
printf '%s\nurl: https://example.invalid\n' "$KEY" >"$E2E_TMP/keyfile"

# run_plain ARGS...: batchtop with no key in its environment and no --base-url
run_plain() {
    {
        echo 'echo $$ > "$0.pid"'
        printf 'exec "%s"' "$BATCHTOP"
        for arg in "$@"; do printf ' "%s"' "$arg"; done
        echo
    } >"$E2E_TMP/batchtop"
    type_text "clear; env -u LLAMA_CLOUD_API_KEY -u LLAMA_CLOUD_BASE_URL sh $E2E_TMP/batchtop; echo BATCHTOP-EXIT=\$?"
    keys Enter
}

# on_screen_joined TEXT: like on_screen, with lines the terminal wrapped joined again
on_screen_joined() {
    tmux_cmd capture-pane -p -J -t main | grep -qF -- "$1" || fail "'$1' is not on screen"
}

requests() {
    grep -cE '^(GET|POST) /api/' "$E2E_TMP/sim.err" || true
}

step "a failing api_key_command: one clear line, exit 2, no request"
before=$(requests)
run_plain --profile locked
wait_for 'BATCHTOP-EXIT=2' 10
on_screen_joined 'api_key_command (the shell command) failed with exit status 5: vault is locked'
[ "$(requests)" = "$before" ] || fail "a request was sent without a key"

step "a broken file names file:line and stops before curses"
cp "$conf/config" "$E2E_TMP/config.good"
printf '[defaults]\nrefersh = 3\n' >"$conf/config"
run_plain --profile sim
wait_for 'BATCHTOP-EXIT=2' 10
on_screen_joined "config:2: unknown setting 'refersh' in [defaults]"
cp "$E2E_TMP/config.good" "$conf/config"
chmod 600 "$conf/config"

step "a key bound twice on one screen names file:line"
printf '[keys]\nhelp = F1\nrefresh = r, R\n' >"$conf/config"
run_plain
wait_for 'BATCHTOP-EXIT=2' 10
on_screen_joined "config:3: [keys]: R would mean both 'refresh' and 'resubmit' on one screen"
cp "$E2E_TMP/config.good" "$conf/config"
chmod 600 "$conf/config"

step "--print-config: each setting and its source, never the key"
run_plain --profile sim --refresh 9 --print-config
wait_for 'BATCHTOP-EXIT=0' 10
on_screen '# profile: sim (from --profile)'
screen | grep -E '^refresh +=' | grep -qF 'command line' || fail "refresh is not from the command line"
screen | grep -E '^production +=' | grep -qF '[profile sim]' || fail "production is not from the profile"
not_on_screen "$KEY"

step "the profile connects, with its name and PRODUCTION in the header"
run_plain --profile sim
wait_for 'Batches (' 10
wait_for 'profile sim' 5
on_screen 'PRODUCTION'
not_on_screen "$KEY"
# the header also says every 2s: [defaults] applies under the profile
on_screen 'every 2s'

step "[colors]: the header is white on blue"
# tmux writes a cell's colours as SGR: 37 white foreground, 44 blue background
tmux_cmd capture-pane -p -e -t main | head -n 1 | grep -qE $'\e\\[([0-9;]*;)?(37;44|44;37)m|\e\\[37m\e\\[44m|\e\\[44m\e\\[37m' ||
    fail "the header is not white on blue: $(tmux_cmd capture-pane -p -e -t main | head -n 1 | od -c | head -n 3)"

step "a remapped key works and the help screen shows it"
keys m
keys M
wait_for ' Messages' 5
keys q
wait_for 'Batches (' 5
keys '?'
wait_re '^ +M +messages log' 5
keys q
wait_for 'Batches (' 5

step "cancel names the profile"
keys 3
wait_re 'RUNNING' 10
keys c
wait_for 'in profile sim (PRODUCTION)' 5
keys n
wait_for 'not cancelled' 5

step "create asks first, naming the profile; no is no"
dir=$(regular_dir)
keys 0 n
wait_for 'New batch' 5
type_text "$dir"
keys Tab Tab
type_text 'cfg-PARSE_AGENTIC'
before=$(grep -c '^POST /api/v2/batches' "$E2E_TMP/sim.err" || true)
keys Enter
wait_for 'in profile sim (PRODUCTION)?' 5
keys n
wait_for 'not created' 5
[ "$(grep -c '^POST /api/v2/batches' "$E2E_TMP/sim.err" || true)" = "$before" ] ||
    fail "a batch was created although the operator said no"
keys Enter
wait_for 'in profile sim (PRODUCTION)?' 5
keys y
wait_re 'created batch bat-' 15
keys Escape
wait_for 'Batches (13/13)' 10

step "P switches to another profile without a restart"
keys P
wait_for 'Profiles (Enter switches' 5
wait_re '^ > sim +\(in use\)' 5
keys j   # from sim to other
wait_re '^ > other' 5
keys Enter
wait_for 'profile other' 10
wait_for 'Batches (5/5)' 10
not_on_screen 'PRODUCTION'
api_sim2() { curl -sS --max-time 10 -H "Authorization: Bearer $KEY" "$SIM2_URL$1"; }
first=$(api_sim2 '/api/v2/batches?page_size=1' | jq -r '.items[0].id')
wait_for "${first:0:19}" 5

step "a profile whose key cannot be had changes nothing"
keys P
wait_for 'Profiles (Enter switches' 5
keys j   # from other to locked
wait_re '^ > locked' 5
keys Enter
wait_for 'profile locked not used' 10
on_screen 'vault is locked'
on_screen 'profile other'
keys Escape
wait_for 'Batches (5/5)' 5

step "back to the first profile: its batches at once"
keys P
wait_for 'Profiles (Enter switches' 5
keys g j   # (none), then sim
wait_re '^ > sim' 5
keys Enter
wait_for 'profile sim' 10
wait_for 'Batches (13/13)' 10
on_screen 'PRODUCTION'
keys q
wait_for 'BATCHTOP-EXIT=0' 5

step "the subcommands read the same file: --profile, api_key_command, wait --notify"
cli() { env -u LLAMA_CLOUD_API_KEY -u LLAMA_CLOUD_BASE_URL HOME="$E2E_TMP/home" "$BATCHTOP" "$@"; }
n=$(cli list --profile other --ids) || fail "list --profile other failed"
[ "$(echo "$n" | wc -l)" = 5 ] || fail "list --profile other gave: $n"
cli list --profile locked --ids >/dev/null 2>"$E2E_TMP/err"
[ $? = 2 ] || fail "a failing api_key_command did not give status 2"
grep -qF 'vault is locked' "$E2E_TMP/err" || fail "no reason given: $(cat "$E2E_TMP/err")"
done_id=$(curl -sS -H "Authorization: Bearer $KEY" "$SIM2_URL/api/v2/batches?status=COMPLETED&page_size=1" | jq -r '.items[0].id')
: >"$E2E_TMP/notified"
cli wait --profile other --notify "$done_id" >/dev/null || fail "wait --notify failed"
[ "$(cat "$E2E_TMP/notified")" = "$done_id COMPLETED key=none" ] ||
    fail "the notify command saw: $(cat "$E2E_TMP/notified")"
cli wait --profile other "$done_id" >/dev/null
[ "$(wc -l <"$E2E_TMP/notified")" = 1 ] || fail "wait without --notify ran the command"
echo "PASS"
