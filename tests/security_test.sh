#!/bin/sh
# security_test.sh CASE - CurveZMQ between real processes over loopback.
#   curve      keys made with keygen (never overwritten, secret 0600); a
#              broker that refuses to serve a non-loopback address without
#              keys; a sweep across two workers with keys; clients without
#              a key, with an unknown key or with a worker's key refused at
#              once with a clear sentence; a worker with a client's key gets
#              no work; a client sees and acts on its own sweeps only (an
#              admin on every one); a worker key removed and SIGHUP ends its
#              session; a client key added is let in without a restart
#   plaintext  a relay records every byte between the peers and a broker:
#              with keys, neither a spec's text nor a result's metric names
#              cross the wire in the clear (and without keys they do, which
#              shows the check can fail)
# States are asked of the broker (tests/lib.sh) as the admin client, whose
# keys are in the environment; every wait is a bounded poll.
set -u
case_name=${1:?case}
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
tools=${BSW_TOOLS_DIR:?}
: "${bin:?BSW_BIN_DIR}"
bsw_init security
need jq
HB=250
cd "$tmp" || fail "cd"

mkdir keys allow-workers allow-clients allow-admins
for k in broker w1 w2 c1 c2 admin stranger; do
  "$bin/brainsweep" keygen "keys/$k" > /dev/null || fail "keygen $k"
done
cp keys/w1 keys/w2 allow-workers/
cp keys/c1 keys/c2 allow-clients/
cp keys/admin allow-admins/
export BRAINSWEEP_BROKER_KEY="$tmp/keys/broker" BRAINSWEEP_KEY="$tmp/keys/admin_secret"
SECURE="--key keys/broker_secret --allow-workers allow-workers --allow-clients allow-clients --allow-admins allow-admins"

# as KEY CMD...: runs brainsweep as client KEY (keys/KEY_secret).
as () {
  k=$1
  shift
  BRAINSWEEP_KEY="$tmp/keys/${k}_secret" "$bin/brainsweep" "$@"
}

# start_worker NAME KEY [ENDPOINT]: a worker with keys/KEY_secret.
start_worker () {
  "$bin/brainsweep-worker" --broker "${3:-$endpoint}" --threads 1 --heartbeat-ms $HB \
    --name "$1" --key "keys/$2_secret" >> "$tmp/worker-$1.log" 2>&1 &
  bsw_track $!
  last_worker=$!
}

# a sweep of 24 short points.
cat > spec.json <<'JSON'
{"name": "PLAINTEXT-CANARY-5e1f", "simulation_length": 200.0,
 "ranges": [{"parameter": "model.a", "lo": 0.0, "hi": 2.4, "step": 0.1}]}
JSON
POINTS=24

case $case_name in
curve)
  # keygen: modes, and never over an existing key.
  [ "$(stat -c %a keys/w1_secret)" = 600 ] || fail "secret key mode $(stat -c %a keys/w1_secret)"
  [ "$(stat -c %a keys/w1)" = 644 ] || fail "public key mode $(stat -c %a keys/w1)"
  cp keys/w1_secret w1.before
  expect_fail 1 "refusing to overwrite" "keygen over a key" "$bin/brainsweep" keygen keys/w1
  cmp -s keys/w1_secret w1.before || fail "keygen changed an existing secret key"
  # Secure by default: no key, no address other than loopback.
  expect_fail 1 "refusing to bind tcp://0.0.0.0:$(bsw_port 1) without CurveZMQ" "bind without a key" \
    "$bin/brainsweep-broker" --bind "tcp://0.0.0.0:$(bsw_port 1)" --data "$tmp/data0"
  expect_fail 2 "need --key" "allow folders without a key" \
    "$bin/brainsweep-broker" --data "$tmp/data0" --allow-workers allow-workers
  # shellcheck disable=SC2086
  bsw_start_broker $SECURE --heartbeat-ms $HB
  # Refused clients: told why at once (timeout would say 124).
  expect_fail 1 "CurveZMQ keys" "a client without keys" \
    env -u BRAINSWEEP_KEY -u BRAINSWEEP_BROKER_KEY timeout 10 "$bin/brainsweep" list
  expect_fail 1 "refused this key" "a client with an unknown key" \
    env BRAINSWEEP_KEY="$tmp/keys/stranger_secret" timeout 10 "$bin/brainsweep" list
  expect_fail 1 "not a client's key" "a client with a worker's key" \
    env BRAINSWEEP_KEY="$tmp/keys/w1_secret" timeout 10 "$bin/brainsweep" list
  # c1 submits; a worker with a client's key gets no work.
  id=$(as c1 submit spec.json -q) || fail "submit as c1"
  start_worker wc c1
  bsw_wait 60 "the client-key worker to be refused" bsw_true '(.errors.DENIED // 0) >= 1'
  [ "$(bsw_stats .workers)" = 0 ] || fail "a worker with a client's key joined: $(bsw_stats .)"
  [ "$(bsw_status "$id" .running)" = 0 ] || fail "points went to a client's key"
  kill "$last_worker"
  # Two workers with worker keys run the sweep.
  start_worker w1 w1
  start_worker w2 w2
  w2_pid=$last_worker
  timeout 120 "$bin/brainsweep" watch "$id" > /dev/null 2>&1 || fail "the sweep did not finish"
  [ "$(bsw_status "$id" .done)" = $POINTS ] || fail "done: $(bsw_status "$id" .)"
  [ "$(bsw_stats .workers)" = 2 ] || fail "workers: $(bsw_stats .)"
  # Owners: c2 can neither see nor touch c1's sweep; the admin can.
  expect_fail 1 "belongs to another client" "status of another's sweep" as c2 status "$id"
  expect_fail 1 "belongs to another client" "cancel of another's sweep" as c2 cancel "$id"
  expect_fail 1 "belongs to another client" "fetch of another's sweep" as c2 fetch "$id" -o c2.zip
  [ ! -e c2.zip ] || fail "a refused fetch left a file"
  as c2 list > c2.list || fail "list as c2"
  grep -q "CANARY" c2.list && fail "c2 lists c1's sweep: $(cat c2.list)"
  as c1 list | grep -q "CANARY" || fail "c1 does not list its own sweep"
  "$bin/brainsweep" list | grep -q "CANARY" || fail "the admin does not list the sweep"
  as c1 fetch "$id" -o c1.zip > /dev/null 2>&1 || fail "fetch as the owner"
  unzip -l c1.zip > /dev/null || fail "the owner's zip"
  # Revocation: w2's key removed, SIGHUP: its open session ends.
  rm allow-workers/w2
  kill -HUP "$broker_pid"
  bsw_wait 60 "the revoked worker's session to end" bsw_true '.workers == 1'
  kill -0 "$w2_pid" 2>/dev/null || fail "the revoked worker exited (it should wait and retry)"
  kill -0 "$broker_pid" || fail "the broker died on SIGHUP"
  # A key added is let in without a restart (the folders are watched).
  "$bin/brainsweep" keygen keys/c3 > /dev/null || fail "keygen c3"
  expect_fail 1 "refused this key" "c3 before it is allowed" \
    env BRAINSWEEP_KEY="$tmp/keys/c3_secret" timeout 10 "$bin/brainsweep" list
  cp keys/c3 allow-clients/
  bsw_wait 60 "the added key to be let in" as c3 list
  ;;
