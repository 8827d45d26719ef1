#!/bin/sh
# deploy_test.sh CASE - checks of deploy/ that run without Docker or Slurm.
# Cases:
#   compose     docker-compose validates deploy/docker-compose.yml, whose
#               config has the one-shot keygen, the broker (named volume,
#               healthcheck with a key of its own, port 5555, its key and
#               allow folders) and a scalable worker, each service mounting
#               exactly its key volumes, read-only; a copy with a bad key
#               fails
#   dockerfile  deploy/Dockerfile's shape (two Debian 12 stages, non-root
#               user, /data, port 5555), every runtime package known to apt,
#               and every shared library the binaries need installed by it
#   systemd     the units pass systemd-analyze verify (ExecStart pointed at
#               the build), run as the brainsweep user, restart on failure,
#               stop by SIGTERM with time for the worker's grace period,
#               and keep their hardening; each loads exactly its own keys by
#               LoadCredential=; the tmpfiles file makes the key folders and
#               puts secrets back to 0600; the sysusers file parses
#   (shellcheck) every shell script in the repository passes shellcheck
#   slurm       deploy/slurm/brainsweep-workers.sbatch under a fake srun
#               against a real loopback broker: two workers join and run a
#               sweep; SIGTERM to the batch script (as Slurm sends it) stops
#               them cleanly, handing back unfinished points, and a second
#               job finishes the sweep; key paths it cannot read stop it
#               with exit 2 before srun
#   keys        the compose key script with the real keygen, and a broker
#               with --key and the compose file's allow folders: its
#               healthcheck key, the user's, Slurm jobs with keys, a revoked
#               worker key's session ending (issue 11's binaries)
# A missing tool (docker-compose, yq, shellcheck, perl) skips with exit 77.
# States are asked of the broker (tests/lib.sh): every wait is a bounded
# poll; everything started is killed on exit.
set -u
case_name=${1:?case}
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
src=${BSW_SOURCE_DIR:?}
# Keys come only from what each case sets, never from the caller.
unset BRAINSWEEP_KEY BRAINSWEEP_BROKER_KEY
# Environment assignments (words) for the sbatch script in start_job and
# run_script.
key_env=""
bsw_init deploy
trap 'exit 1' INT TERM HUP PIPE
# The fake srun's tasks are not children of this shell.
# shellcheck disable=SC2016 # expanded at clean-up
bsw_on_exit='[ -f "$tmp/tasks.pids" ] && while read -r p; do kill -KILL "$p" 2>/dev/null; done < "$tmp/tasks.pids"'

# The lines of one top-level service in `docker-compose config` output.
service_block () {
  awk -v s="  $1:" '$0 == s {on = 1; next} on && /^  [^ ]/ {on = 0} on && /^[^ ]/ {on = 0} on' "$2"
}

# mounts SERVICE: its volumes in config.json, one "volume:target:mode" a line, sorted.
mounts () {
  jq -r --arg s "$1" '.services[$s].volumes // [] | .[]' "$tmp/config.json" | sort
}

