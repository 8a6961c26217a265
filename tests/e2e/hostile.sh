#!/bin/bash
# hostile.sh -- a hostile or broken server and a careless setup: nothing hidden, nothing leaked.
# Plain http to a remote host is said in the header; user:password@ in the base URL is never
# shown or logged.
. "${TOP_SRCDIR:-.}/tests/e2e/lib.sh"
need_tmux

sim_start --seed 5 --speed 20
tmux_start 120 40
SIM_HOSTPORT=${SIM_URL#http://}

step "plain http to a literal loopback address: no warning"
run_batchtop
wait_for 'Batches (12/12)' 10
not_on_screen 'PLAIN HTTP'
quit_batchtop

step "plain http to anything else: the header says so for the whole session"
# 192.0.2.1 is TEST-NET-1: never answers, needs no DNS; the header is what matters here.
SIM_URL=http://192.0.2.1:9 run_batchtop
head -n 1 <(screen) | grep -qF 'PLAIN HTTP: key sent unencrypted' ||
    fail "no plain-http warning in the header"
keys m
wait_for 'the API key and every answer travel unencrypted' 5
keys q
head -n 1 <(screen) | grep -qF 'PLAIN HTTP' || fail "the warning left the header"
quit_batchtop

step "user:password@ in the base URL: never on screen, never in the log"
SIM_URL="http://alice:hunter2pw@$SIM_HOSTPORT" run_batchtop --log "$E2E_TMP/creds.log"
wait_for "http://$SIM_HOSTPORT" 5
not_on_screen 'hunter2pw'
not_on_screen 'alice'
keys m
wait_for "connecting to http://$SIM_HOSTPORT" 5
not_on_screen 'hunter2pw'
keys q
quit_batchtop
grep -q 'GET http://\*\*\*@' "$E2E_TMP/creds.log" || fail "the log has no (redacted) request URL"
grep -qE 'hunter2pw|alice' "$E2E_TMP/creds.log" && fail "the base URL's credentials are in the log"
[ "$(stat -c %a "$E2E_TMP/creds.log")" = 600 ] || fail "the log was not created 0600"

step "--log refuses a symbolic link before curses starts"
echo precious >"$E2E_TMP/target"
ln -s "$E2E_TMP/target" "$E2E_TMP/link.log"
printf 'LLAMA_CLOUD_API_KEY=%s exec "%s" --base-url "%s" --log "%s"\n' "$KEY" "$BATCHTOP" \
    "$SIM_URL" "$E2E_TMP/link.log" >"$E2E_TMP/linklog"
type_text "clear; sh $E2E_TMP/linklog; echo LINK-EXIT=\$?"
keys Enter
wait_for 'LINK-EXIT=2' 5
on_screen "it is a symbolic link (to "
[ "$(cat "$E2E_TMP/target")" = precious ] || fail "the link's target was written"
echo PASS
