#!/bin/bash
# hostile.sh -- a hostile or broken server and a careless setup: nothing hidden, nothing leaked.
# Plain http to a remote host is said in the header; user:password@ in the base URL is never
# shown or logged; a server's invisible or reordering characters show, and an ID it sends
# with unsafe characters never goes into the new-batch form (drawn raw by the form library).
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

# canned_start: tests/canned-server answering from $E2E_TMP/canned (see tests/canned_server.c).
CANNED_PID=
canned_start() {
    "$TOP_BUILDDIR/tests/canned-server" "$E2E_TMP/canned" >"$E2E_TMP/canned.out" \
        2>"$E2E_TMP/canned.err" &
    CANNED_PID=$!
    local deadline=$(( $(now_ms) + 10000 )) line
    while :; do
        line=$(head -n 1 "$E2E_TMP/canned.out" 2>/dev/null)
        case $line in
        "listening on http://"*) CANNED_URL=${line#listening on }; break ;;
        esac
        kill -0 "$CANNED_PID" 2>/dev/null || fail "canned-server exited"
        [ "$(now_ms)" -lt "$deadline" ] || fail "canned-server did not start within 10 s"
        sleep 0.05
    done
}
canned_stop() {
    [ -n "$CANNED_PID" ] && kill "$CANNED_PID" 2>/dev/null && wait "$CANNED_PID" 2>/dev/null
    CANNED_PID=
}
trap 'canned_stop; e2e_cleanup' EXIT
mkdir -p "$E2E_TMP/canned"
C=$E2E_TMP/canned
empty='{"items":[],"next_page_token":null}'
echo "$empty" >"$C/GET_api_v2_batches.json"
echo "$empty" >"$C/GET_api_v1_beta_configurations.json"
# U+200B inside a name, U+202E reversing its end, a tag character; an ID holding an escape
# sequence; an ID holding a zero-width space.
cat >"$C/GET_api_v1_beta_directories.json" <<'JSON'
{"items":[
 {"id":"dir-good-1","name":"Pay\u200brolls \u202egnp.exe","type":"user"},
 {"id":"dir-\u001b[2Jevil","name":"Escape id","type":"user"},
 {"id":"dir-zw\u200bsp","name":"Zero width id","type":"user"},
 {"id":"dir-tag-2","name":"Tag\udb40\udc41ged","type":"user"},
 {"id":"dir-nul-3","name":"Nul\u0000tail","type":"user"}
],"next_page_token":null}
JSON
canned_start

step "invisible and reordering characters show; unsafe IDs never go into the form"
SIM_URL=$CANNED_URL run_batchtop
wait_for 'Batches (0/0)' 10
keys n
wait_for 'New batch' 5
keys F2
wait_for 'Pick a source directory' 5
wait_for 'Pay?rolls ?gnp.exe' 10
on_screen 'Tag?ged'
on_screen 'Nul\0tail'   # a NUL inside a JSON string no longer cuts the name short
on_screen 'Escape id'
not_on_screen 'Payrolls'
type_text 'Escape'
keys Enter
wait_for 'not used: the picked ID holds unsafe characters: dir-\x1b[2Jevil' 5
not_on_screen 'Pick a source directory'
screen | grep -E '^ Source  ' | grep -q 'dir-' && fail "the unsafe ID went into the field"
keys F2
wait_for 'Pick a source directory' 5
type_text 'Zero'
keys Enter
wait_for 'not used: the picked ID holds unsafe characters: dir-zw?sp' 5
keys F2
wait_for 'Pick a source directory' 5
type_text 'rolls'
keys Enter
wait_for 'Source                dir-good-1' 5
not_on_screen 'not used:'
keys Escape
wait_for 'Batches (0/0)' 5
quit_batchtop

step "a server echoing the key across the 500-byte cut: no part of it on screen or in the log"
KEY=llx-hostile-0123456789abcdefghij
echo 400 >"$C/POST_api_v2_batches.status"
printf '{"detail":"%s%s and once more %s"}' "$(printf 'x%.0s' $(seq 1 485))" "$KEY" "$KEY" \
    >"$C/POST_api_v2_batches.json"
SIM_URL=$CANNED_URL run_batchtop --log "$E2E_TMP/key.log"
wait_for 'Batches (0/0)' 10
keys n
wait_for 'New batch' 5
type_text 'dir-good-1'
keys Tab Tab
type_text 'cfg-PARSE_AGENTIC'
keys Enter
wait_for 'not created (HTTP 400): xxxx' 10
keys Escape m
wait_for 'Messages (' 5
wait_for '***' 5
not_on_screen 'llx-h'
keys q
quit_batchtop
grep -q 'not created (HTTP 400)' "$E2E_TMP/key.log" || fail "the error is not in the log"
grep -q 'llx-h' "$E2E_TMP/key.log" && fail "part of the key is in the log"
echo PASS