# words SERVICE: every word of its command, healthcheck and environment
# values, one a line (where it names files).
words () {
  jq -r --arg s "$1" '.services[$s]
    | [(.command // [] | if type == "string" then split(" ") else . end),
       (.healthcheck.test // []),
       (.environment // {} | to_entries | map(.value))]
    | flatten | .[] | select(. != "")' "$tmp/config.json"
}

# expect_lines WHAT FILE LINE...: FILE holds exactly these lines.
expect_lines () {
  what=$1 file=$2
  shift 2
  printf '%s\n' "$@" | sort > "$tmp/want"
  sort "$file" | diff "$tmp/want" - > "$tmp/diff" || fail "$what: got (>) and wanted (<): $(cat "$tmp/diff")"
}

case_compose () {
  need docker-compose
  need yq
  compose=$src/deploy/docker-compose.yml
  (cd "$src" && docker-compose -f "$compose" config -q) || fail "config -q rejects $compose"
  (cd "$src" && docker-compose -f "$compose" config) > "$tmp/config.yml" 2>&1 || fail "config"
  yq . "$tmp/config.yml" > "$tmp/config.json" || fail "yq cannot read the config"
  for s in keygen broker worker; do
    [ "$(jq --arg s $s '.services[$s] != null' "$tmp/config.json")" = true ] || fail "no $s service"
  done
  jq -r '.services | keys[]' "$tmp/config.json" > "$tmp/services"
  expect_lines "services" "$tmp/services" keygen broker worker
  jq -r '.volumes | keys[]' "$tmp/config.json" > "$tmp/volumes"
  expect_lines "top-level volumes" "$tmp/volumes" brainsweep-data brainsweep-keys-broker \
    brainsweep-keys-allow brainsweep-keys-health brainsweep-keys-worker brainsweep-keys-user
  # Each service mounts only what it needs, key material read-only: the
  # keygen every key volume (it writes them) and nothing else; the broker
  # its data, its own key pair, the allow folders and the healthcheck's
  # key; a worker its key and the broker's public cert, nothing else.
  mounts keygen > "$tmp/m"
  expect_lines "keygen volumes" "$tmp/m" brainsweep-keys-broker:/keys/broker:rw \
    brainsweep-keys-allow:/keys/allow:rw brainsweep-keys-health:/keys/health:rw \
    brainsweep-keys-worker:/keys/worker:rw brainsweep-keys-user:/keys/user:rw
  mounts broker > "$tmp/m"
  expect_lines "broker volumes" "$tmp/m" brainsweep-data:/data:rw \
    brainsweep-keys-broker:/keys/broker:ro brainsweep-keys-allow:/keys/allow:ro \
    brainsweep-keys-health:/keys/health:ro
  mounts worker > "$tmp/m"
  expect_lines "worker volumes" "$tmp/m" brainsweep-keys-worker:/keys/worker:ro
  # The user's key is for copying out: no long-running service mounts it.
  [ "$(jq -r '.services.keygen.command | join(" ")' "$tmp/config.json")" = brainsweep-compose-keys ] \
    || fail "keygen does not run brainsweep-compose-keys"
  [ "$(jq -r '.services.keygen.restart' "$tmp/config.json")" = no ] || fail "keygen restarts: it is one-shot"
  [ "$(jq '.services.keygen.ports // [] | length' "$tmp/config.json")" = 0 ] || fail "keygen publishes a port"
  [ "$(jq -r '.services.broker.depends_on.keygen.condition' "$tmp/config.json")" = service_completed_successfully ] \
    || fail "the broker does not wait for the keygen to finish"
  # The broker: data on the named volume, port 5555, its key and the allow
  # folders, never --insecure.
  grep -q '^  brainsweep-data:' "$tmp/config.yml" || fail "no top-level volume brainsweep-data"
  [ "$(jq '.services.broker.ports[] | select(.published == 5555 and .target == 5555) | 1' "$tmp/config.json")" = 1 ] \
    || fail "broker does not publish port 5555 as 5555"
  words broker | tr '\n' ' ' > "$tmp/broker.words"
  for opt in "--bind tcp://\*:5555" "--data /data" "--key /keys/broker/broker.cert_secret" \
    "--allow-workers /keys/allow/workers" "--allow-clients /keys/allow/clients" \
    "--allow-admins /keys/allow/admins"; do
    jq -r '.services.broker.command | join(" ")' "$tmp/config.json" | grep -q -- "$opt" \
      || fail "broker command lacks $opt"
  done
  grep -q -- '--insecure' "$tmp/broker.words" && fail "the broker runs with --insecure"
  # The healthcheck: `brainsweep list` on 127.0.0.1:5555 with a client key
  # of its own (not the user's, not a worker's).
  [ "$(jq -r '.services.broker.healthcheck.test | join(" ")' "$tmp/config.json")" = \
    "CMD brainsweep list --broker tcp://127.0.0.1:5555 --broker-key /keys/health/broker.cert --key /keys/health/health.cert_secret" ] \
    || fail "healthcheck: $(jq -c .services.broker.healthcheck.test "$tmp/config.json")"
  # Workers: the broker's public cert and the worker key, through the
  # environment the worker reads.
  [ "$(jq -r '.services.worker.environment.BRAINSWEEP_BROKER_KEY' "$tmp/config.json")" = /keys/worker/broker.cert ] \
    || fail "worker's BRAINSWEEP_BROKER_KEY is not /keys/worker/broker.cert"
  [ "$(jq -r '.services.worker.environment.BRAINSWEEP_KEY' "$tmp/config.json")" = /keys/worker/worker.cert_secret ] \
    || fail "worker's BRAINSWEEP_KEY is not /keys/worker/worker.cert_secret"
  # Every key file a service names lies in a volume mounted in that service,
  # and the only secrets it names are its own.
  for s in broker worker; do
    words "$s" | grep '^/keys/' > "$tmp/paths" || fail "$s names no key file"
    while read -r path; do
      vol=$(echo "$path" | cut -d/ -f1-3)
      mounts "$s" | grep -q ":$vol:ro\$" || fail "$s uses $path, but no read-only volume at $vol"
    done < "$tmp/paths"
    grep '_secret$' "$tmp/paths" | sort > "$tmp/secrets"
    case $s in
    broker) expect_lines "broker's secrets" "$tmp/secrets" /keys/broker/broker.cert_secret /keys/health/health.cert_secret ;;
    worker) expect_lines "worker's secrets" "$tmp/secrets" /keys/worker/worker.cert_secret ;;
    esac
  done
  [ "$(jq -r '.services.worker.depends_on.broker.condition' "$tmp/config.json")" = service_healthy ] \
    || fail "worker does not wait for a healthy broker"
  jq -r '.services.worker.command' "$tmp/config.json" | grep -q "^brainsweep-worker --broker tcp://broker:5555" \
    || fail "worker command: $(jq -r .services.worker.command "$tmp/config.json")"
  # Scaling needs no fixed name and no host port on the worker.
  [ "$(jq '.services.worker | has("container_name")' "$tmp/config.json")" = false ] \
    || fail "worker has a container_name: it cannot scale"
  [ "$(jq '.services.worker | has("ports")' "$tmp/config.json")" = false ] || fail "worker publishes a port: it cannot scale"
  [ "$(jq '.services.worker | has("stop_grace_period")' "$tmp/config.json")" = true ] || fail "worker has no stop_grace_period"
  # Workers elsewhere point the same service at a remote broker.
  (cd "$src" && BRAINSWEEP_BROKER=tcp://head:5555 BRAINSWEEP_WORKER_ARGS="--threads 3" \
    docker-compose -f "$compose" config) > "$tmp/remote.yml" 2>&1 || fail "config with BRAINSWEEP_BROKER"
  grep -q "command: .*brainsweep-worker --broker tcp://head:5555 --threads 3" "$tmp/remote.yml" \
    || fail "BRAINSWEEP_BROKER/BRAINSWEEP_WORKER_ARGS not used: $(grep command "$tmp/remote.yml")"
  # The header tells the user how to get a key out and add a remote worker,
  # with commands of the key script that exist.
  for needle in "tar -C /keys/user" "run --rm -T --no-deps keygen" "brainsweep-compose-keys allow workers" \
    "brainsweep-compose-keys worker" "brainsweep-compose-keys revoke"; do
    grep -q -- "$needle" "$compose" || fail "the compose file's header does not show '$needle'"
  done
  # The validation can fail: a bad key and a bad value are rejected.
  mkdir -p "$tmp/deploy"
  sed 's/^    stop_grace_period: 30s/    stop_grace_periodd: 30s/' "$compose" > "$tmp/deploy/docker-compose.yml"
  cmp -s "$compose" "$tmp/deploy/docker-compose.yml" && fail "could not make a broken copy"
  (cd "$tmp" && docker-compose -f deploy/docker-compose.yml config -q) > "$tmp/bad.out" 2>&1 \
    && fail "a copy with a bad key validated"
  grep -q 'stop_grace_periodd' "$tmp/bad.out" || fail "bad key not named: $(cat "$tmp/bad.out")"
  sed 's/^        condition: service_healthy/        condition: service_sleepy/' "$compose" > "$tmp/deploy/docker-compose.yml"
  (cd "$tmp" && docker-compose -f deploy/docker-compose.yml config -q) > "$tmp/bad.out" 2>&1 \
    && fail "a copy with a bad depends_on condition validated"
  # And the mount checks can fail: a worker given the broker's key volume.
  sed 's|^      - brainsweep-keys-worker:/keys/worker:ro|&\n      - brainsweep-keys-broker:/keys/broker:ro|' \
    "$compose" > "$tmp/deploy/docker-compose.yml"
  (cd "$tmp" && docker-compose -f deploy/docker-compose.yml config) 2> /dev/null | yq . > "$tmp/config.json"
  mounts worker | grep -q brainsweep-keys-broker || fail "could not give the copy's worker the broker's key"
  mounts worker > "$tmp/m"
  (expect_lines "worker volumes" "$tmp/m" brainsweep-keys-worker:/keys/worker:ro) > /dev/null \
    && fail "a worker with the broker's key volume passed"
  return 0
}

case_dockerfile () {
  dockerfile=$src/deploy/Dockerfile
  [ "$(grep -c '^FROM debian:bookworm-slim' "$dockerfile")" -eq 2 ] || fail "not two debian:bookworm-slim stages"
  grep -q '^COPY scripts/install-deps.sh' "$dockerfile" || fail "build stage does not use install-deps.sh"
  grep -q 'CMAKE_BUILD_TYPE=Release' "$dockerfile" || fail "not a Release build"
  grep -q '^COPY --from=build ' "$dockerfile" || fail "runtime stage does not copy from the build stage"
  grep -q '^USER brainsweep' "$dockerfile" || fail "runs as root"
  grep -q -- '--uid 10001' "$dockerfile" || fail "user is not uid 10001"
  grep -q '^VOLUME \["/data"\]' "$dockerfile" || fail "no /data volume"
  grep -q '^EXPOSE 5555' "$dockerfile" || fail "port 5555 not exposed"
  # The default command, joined across its continuation lines: the broker
  # with its key and allow folders where the compose file mounts them.
  cmd=$(sed -n '/^CMD /,/[^\\]$/p' "$dockerfile" | tr -d '\\\n' | tr -s ' ')
  [ "$cmd" = 'CMD ["brainsweep-broker", "--bind", "tcp://*:5555", "--data", "/data", "--key", "/keys/broker/broker.cert_secret", "--allow-workers", "/keys/allow/workers", "--allow-clients", "/keys/allow/clients", "--allow-admins", "/keys/allow/admins"]' ] \
    || fail "default command is not the broker with its keys: $cmd"
  # The key script is in the image, and every key volume's mount point
  # exists owned by the user, 0700 (an empty named volume copies it).
  grep -q '^COPY deploy/compose-keys.sh /usr/local/bin/brainsweep-compose-keys$' "$dockerfile" \
    || fail "the image lacks brainsweep-compose-keys"
  dirs=$(sed -n '/install -d -o brainsweep -g brainsweep -m 0700/,/[^\\]$/p' "$dockerfile" | tr -d '\\\n')
  for d in broker allow health worker user; do
    echo "$dirs " | grep -q " /keys/$d " || fail "the image makes no /keys/$d owned by brainsweep, 0700"
  done
  grep -q '^build\*' "$src/.dockerignore" || fail ".dockerignore does not keep build trees out"
  grep -q '^\.git' "$src/.dockerignore" || fail ".dockerignore does not keep .git out"
  # The runtime apt-get line, joined across its continuation lines.
  runtime=$(sed -n '/^FROM debian:bookworm-slim$/,$p' "$dockerfile" \
    | sed -n '/apt-get install/,/rm -rf/p' | tr '\\\n' '  ' \
    | sed 's/.*--no-install-recommends//; s/&&.*//')
  [ -n "$runtime" ] || fail "no runtime apt-get install line"
  for p in libczmq4 libzmq5 libmsgpackc2 libhdf5-103-1 libzip4 zlib1g libsqlite3-0 libjansson4 libcairo2; do
    echo " $runtime " | grep -q " $p " || fail "runtime stage lacks $p"
  done
  # Debian 12 names: each must be known to apt (needs package lists).
  if [ -n "$(ls /var/lib/apt/lists/*_Packages* 2>/dev/null)" ] && command -v apt-cache > /dev/null; then
    for p in $runtime; do
      apt-cache show --no-all-versions "$p" > /dev/null 2>&1 || fail "apt does not know the package $p"
    done
  else
    echo "note: no apt package lists; package names not checked"
  fi
  # Every library the built binaries load comes from a package the image
  # installs (libc6 and libgcc-s1 are in the base image).
  bin=${BSW_BIN_DIR:-}
  if [ -n "$bin" ] && [ -x "$bin/brainsweep" ] && command -v ldd > /dev/null && command -v dpkg > /dev/null; then
    for b in brainsweep brainsweep-broker brainsweep-worker; do
      objdump -p "$bin/$b" 2>/dev/null | awk '/NEEDED/ {print $2}'
    done | sort -u > "$tmp/needed"
    [ -s "$tmp/needed" ] || fail "objdump found no NEEDED libraries"
    while read -r lib; do
      path=$(ldd "$bin/brainsweep" "$bin/brainsweep-broker" "$bin/brainsweep-worker" \
        | awk -v l="$lib" '$1 == l {print $3; exit}')
      [ -n "$path" ] || fail "ldd does not resolve $lib"
      pkg=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | head -1 | cut -d: -f1)
      [ -n "$pkg" ] || pkg=$(dpkg -S "$path" 2>/dev/null | head -1 | cut -d: -f1)
      [ -n "$pkg" ] || fail "no package owns $path"
      case " $runtime libc6 libgcc-s1 " in
      *" $pkg "*) ;;
      *) fail "$lib comes from $pkg, which the runtime stage does not install" ;;
      esac
    done < "$tmp/needed"
  else
    echo "note: binaries or ldd/dpkg missing; library coverage not checked"
  fi
  return 0
}

