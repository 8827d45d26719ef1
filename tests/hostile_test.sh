#!/bin/sh
# hostile_test.sh CASE - a malicious or broken peer changes nothing it
# should not (issue 11), end to end:
#   spec_limits   a spec whose points cost more than the documented caps
#                 (the 100-byte spec that asked each worker for 1.8 TB) is
#                 refused by simulate, submit and run, naming the field;
#   conn_path     a spec's connectivity path may not lead out of the spec's
#                 folder unless --connectivity-anywhere is given;
#   peer_text     a worker's name with a terminal escape and a forged log
#                 line reaches the broker's log escaped, on one line.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
bsw_init hostile
bin="${BSW_BIN_DIR:?}"
case=${1:?case}

# A port nothing listens on: the client must refuse before it connects
# (peer_text starts a broker of its own).
export BRAINSWEEP_BROKER=tcp://127.0.0.1:1

case_spec_limits () {
  printf '{"monitor": {"type": "Raw"}, "simulation_length": 3.6e7}' > "$tmp/huge.json"
  needle="huge.json: simulation_length: the series of one point would be"
  expect_fail 1 "$needle" "simulate" "$bin/brainsweep" simulate "$tmp/huge.json"
  expect_fail 1 "$needle" "submit" "$bin/brainsweep" submit "$tmp/huge.json"
  expect_fail 1 "$needle" "run" "$bin/brainsweep" run "$tmp/huge.json" -o "$tmp/huge.zip"
  [ -e "$tmp/huge.zip" ] && fail "run left a zip"
  # The history: a crawling conduction speed, ranged.
  printf '{"simulation_length": 5, "ranges": [{"parameter": "conduction_speed", "values": [3, 1e-5]}]}' \
    > "$tmp/slow.json"
  expect_fail 1 "slow.json: ranges[0]: one point would need" "slow speed" \
    "$bin/brainsweep" simulate "$tmp/slow.json"
  # Names: bounded and without control characters, from the spec or --name.
  printf '{"name": "a\\u001b[2Jb"}' > "$tmp/name.json"
  expect_fail 1 'name.json: name: "a\x1b[2Jb" holds a control character' "escape in name" \
    "$bin/brainsweep" submit "$tmp/name.json"
  printf '{}' > "$tmp/empty.json"
  expect_fail 1 '--name: "two\nlines" holds a control character' "newline in --name" \
    "$bin/brainsweep" submit "$tmp/empty.json" --name "two
lines"
  long=$(printf '%0300d' 0)
  expect_fail 1 "--name: 300 bytes is longer than the 256" "long --name" \
    "$bin/brainsweep" run "$tmp/empty.json" -o "$tmp/x.zip" --name "$long"
}

case_conn_path () {
  mkdir -p "$tmp/specs/sub" "$tmp/data"
  "$bin/brainsweep" simulate --help | grep -q -- "--connectivity-anywhere" || fail "simulate --help"
  "$bin/brainsweep" submit --help | grep -q -- "--connectivity-anywhere" || fail "submit --help"
  "$bin/brainsweep" run --help | grep -q -- "--connectivity-anywhere" || fail "run --help"
  # A file the spec's author wants: not a zip, so reading it would fail
  # later with another sentence; ours comes first and names the path.
  printf 'secret\n' > "$tmp/data/secret.txt"
  for path in "$tmp/data/secret.txt" "../data/secret.txt" "sub/../../data/secret.txt"; do
    printf '{"connectivity": "%s", "simulation_length": 2}' "$path" > "$tmp/specs/s.json"
    for cmd in simulate submit run; do
      out=""
      [ "$cmd" = run ] && out="-o $tmp/out.zip"
      # shellcheck disable=SC2086
      expect_fail 1 "is outside the spec's folder" "$cmd with $path" \
        "$bin/brainsweep" $cmd "$tmp/specs/s.json" $out
      grep -qF -- "--connectivity-anywhere" "$tmp/err" || fail "$cmd: $(cat "$tmp/err")"
    done
  done
  # With the option the file is read (and is no zip); below the spec's folder, without it.
  printf '{"connectivity": "../data/secret.txt", "simulation_length": 2}' > "$tmp/specs/s.json"
  "$bin/brainsweep" simulate --connectivity-anywhere "$tmp/specs/s.json" 2> "$tmp/err" > /dev/null
  grep -q "is outside" "$tmp/err" && fail "--connectivity-anywhere: $(cat "$tmp/err")"
  grep -q "secret.txt" "$tmp/err" || fail "--connectivity-anywhere did not read: $(cat "$tmp/err")"
  printf '{"connectivity": "sub/secret.txt", "simulation_length": 2}' > "$tmp/specs/s.json"
  cp "$tmp/data/secret.txt" "$tmp/specs/sub/"
  "$bin/brainsweep" simulate "$tmp/specs/s.json" 2> "$tmp/err" > /dev/null
  grep -q "is outside" "$tmp/err" && fail "a path below the spec: $(cat "$tmp/err")"
  grep -q "sub/secret.txt" "$tmp/err" || fail "a path below the spec: $(cat "$tmp/err")"
}

case_peer_text () {
  bsw_start_broker
  esc=$(printf '\033')
  evil="w${esc}[31mred
I: (brainsweep-broker) forged line"
  "$bin/brainsweep-worker" --broker "$endpoint" --name "$evil" --threads 1 > "$tmp/worker.log" 2>&1 &
  bsw_track $!
  bsw_wait 60 "the worker to join" bsw_true '.workers == 1'
  # The join is logged before the broker counts the worker, so it is in the
  # log now; the log is only read, never waited on.
  grep -qF 'worker=w\x1b[31mred\nI: (brainsweep-broker) forged line joined' "$tmp/broker.log" \
    || fail "the worker's name is not escaped in the log"
  grep -q '^I: (brainsweep-broker) forged line' "$tmp/broker.log" && fail "a forged log line"
  grep -q "$esc" "$tmp/broker.log" && fail "an escape sequence in the broker's log"
  # Every answer a client prints is valid JSON where it says JSON.
  printf '{"name": "caf\\u00e9 \\"quoted\\"", "simulation_length": 1}' > "$tmp/s.json"
  id=$("$bin/brainsweep" submit -q "$tmp/s.json") || fail "submit"
  [ "$(bsw_status "$id" .name)" = 'café "quoted"' ] || fail "status --json: $("$bin/brainsweep" status "$id" --json)"
  "$bin/brainsweep" list | grep -qF 'café "quoted"' || fail "list"
}

"case_$case"
echo "PASS: $case"
