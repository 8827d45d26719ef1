#!/bin/sh
# deploy_test.sh CASE - checks of deploy/ that run without Docker or Slurm.
# Cases:
#   compose     docker-compose validates deploy/docker-compose.yml, whose
#               config has the broker (named volume, healthcheck, port 5555)
#               and a scalable worker; a copy with a bad key fails
#   dockerfile  deploy/Dockerfile's shape (two Debian 12 stages, non-root
#               user, /data, port 5555), every runtime package known to apt,
#               and every shared library the binaries need installed by it
#   systemd     the units pass systemd-analyze verify (ExecStart pointed at
#               the build), run as the brainsweep user, restart on failure,
#               stop by SIGTERM with time for the worker's grace period,
#               and keep their hardening; the sysusers file parses
#   (shellcheck) every shell script in the repository passes shellcheck
#   slurm       deploy/slurm/brainsweep-workers.sbatch under a fake srun
#               against a real loopback broker: two workers join and run a
#               sweep; SIGTERM to the batch script (as Slurm sends it) stops
#               them cleanly, handing back unfinished points, and a second
#               job finishes the sweep
# A missing tool (docker-compose, shellcheck, perl) skips with exit 77.
# States are asked of the broker (tests/lib.sh): every wait is a bounded
# poll; everything started is killed on exit.
set -u
case_name=${1:?case}
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
src=${BSW_SOURCE_DIR:?}
bsw_init deploy
trap 'exit 1' INT TERM HUP PIPE
# The fake srun's tasks are not children of this shell.
# shellcheck disable=SC2016 # expanded at clean-up
bsw_on_exit='[ -f "$tmp/tasks.pids" ] && while read -r p; do kill -KILL "$p" 2>/dev/null; done < "$tmp/tasks.pids"'

# The lines of one top-level service in `docker-compose config` output.
service_block () {
  awk -v s="  $1:" '$0 == s {on = 1; next} on && /^  [^ ]/ {on = 0} on && /^[^ ]/ {on = 0} on' "$2"
}

case_compose () {
  need docker-compose
  compose=$src/deploy/docker-compose.yml
  (cd "$src" && docker-compose -f "$compose" config -q) || fail "config -q rejects $compose"
  (cd "$src" && docker-compose -f "$compose" config) > "$tmp/config.yml" 2>&1 || fail "config"
  service_block broker "$tmp/config.yml" > "$tmp/broker.yml"
  service_block worker "$tmp/config.yml" > "$tmp/worker.yml"
  [ -s "$tmp/broker.yml" ] || fail "no broker service"
  [ -s "$tmp/worker.yml" ] || fail "no worker service"
  grep -q '^  brainsweep-data:' "$tmp/config.yml" || fail "no top-level volume brainsweep-data"
  grep -q -- '- brainsweep-data:/data' "$tmp/broker.yml" || fail "broker data is not on the named volume"
  grep -q 'published: 5555' "$tmp/broker.yml" || fail "broker does not publish port 5555"
  grep -q 'target: 5555' "$tmp/broker.yml" || fail "broker's published port is not 5555 inside"
  grep -q '^    healthcheck:' "$tmp/broker.yml" || fail "broker has no healthcheck"
  grep -q -- '- list' "$tmp/broker.yml" || fail "healthcheck does not run brainsweep list"
  grep -q 'tcp://127.0.0.1:5555' "$tmp/broker.yml" || fail "healthcheck does not ask 127.0.0.1:5555"
  grep -q 'condition: service_healthy' "$tmp/worker.yml" || fail "worker does not wait for a healthy broker"
  grep -q "command: .*brainsweep-worker --broker tcp://broker:5555" "$tmp/worker.yml" \
    || fail "worker command: $(grep command "$tmp/worker.yml")"
  # Scaling needs no fixed name and no host port on the worker.
  grep -q 'container_name:' "$tmp/worker.yml" && fail "worker has a container_name: it cannot scale"
  grep -q 'published:' "$tmp/worker.yml" && fail "worker publishes a port: it cannot scale"
  grep -q 'stop_grace_period:' "$tmp/worker.yml" || fail "worker has no stop_grace_period"
  # Workers elsewhere point the same service at a remote broker.
  (cd "$src" && BRAINSWEEP_BROKER=tcp://head:5555 BRAINSWEEP_WORKER_ARGS="--threads 3" \
    docker-compose -f "$compose" config) > "$tmp/remote.yml" 2>&1 || fail "config with BRAINSWEEP_BROKER"
  grep -q "command: .*brainsweep-worker --broker tcp://head:5555 --threads 3" "$tmp/remote.yml" \
    || fail "BRAINSWEEP_BROKER/BRAINSWEEP_WORKER_ARGS not used: $(grep command "$tmp/remote.yml")"
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
  grep -q '^CMD \["brainsweep-broker", "--bind", "tcp://\*:5555", "--data", "/data"\]' "$dockerfile" \
    || fail "default command is not the broker"
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

# unit_value FILE KEY: the last KEY= value in FILE.
unit_value () {
  sed -n "s/^$2=//p" "$1" | tail -1
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

# start_job N NODES: the sbatch script as Slurm would run it on NODES nodes.
start_job () {
  env PATH="$tmp/fakebin:$bin:$PATH" FAKE_SLURM_DIR="$tmp" \
    SLURM_JOB_ID="424$1" SLURM_JOB_NUM_NODES="$2" SLURM_NNODES="$2" SLURM_NTASKS="$2" \
    SLURM_CPUS_PER_TASK=1 SLURM_JOB_NAME=brainsweep-workers SLURM_SUBMIT_DIR="$tmp" \
    BRAINSWEEP_BROKER="$endpoint" BRAINSWEEP_WORKER_ARGS="--heartbeat-ms $HB --lanes 2" \
    BRAINSWEEP_GRACE_MS=5000 \
    bash "$src/deploy/slurm/brainsweep-workers.sbatch" > "$tmp/job$1.out" 2>&1 &
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
  return 0
}

case $case_name in
compose) case_compose ;;
dockerfile) case_dockerfile ;;
shellcheck) case_shellcheck ;;
systemd) case_systemd ;;
slurm) case_slurm ;;
*) echo "unknown case $case_name"; exit 2 ;;
esac
echo "1 passed, 0 failed"