# unit_value FILE KEY: the last KEY= value in FILE (continuation lines
# joined).
unit_value () {
  unit_values "$1" "$2" | tail -1
}

# unit_values FILE KEY: every KEY= value in FILE, one a line.
unit_values () {
  sed -e ':a' -e '/\\$/N; s/\\\n */ /; ta' "$1" | sed -n "s/^$2=//p"
}

case_systemd () {
  need systemd-analyze
  bin=${BSW_BIN_DIR:?}
  units=$src/deploy/systemd
  broker=$units/brainsweep-broker.service
  worker=$units/brainsweep-worker@.service
  for f in "$broker" "$worker"; do
    name=${f##*/}
    [ "$(unit_value "$f" User)" = brainsweep ] || fail "$name: not User=brainsweep"
    [ "$(unit_value "$f" Restart)" = on-failure ] || fail "$name: not Restart=on-failure"
    [ "$(unit_value "$f" KillSignal)" = SIGTERM ] || fail "$name: not KillSignal=SIGTERM"
    [ "$(unit_value "$f" NoNewPrivileges)" = yes ] || fail "$name: no NoNewPrivileges"
    [ "$(unit_value "$f" ProtectSystem)" = strict ] || fail "$name: not ProtectSystem=strict"
    [ "$(unit_value "$f" ProtectHome)" = yes ] || fail "$name: no ProtectHome"
    [ -n "$(unit_value "$f" SystemCallFilter)" ] || fail "$name: no SystemCallFilter"
    grep -q '^WantedBy=multi-user.target' "$f" || fail "$name: no [Install] WantedBy"
  done
  unit_value "$broker" ExecStart | grep -q -- '--data /var/lib/brainsweep' || fail "broker: data not in /var/lib/brainsweep"
  [ "$(unit_value "$broker" StateDirectory)" = brainsweep ] || fail "broker: no StateDirectory"
  [ "$(unit_value "$broker" ReadWritePaths)" = /var/lib/brainsweep ] || fail "broker: data dir not writable"
  grep -q '^ReadWritePaths=' "$worker" && fail "worker: a stateless worker needs no writable path"
  # The worker's stop timeout covers its grace period (30 s by default, and
  # what worker.env.example sets) with room to hand points back.
  stop_s=$(unit_value "$worker" TimeoutStopSec)
  grace_ms=$(sed -n 's/.*--grace-ms \([0-9]*\).*/\1/p' "$units/worker.env.example")
  [ -n "$grace_ms" ] || grace_ms=30000
  [ $((stop_s * 1000)) -ge $((grace_ms + 10000)) ] \
    || fail "worker: TimeoutStopSec=$stop_s is too short for --grace-ms $grace_ms"
  grep -q '^BRAINSWEEP_BROKER=' "$units/worker.env.example" || fail "worker.env.example sets no broker"
  # systemd-analyze verify, with ExecStart pointed at the built binaries (it
  # checks they exist); any complaint about our units fails.
  mkdir -p "$tmp/units"
  for f in "$broker" "$worker"; do
    sed "s|/usr/local/bin/|$bin/|" "$f" > "$tmp/units/${f##*/}"
  done
  (cd "$tmp/units" && systemd-analyze verify brainsweep-broker.service brainsweep-worker@test.service) \
    > "$tmp/verify.out" 2>&1 || fail "systemd-analyze verify: $(cat "$tmp/verify.out")"
  grep -q 'brainsweep' "$tmp/verify.out" && fail "systemd-analyze verify: $(cat "$tmp/verify.out")"
  # And verify can fail: an unknown key is reported.
  sed 's/^UMask=/UMaskk=/' "$tmp/units/brainsweep-broker.service" > "$tmp/units/bad.service"
  (cd "$tmp/units" && systemd-analyze verify bad.service) > "$tmp/verify.out" 2>&1
  grep -q "UMaskk" "$tmp/verify.out" || fail "verify did not report a bad key"
  # Keys. Each unit loads exactly its own key files through LoadCredential=
  # (root's 0600 secrets never opened by the brainsweep user): the broker
  # its secret; a worker the broker's public cert and its secret.
  unit_values "$broker" LoadCredential > "$tmp/cred"
  expect_lines "broker's LoadCredential" "$tmp/cred" broker.cert_secret:/etc/brainsweep/broker.cert_secret
  unit_values "$worker" LoadCredential > "$tmp/cred"
  expect_lines "worker's LoadCredential" "$tmp/cred" broker.cert:/etc/brainsweep/broker.cert \
    worker.cert_secret:/etc/brainsweep/worker.cert_secret
  exec_broker=$(unit_value "$broker" ExecStart)
  for opt in "--key %d/broker.cert_secret" "--allow-workers /etc/brainsweep/workers" \
    "--allow-clients /etc/brainsweep/clients" "--allow-admins /etc/brainsweep/admins"; do
    echo "$exec_broker " | grep -q -- " $opt " || fail "broker: ExecStart lacks $opt: $exec_broker"
  done
  echo "$exec_broker" | grep -q -- '--insecure' && fail "broker: ExecStart has --insecure"
  unit_values "$worker" Environment > "$tmp/env"
  expect_lines "worker's Environment" "$tmp/env" BRAINSWEEP_BROKER_KEY=%d/broker.cert \
    BRAINSWEEP_KEY=%d/worker.cert_secret
  # A secret is named only by LoadCredential=, never handed over by path.
  for f in "$broker" "$worker"; do
    grep -v '^#' "$f" | grep -v '^LoadCredential=' | grep -q '/etc/brainsweep/[^ ]*_secret' \
      && fail "${f##*/} names a secret outside LoadCredential="
  done
  # SIGHUP reloads the allow folders at once (systemctl reload).
  # shellcheck disable=SC2016 # systemd's $MAINPID, literally
  [ "$(unit_value "$broker" ExecReload)" = '/bin/kill -HUP $MAINPID' ] || fail "broker: no ExecReload sending SIGHUP"
  # The env files show the key variables without setting them: set there,
  # they would win over the unit's credentials.
  grep -q '^#.*BRAINSWEEP_BROKER_KEY=' "$units/worker.env.example" || fail "worker.env.example does not show BRAINSWEEP_BROKER_KEY"
  grep -q '^#.*BRAINSWEEP_KEY=' "$units/worker.env.example" || fail "worker.env.example does not show BRAINSWEEP_KEY"
  grep -q '^BRAINSWEEP_\(BROKER_\)\{0,1\}KEY=' "$units"/*.env.example && fail "an env example sets a key variable"
  # tmpfiles: the folders with their modes, and a loosened secret put back
  # to 0600 (public certs left alone).
  if command -v systemd-tmpfiles > /dev/null && [ "$(id -u)" = 0 ]; then
    mkdir -p "$tmp/root/etc/brainsweep"
    : > "$tmp/root/etc/brainsweep/worker.cert_secret"
    : > "$tmp/root/etc/brainsweep/broker.cert"
    chmod 0644 "$tmp/root/etc/brainsweep/worker.cert_secret" "$tmp/root/etc/brainsweep/broker.cert"
    systemd-tmpfiles --root "$tmp/root" --create "$units/brainsweep.tmpfiles.conf" > "$tmp/tmpfiles.out" 2>&1 \
      || fail "tmpfiles: $(cat "$tmp/tmpfiles.out")"
    for d in etc/brainsweep etc/brainsweep/workers etc/brainsweep/clients etc/brainsweep/admins; do
      [ "$(stat -c '%a %U' "$tmp/root/$d")" = "755 root" ] || fail "tmpfiles: /$d is $(stat -c '%a %U' "$tmp/root/$d")"
    done
    [ "$(stat -c '%a %U' "$tmp/root/etc/brainsweep/worker.cert_secret")" = "600 root" ] \
      || fail "tmpfiles did not put worker.cert_secret back to 0600"
    [ "$(stat -c %a "$tmp/root/etc/brainsweep/broker.cert")" = 644 ] || fail "tmpfiles changed a public cert's mode"
  else
    echo "note: systemd-tmpfiles missing or not root; tmpfiles not run"
  fi
  if command -v systemd-sysusers > /dev/null; then
    mkdir -p "$tmp/root"
    systemd-sysusers --root "$tmp/root" --dry-run "$units/brainsweep.sysusers.conf" > "$tmp/sysusers.out" 2>&1 \
      || fail "sysusers: $(cat "$tmp/sysusers.out")"
    grep -q "Creating user 'brainsweep'" "$tmp/sysusers.out" || fail "sysusers creates no brainsweep user"
  fi
  return 0
}

case_shellcheck () {
  need shellcheck
  cd "$src" || fail "cd $src"
  # Every *.sh and *.sbatch outside build trees, and .ci/run.
  all=$(find . \( -path './build*' -o -path ./out -o -path ./.git \) -prune -o -type f \
    \( -name '*.sh' -o -name '*.sbatch' \) -print | sed 's|^\./||' | sort)
  [ -f .ci/run ] && all="$all .ci/run"
  # deploy/ and this test: every check, style included.
  ours=""
  others=""
  for f in $all; do
    case $f in
    deploy/* | tests/deploy_test.sh) ours="$ours $f" ;;
    *) others="$others $f" ;;
    esac
  done
  case " $ours " in *" deploy/slurm/brainsweep-workers.sbatch "*) ;; *) fail "the sbatch script was not found" ;; esac
  # -x: follow the tests' `. lib.sh` (a source= directive names it).
  # shellcheck disable=SC2086
  shellcheck -x $ours || fail "shellcheck: deploy scripts"
  # The rest at warning level (style notes are not failures).
  # shellcheck disable=SC2086
  shellcheck -x -S warning $others || fail "shellcheck: repository scripts"
  # shellcheck disable=SC2086
  echo "shellcheck:" $ours $others
  return 0
}

# The slurm case: a fake srun in Perl (a shell cannot trap SIGINT that it
# was started with ignored, as any background job of a script is). It does
# what the real one does with the options the sbatch script uses: one task
# per node, each with its SLURM_* variables; SIGINT is forwarded (with
# --disable-status); SIGTERM, SIGHUP and SIGQUIT SIGKILL the tasks, as the
# real srun does (srun_job.c, _srun_signal_mgr: "forcing job termination").
write_fake_srun () {
  mkdir -p "$tmp/fakebin"
  cat > "$tmp/fakebin/srun" <<'PERL'
#!/usr/bin/perl
use strict;
use warnings;
my $dir = $ENV{FAKE_SLURM_DIR} or die "srun: FAKE_SLURM_DIR unset\n";
my @args = @ARGV;
my %opt;
while (@args && $args[0] =~ /^-/) {
    my $a = shift @args;
    last if $a eq '--';
    if ($a =~ /^--([^=]+)=(.*)$/) { $opt{$1} = $2; }
    elsif ($a eq '-X' || $a eq '--disable-status') { $opt{'disable-status'} = 1; }
    elsif ($a =~ /^--(.+)$/) { $opt{$1} = 1; }
    else { die "srun (fake): unsupported option $a\n"; }
}
die "srun (fake): no command\n" unless @args;
die "srun (fake): expected --ntasks-per-node=1\n" unless ($opt{'ntasks-per-node'} // '') eq '1';
open my $log, '>>', "$dir/srun.args" or die;
print $log join(' ', @ARGV), "\n";
close $log;
my $nodes = $opt{nodes} // $ENV{SLURM_JOB_NUM_NODES} // 1;
my @kids;
$SIG{INT} = sub {
    if ($opt{'disable-status'}) { kill 'INT', @kids; }
    else { print STDERR "srun: interrupt (one more within 1 sec to abort)\n"; }
};
#  The test reads this file, not the message, to learn that srun was told
#  to terminate the job.
$SIG{$_} = sub {
    print STDERR "srun: forcing job termination\n";
    if (open my $mark, '>', "$dir/srun.terminated") { close $mark; }
    kill 'KILL', @kids;
} for qw(TERM HUP QUIT);
for my $i (0 .. $nodes - 1) {
    my $pid = fork;
    die "fork: $!" unless defined $pid;
    if ($pid == 0) {
        $ENV{SLURM_NODEID} = $i;
        $ENV{SLURM_PROCID} = $i;
        $ENV{SLURM_LOCALID} = 0;
        $ENV{SLURM_STEP_ID} = 0;
        $ENV{SLURMD_NODENAME} = "node$i";
        $ENV{SLURM_CPUS_PER_TASK} = $opt{'cpus-per-task'} if $opt{'cpus-per-task'};
        exec @args or die "exec $args[0]: $!";
    }
    push @kids, $pid;
}
open my $pids, '>>', "$dir/tasks.pids" or die;
print $pids "$_\n" for @kids;
close $pids;
my $rc = 0;
while (1) {
    my $pid = wait;
    if ($pid == -1) { last if $!{ECHILD}; next; }
    my $code = $? & 127 ? 128 + ($? & 127) : $? >> 8;
    $rc = $code if $code > $rc;
}
exit $rc;
PERL
  chmod +x "$tmp/fakebin/srun"
}

# start_job N NODES [ARG...]: the sbatch script as Slurm would run it on
# NODES nodes, from $tmp (the submit folder), with ARGs and the environment
# assignments in $key_env.
start_job () {
  n=$1 nodes=$2
  shift 2
  # shellcheck disable=SC2086 # key_env is words
  (cd "$tmp" && exec env PATH="$tmp/fakebin:$bin:$PATH" FAKE_SLURM_DIR="$tmp" \
    SLURM_JOB_ID="424$n" SLURM_JOB_NUM_NODES="$nodes" SLURM_NNODES="$nodes" SLURM_NTASKS="$nodes" \
    SLURM_CPUS_PER_TASK=1 SLURM_JOB_NAME=brainsweep-workers SLURM_SUBMIT_DIR="$tmp" \
    BRAINSWEEP_BROKER="$endpoint" BRAINSWEEP_WORKER_ARGS="--heartbeat-ms $HB --lanes 2" \
    BRAINSWEEP_GRACE_MS=5000 $key_env \
    bash "$src/deploy/slurm/brainsweep-workers.sbatch" "$@") > "$tmp/job$n.out" 2>&1 &
  job_pid=$!
  pids="$pids $job_pid"
}

# wait_joined COUNT: COUNT worker sessions have started since the broker did.
wait_joined () {
  bsw_wait 60 "$1 workers to join" bsw_true ".workers_joined >= $1"
  [ "$(bsw_stats .workers_joined)" -eq "$1" ] || fail "expected $1 workers joined: $(bsw_stats .)"
}

job_running () { kill -0 "$job_pid" 2>/dev/null; }
job_stopped () { ! job_running; }

# stop_job N: SIGTERM the batch script and wait (a bounded poll) for it.
stop_job () {
  kill -TERM "$job_pid" || fail "job $1 already gone"
  # The workers' grace is 5 s (BRAINSWEEP_GRACE_MS); the bound is for a
  # loaded machine.
  bsw_wait 60 "job $1 to stop after SIGTERM" job_stopped
  wait "$job_pid"
  rc=$?
  [ "$rc" -eq 0 ] || fail "job $1 exited $rc after SIGTERM"
  while read -r p; do
    kill -0 "$p" 2>/dev/null && fail "worker process $p outlived job $1"
  done < "$tmp/tasks.pids"
  return 0
}

done_count () {
  bsw_status "$1" .done
}

# done_at_least ID N: sweep ID has N points done (for bsw_wait).
done_at_least () {
  [ "$(done_count "$1")" -ge "$2" ] 2>/dev/null
}

# Heartbeats of the broker and the workers, ms: long enough that a busy
# machine does not make a worker look silent (the case checks that none
# was lost), short enough that a leaving worker's session ends soon.
HB=1000

case_slurm () {
  need perl
  : "${bin:?BSW_BIN_DIR}"
  mkdir -p "$tmp/data"
  write_fake_srun
  bsw_start_broker --heartbeat-ms $HB

  # Job 1 on two nodes: both workers join, with SLURM_CPUS_PER_TASK threads.
  start_job 1 2
  wait_joined 2
  grep -q -- '--ntasks-per-node=1' "$tmp/srun.args" || fail "srun without --ntasks-per-node=1"
  grep -q -- '--cpus-per-task=1' "$tmp/srun.args" || fail "srun without --cpus-per-task"
  grep -q -- "--broker $endpoint" "$tmp/srun.args" || fail "workers not pointed at $endpoint"
  # The names and thread counts the script gives its workers show only in
  # the broker's log (the behaviour checked, not a state waited on: both
  # joined, so both lines are written).
  for n in 0 1; do
    grep -q "worker=node$n/4241.$n joined (1 threads" "$tmp/broker.log" \
      || fail "worker node$n/4241.$n did not join with 1 thread"
  done
  cat > "$tmp/small.json" <<'JSON'
{"simulation_length": 20, "ranges": [{"parameter": "model.a", "values": [1, 2, 3, 4, 5, 6]}]}
JSON
  id=$("$bin/brainsweep" submit "$tmp/small.json" -q) || fail "submit"
  timeout 60 "$bin/brainsweep" watch "$id" > /dev/null 2>&1 || fail "watch $id did not exit 0"
  [ "$(done_count "$id")" = 6 ] || fail "sweep $id: $("$bin/brainsweep" status "$id" --json)"

  # A longer sweep, stopped midway as at the time limit: the workers finish
  # or hand back their points and exit 0; nothing fails. The sweep must not
  # be able to end before the stop takes effect: its 32 points of 12 s of
  # model time are about 4 s of work for the two workers (more on a loaded
  # machine, which slows the stop as much), while each worker holds at most
  # two jobs of two lanes, so the stop after the second point leaves most of
  # them undone. (16 points of 2 s could end between the wait and SIGTERM.)
  long=32
  cat > "$tmp/long.json" <<'JSON'
{"simulation_length": 12000, "ranges": [{"parameter": "model.a", "lo": 1, "hi": 5, "step": 0.125}]}
JSON
  id=$("$bin/brainsweep" submit "$tmp/long.json" -q) || fail "submit long"
  bsw_wait 120 "the long sweep to make progress" done_at_least "$id" 2
  stop_job 1
  # The job exits 0 only when srun did, and the fake srun exits with its
  # tasks' worst status: both workers stopped cleanly (exit 0, not killed).
  # Each said BYE, handing back what it held, and its session ended when it
  # fell silent: left, none lost.
  bsw_wait 60 "both workers of job 1 to leave" bsw_true '.workers_left >= 2'
  [ "$(bsw_stats .workers_lost)" = 0 ] || fail "a worker was lost, not leaving: $(bsw_stats .)"
  [ -e "$tmp/srun.terminated" ] && fail "the script sent srun SIGTERM (it SIGKILLs the workers)"
  after=$(done_count "$id")
  [ "$after" -lt $long ] || fail "the long sweep finished before the stop; nothing was handed back"
  [ "$(bsw_status "$id" .failed)" = 0 ] || fail "points failed on stop"

  # Job 2 on two nodes finishes the sweep.
  : > "$tmp/tasks.pids"
  start_job 2 2
  wait_joined 4
  timeout 120 "$bin/brainsweep" watch "$id" > /dev/null 2>&1 || fail "watch of the long sweep did not exit 0"
  [ "$(done_count "$id")" = $long ] || fail "long sweep: $("$bin/brainsweep" status "$id" --json)"
  stop_job 2

  # No broker address: a usage error, before anything starts.
  env -u BRAINSWEEP_BROKER PATH="$tmp/fakebin:$bin:$PATH" FAKE_SLURM_DIR="$tmp" \
    bash "$src/deploy/slurm/brainsweep-workers.sbatch" > "$tmp/noarg.out" 2>&1
  [ $? -eq 2 ] || fail "no broker: expected exit 2"

  # Keys the script cannot read: exit 2 naming the file and where it came
  # from, before srun starts anything. (Run as root, a file of mode 000 is
  # readable, so the unreadable cases are a missing file and a folder.)
  runs=$(wc -l < "$tmp/srun.args")
  : > "$tmp/pub.cert"
  for bad in "$tmp/no-such.cert_secret" "$tmp"; do
    expect_fail 2 "worker key (--key, BRAINSWEEP_KEY) $bad:" "--key $bad" \
      run_script --broker-key "$tmp/pub.cert" --key "$bad" "$endpoint"
  done
  key_env="BRAINSWEEP_BROKER_KEY=$tmp/gone.cert BRAINSWEEP_KEY=$tmp/pub.cert"
  expect_fail 2 "broker key (--broker-key, BRAINSWEEP_BROKER_KEY) $tmp/gone.cert:" "BRAINSWEEP_BROKER_KEY gone" \
    run_script "$endpoint"
  key_env=""
  # A relative path is taken from the submit folder, and named absolute.
  expect_fail 2 "$tmp/rel.cert_secret: not found" "relative --key" \
    run_script --broker-key "$tmp/pub.cert" --key rel.cert_secret "$endpoint"
  expect_fail 2 "give both" "--key alone" run_script --key "$tmp/pub.cert" "$endpoint"
  key_env="BRAINSWEEP_BROKER_KEY=$tmp/pub.cert"
  expect_fail 2 "give both" "BRAINSWEEP_BROKER_KEY alone" run_script "$endpoint"
  key_env=""
  expect_fail 2 "--key needs a file" "--key without a value" run_script "$endpoint" --key
  if [ "$(id -u)" != 0 ]; then
    cp "$tmp/pub.cert" "$tmp/closed.cert_secret"
    chmod 000 "$tmp/closed.cert_secret"
    expect_fail 2 "$tmp/closed.cert_secret: not a file" "mode 000 key" \
      run_script --broker-key "$tmp/pub.cert" --key "$tmp/closed.cert_secret" "$endpoint"
  fi
  [ "$(wc -l < "$tmp/srun.args")" = "$runs" ] || fail "srun ran although a key could not be read"
  return 0
}

# run_script ARG...: the sbatch script in the foreground from $tmp, with
# the environment's assignments in $key_env (words).
run_script () {
  # shellcheck disable=SC2086 # key_env is words
  (cd "$tmp" && env PATH="$tmp/fakebin:$bin:$PATH" FAKE_SLURM_DIR="$tmp" SLURM_JOB_ID=4249 \
    SLURM_JOB_NUM_NODES=1 $key_env bash "$src/deploy/slurm/brainsweep-workers.sbatch" "$@")
}

# compose_keys ARG...: deploy/compose-keys.sh on the folders of $keys,
# with the real `brainsweep keygen`.
compose_keys () {
  BRAINSWEEP_KEYS_DIR=$keys BRAINSWEEP_KEYGEN=$bin/brainsweep sh "$src/deploy/compose-keys.sh" "$@"
}

# public_key FILE: the public-key line of a CZMQ certificate.
public_key () {
  sed -n 's/^ *public-key *= *//p' "$1"
}

# workers_connected N: the broker has N worker sessions (for bsw_wait).
workers_connected () {
  [ "$(bsw_stats .workers)" = "$1" ]
}

# The keys case needs issue 11's binaries (`brainsweep keygen`, --key,
# --allow-*, --broker-key): the compose key script with the real keygen
# (layout, modes, only what is absent, revocation that stays, public certs
# only in allow folders, a remote worker's key), then a broker on loopback
# with exactly the compose file's options and key layout: its healthcheck
# and the user's key answer, a worker key cannot act as a client, Slurm
# jobs with keys (relative paths in options, and the environment) join and
# run a sweep, and a revoked worker key's sessions end.
case_keys () {
  need perl
  : "${bin:?BSW_BIN_DIR}"
  keys=$tmp/keys
  for d in broker allow health worker user; do
    mkdir -p "$keys/$d"
    chmod 0700 "$keys/$d"  # as the image makes them
  done
  compose_keys > "$tmp/keygen.out" 2>&1 || fail "compose-keys: $(cat "$tmp/keygen.out")"
  (cd "$keys" && find . -type f | sort) > "$tmp/files"
  expect_lines "key files" "$tmp/files" ./broker/broker.cert ./broker/broker.cert_secret \
    ./health/broker.cert ./health/health.cert ./health/health.cert_secret \
    ./worker/broker.cert ./worker/worker.cert ./worker/worker.cert_secret \
    ./user/broker.cert ./user/user.cert ./user/user.cert_secret \
    ./allow/workers/compose-worker.cert ./allow/clients/compose-health.cert ./allow/clients/compose-user.cert
  while read -r f; do
    case $f in
    *_secret) want=600 ;;
    *) want=644 ;;
    esac
    [ "$(stat -c %a "$keys/$f")" = $want ] || fail "$f has mode $(stat -c %a "$keys/$f"), not $want"
    case $f in
    ./allow/*) ! grep -q secret-key "$keys/$f" || fail "$f, in an allow folder, holds a secret key" ;;
    esac
  done < "$tmp/files"
  [ -d "$keys/allow/admins" ] || fail "no allow/admins folder"
  for d in health worker user; do
    cmp -s "$keys/broker/broker.cert" "$keys/$d/broker.cert" || fail "$d/broker.cert is not the broker's"
  done
  [ -n "$(public_key "$keys/worker/worker.cert")" ] || fail "worker.cert has no public-key line"
  [ "$(public_key "$keys/allow/workers/compose-worker.cert")" = "$(public_key "$keys/worker/worker.cert")" ] \
    || fail "allow/workers/compose-worker.cert is not the worker's key"
  [ "$(public_key "$keys/allow/clients/compose-health.cert")" = "$(public_key "$keys/health/health.cert")" ] \
    || fail "allow/clients/compose-health.cert is not the healthcheck's key"
  # Again: only what is absent is made, so nothing changes.
  (cd "$keys" && find . -type f -exec md5sum {} + | sort) > "$tmp/sums"
  compose_keys > "$tmp/keygen.out" 2>&1 || fail "compose-keys again: $(cat "$tmp/keygen.out")"
  (cd "$keys" && find . -type f -exec md5sum {} + | sort) | cmp -s - "$tmp/sums" || fail "a second run changed keys"
  # Half a pair is left for a person, not papered over.
  mv "$keys/user/user.cert" "$tmp/user.cert.saved"
  expect_fail 1 "half of the key pair user" "half a pair" compose_keys
  mv "$tmp/user.cert.saved" "$keys/user/user.cert"
  # A revoked key stays out when the deployment comes up again.
  compose_keys revoke workers compose-worker 2> "$tmp/err" || fail "revoke: $(cat "$tmp/err")"
  compose_keys > "$tmp/keygen.out" 2>&1 || fail "compose-keys after revoke"
  [ -e "$keys/allow/workers/compose-worker.cert" ] && fail "a revoked worker key came back"
  # Allow folders take public certs only, under a plain name and role.
  expect_fail 1 "secret certificate" "allow a secret cert" compose_keys allow workers w < "$keys/worker/worker.cert_secret"
  expect_fail 1 "not a certificate" "allow a non-cert" compose_keys allow workers w < "$src/README.md"
  expect_fail 1 "role 'peers'" "allow a bad role" compose_keys allow peers w < "$keys/worker/worker.cert"
  expect_fail 1 "name '../w'" "allow a bad name" compose_keys allow workers ../w < "$keys/worker/worker.cert"
  [ -e "$keys/allow/workers/w.cert" ] && fail "a refused cert was let in"
  compose_keys allow workers compose-worker < "$keys/worker/worker.cert" 2> "$tmp/err" || fail "allow: $(cat "$tmp/err")"
  # Another host's worker: its key made there, the broker's cert stored, the
  # public half printed to let in here.
  mkdir -p "$tmp/hostb/worker"
  BRAINSWEEP_KEYS_DIR=$tmp/hostb BRAINSWEEP_KEYGEN=$bin/brainsweep sh "$src/deploy/compose-keys.sh" \
    worker hostb < "$keys/broker/broker.cert" > "$tmp/hostb.cert" 2> "$tmp/err" || fail "worker hostb: $(cat "$tmp/err")"
  cmp -s "$tmp/hostb/worker/broker.cert" "$keys/broker/broker.cert" || fail "hostb did not store broker.cert"
  cmp -s "$tmp/hostb.cert" "$tmp/hostb/worker/worker.cert" || fail "worker hostb printed something else than its cert"
  [ "$(stat -c %a "$tmp/hostb/worker/worker.cert_secret")" = 600 ] || fail "hostb's secret is not 0600"
  compose_keys allow workers hostb < "$tmp/hostb.cert" 2> "$tmp/err" || fail "allow hostb: $(cat "$tmp/err")"
  "$bin/brainsweep" keygen "$tmp/admin.cert" --name tester > /dev/null || fail "keygen admin"
  compose_keys allow admins tester < "$tmp/admin.cert" 2> "$tmp/err" || fail "allow admins: $(cat "$tmp/err")"
  compose_keys list > "$tmp/list" || fail "list"
  expect_lines "list" "$tmp/list" workers/compose-worker.cert workers/hostb.cert \
    clients/compose-health.cert clients/compose-user.cert admins/tester.cert

  # The broker as the compose file runs it (on loopback), the test's client
  # an admin.
  export BRAINSWEEP_BROKER_KEY="$keys/user/broker.cert" BRAINSWEEP_KEY="$tmp/admin.cert_secret"
  mkdir -p "$tmp/data"
  write_fake_srun
  bsw_start_broker --heartbeat-ms $HB --key "$keys/broker/broker.cert_secret" \
    --allow-workers "$keys/allow/workers" --allow-clients "$keys/allow/clients" \
    --allow-admins "$keys/allow/admins"
  "$bin/brainsweep" list --broker "$endpoint" --broker-key "$keys/health/broker.cert" \
    --key "$keys/health/health.cert_secret" > /dev/null 2> "$tmp/err" || fail "the healthcheck's list: $(cat "$tmp/err")"
  BRAINSWEEP_KEY=$keys/user/user.cert_secret "$bin/brainsweep" list > /dev/null 2> "$tmp/err" \
    || fail "the user's key: $(cat "$tmp/err")"
  BRAINSWEEP_KEY=$keys/worker/worker.cert_secret "$bin/brainsweep" list > /dev/null 2>&1 \
    && fail "a worker key acted as a client"

  # Slurm, job 1: the compose worker key as options, relative to the
  # submit folder; the workers get them absolute.
  start_job 1 2 --broker-key keys/worker/broker.cert --key keys/worker/worker.cert_secret
  wait_joined 2
  grep -q -- "--broker-key $keys/worker/broker.cert --key $keys/worker/worker.cert_secret" "$tmp/srun.args" \
    || fail "workers not given the absolute key paths: $(cat "$tmp/srun.args")"
  cat > "$tmp/small.json" <<'JSON'
{"simulation_length": 20, "ranges": [{"parameter": "model.a", "values": [1, 2, 3, 4, 5, 6]}]}
JSON
  id=$(BRAINSWEEP_KEY=$keys/user/user.cert_secret "$bin/brainsweep" submit "$tmp/small.json" -q) || fail "submit"
  timeout 60 "$bin/brainsweep" watch "$id" > /dev/null 2>&1 || fail "watch $id did not exit 0"
  [ "$(done_count "$id")" = 6 ] || fail "sweep $id: $("$bin/brainsweep" status "$id" --json)"
  job1=$job_pid

  # Job 2: hostb's key from the environment.
  key_env="BRAINSWEEP_BROKER_KEY=$tmp/hostb/worker/broker.cert BRAINSWEEP_KEY=$tmp/hostb/worker/worker.cert_secret"
  start_job 2 1
  key_env=""
  wait_joined 3
  bsw_wait 60 "3 workers connected" workers_connected 3
  # Revoking hostb's key ends its session; job 1's stay.
  compose_keys revoke workers hostb 2> "$tmp/err" || fail "revoke hostb: $(cat "$tmp/err")"
  bsw_wait 60 "the revoked worker's session to end" workers_connected 2
  kill -TERM "$job_pid" 2> /dev/null
  bsw_wait 60 "job 2 to stop" job_stopped
  job_pid=$job1
  stop_job 1
  return 0
}

case $case_name in
compose) case_compose ;;
keys) case_keys ;;
dockerfile) case_dockerfile ;;
shellcheck) case_shellcheck ;;
systemd) case_systemd ;;
slurm) case_slurm ;;
*) echo "unknown case $case_name"; exit 2 ;;
esac
echo "1 passed, 0 failed"
