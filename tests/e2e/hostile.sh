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
echo PASS