plaintext)
  # tap PORT TARGET DUMP: a recording relay, ready when it says so.
  tap () {
    "$tools/tcp_tap" "$1" "$2" "$3" > "$3.ready" 2>&1 &
    bsw_track $!
    bsw_wait 30 "the relay on $1" grep -q ready "$3.ready"
  }
  # run_through ENDPOINT: a worker and a client reach the broker only
  # through ENDPOINT; a sweep runs and is fetched.
  run_through () {
    start_worker "w-$2" w1 "$1"
    id=$(as c1 submit spec.json -q --broker "$1") || fail "submit through $1"
    timeout 120 "$bin/brainsweep" watch "$id" --broker "$1" > /dev/null 2>&1 \
      || fail "the sweep through $1 did not finish"
    as c1 fetch "$id" -o "$2.zip" --broker "$1" > /dev/null 2>&1 || fail "fetch through $1"
    unzip -p "$2.zip" metrics.csv | grep -q GlobalVariance || fail "the zip through $1"
    kill "$last_worker"
  }
  # clear DUMP: whether the spec's or a result's text shows in DUMP.
  clear () {
    grep -aq -e "PLAINTEXT-CANARY" -e "simulation_length" -e "GlobalVariance" "$1"
  }
  # shellcheck disable=SC2086
  bsw_start_broker $SECURE
  tap "$(bsw_port 1)" "$(bsw_port 0)" curve.dump
  run_through "tcp://127.0.0.1:$(bsw_port 1)" curve
  [ "$(stat -c %s curve.dump)" -gt 100000 ] || fail "the relay saw only $(stat -c %s curve.dump) bytes"
  clear curve.dump && fail "plaintext of a spec or a result crossed the wire with CurveZMQ on"
  # The same without keys, on a broker of its own: the check sees it.
  unset BRAINSWEEP_KEY BRAINSWEEP_BROKER_KEY
  "$bin/brainsweep-broker" --bind "tcp://127.0.0.1:$(bsw_port 2)" --data "$tmp/data-open" \
    >> "$tmp/broker-open.log" 2>&1 &
  bsw_track $!
  bsw_wait 60 "the broker without keys to answer" \
    "$bin/brainsweep" list --broker "tcp://127.0.0.1:$(bsw_port 2)"
  tap "$(bsw_port 3)" "$(bsw_port 2)" open.dump
  as () { shift; "$bin/brainsweep" "$@"; }
  start_worker () {
    "$bin/brainsweep-worker" --broker "$3" --threads 1 --heartbeat-ms $HB --name "$1" \
      >> "$tmp/worker-$1.log" 2>&1 &
    bsw_track $!
    last_worker=$!
  }
  run_through "tcp://127.0.0.1:$(bsw_port 3)" open
  clear open.dump || fail "the check cannot see plaintext: nothing found without CurveZMQ"
  ;;
*)
  echo "unknown case $case_name"; exit 2
  ;;
esac
echo "1 passed, 0 failed"
