#!/bin/sh
# compose-keys.sh - the CurveZMQ keys of the docker-compose deployment.
# The image installs it as /usr/local/bin/brainsweep-compose-keys; the
# compose file's one-shot `keygen` service runs it with no argument before
# the broker starts. Every key lives in a named volume of its own, mounted
# under /keys (BRAINSWEEP_KEYS_DIR), so each service mounts only its part:
#
#   /keys/broker   broker.cert, broker.cert_secret       the broker
#   /keys/allow    workers/ clients/ admins/ (public)    the broker
#   /keys/health   broker.cert, health.cert_secret       the broker's healthcheck
#   /keys/worker   broker.cert, worker.cert_secret       the workers
#   /keys/user     broker.cert, user.cert_secret         nobody: copy it out
#
# Usage (inside the image, e.g. `docker compose run --rm -T --no-deps
# keygen brainsweep-compose-keys ...`):
#   brainsweep-compose-keys                 make the keys that are absent
#   brainsweep-compose-keys allow ROLE NAME < NAME.cert
#                                           let a public cert in (ROLE is
#                                           workers, clients or admins)
#   brainsweep-compose-keys revoke ROLE NAME
#                                           take it out again (the broker's
#                                           sessions with that key end)
#   brainsweep-compose-keys list            the certs let in, by role
#   brainsweep-compose-keys worker NAME < broker.cert > NAME.cert
#                                           on another host: store the
#                                           broker's public cert, make this
#                                           host's worker key if absent and
#                                           print its public cert
#
# A key is let in only when it is made: a key revoked by hand stays out
# when the deployment comes up again. Files appear by rename from a dot
# name, so the broker, which watches the allow folders and skips dot
# files, never reads half a file.
set -eu
umask 077

keys=${BRAINSWEEP_KEYS_DIR:-/keys}
keygen=${BRAINSWEEP_KEYGEN:-brainsweep}
me=brainsweep-compose-keys

die () {
  echo "$me: $*" >&2
  exit 1
}

usage () {
  echo "usage: $me [allow ROLE NAME | revoke ROLE NAME | list | worker NAME]" >&2
  exit 2
}

# check_name NAME: one file name, no path, no dot first.
check_name () {
  case $1 in
  "" | .* | */* | *[!A-Za-z0-9._-]*) die "name '$1': use letters, digits, '.', '_' and '-' only" ;;
  esac
}

check_role () {
  case $1 in
  workers | clients | admins) ;;
  *) die "role '$1': must be workers, clients or admins" ;;
  esac
}

# put_public SRC DEST: a copy of the public cert SRC at DEST (mode 0644),
# appearing at once. The copy is made beside DEST under a dot name, which
# the broker skips when it reads a folder, and renamed into place.
put_public () {
  tmpf=${2%/*}/.${2##*/}.tmp.$$
  install -m 0644 "$1" "$tmpf"
  mv -f "$tmpf" "$2"
}

# read_public DEST: the public cert on stdin, checked, to DEST. A secret
# cert holds its secret key; it must never reach another host's folders.
read_public () {
  input=${1%/*}/.${1##*/}.in.$$
  cat > "$input"
  if grep -q 'secret-key' "$input"; then
    rm -f "$input"
    die "the input is a secret certificate: give the public one (without _secret)"
  fi
  if ! grep -q 'public-key' "$input"; then
    rm -f "$input"
    die "the input is not a certificate (no public-key line)"
  fi
  put_public "$input" "$1"
  rm -f "$input"
}

# has_pair DIR FILE: DIR holds the pair FILE.cert and FILE.cert_secret (0);
# neither (1); half of one is an error, left for a person to look at.
has_pair () {
  if [ -e "$1/$2.cert" ] && [ -e "$1/$2.cert_secret" ]; then
    return 0
  fi
  if [ -e "$1/$2.cert" ] || [ -e "$1/$2.cert_secret" ]; then
    die "$1 holds half of the key pair $2: delete $1/$2.cert* to make a new one"
  fi
  return 1
}

# new_pair DIR FILE NAME: a key pair named NAME in DIR/.new, for finish_pair
# to move into place, so that a run cut short leaves no half pair behind.
new_pair () {
  rm -rf "$1/.new" || die "cannot clear $1/.new"
  mkdir -m 0700 "$1/.new" || die "cannot make $1/.new"
  # Its stdout to stderr: `worker` prints a cert on stdout.
  "$keygen" keygen "$1/.new/$2.cert" --name "$3" >&2 \
    || die "brainsweep keygen $1/.new/$2.cert failed"
  if ! [ -f "$1/.new/$2.cert" ] || ! [ -f "$1/.new/$2.cert_secret" ]; then
    die "brainsweep keygen made no $1/.new/$2.cert and $2.cert_secret"
  fi
}

finish_pair () {
  mv "$1/.new/$2.cert_secret" "$1/$2.cert_secret"
  mv "$1/.new/$2.cert" "$1/$2.cert"
  rmdir "$1/.new"
  echo "$me: made $1/$2.cert" >&2
}

# The whole deployment's keys, those absent only.
make_all () {
  for d in broker allow health worker user; do
    [ -d "$keys/$d" ] || die "$keys/$d is missing (is its volume mounted?)"
  done
  for r in workers clients admins; do
    mkdir -p "$keys/allow/$r"
    chmod 0755 "$keys/allow/$r"
  done
  if ! has_pair "$keys/broker" broker; then
    new_pair "$keys/broker" broker broker
    finish_pair "$keys/broker" broker
  fi
  # The broker's public cert goes to every holder of a key, each time: a
  # new broker key reaches them all.
  for d in health worker user; do
    put_public "$keys/broker/broker.cert" "$keys/$d/broker.cert"
  done
  # name role folder: a client or worker key, let in when it is made.
  for k in health:clients worker:workers user:clients; do
    name=${k%%:*}
    role=${k#*:}
    if ! has_pair "$keys/$name" "$name"; then
      new_pair "$keys/$name" "$name" "compose-$name"
      put_public "$keys/$name/.new/$name.cert" "$keys/allow/$role/compose-$name.cert"
      finish_pair "$keys/$name" "$name"
    fi
  done
  return 0
}

case ${1:-} in
"")
  make_all
  ;;
allow)
  [ $# -eq 3 ] || usage
  check_role "$2"
  check_name "$3"
  [ -d "$keys/allow/$2" ] || die "$keys/allow/$2 is missing (run $me with no argument first)"
  read_public "$keys/allow/$2/$3.cert"
  echo "$me: $2/$3.cert let in" >&2
  ;;
revoke)
  [ $# -eq 3 ] || usage
  check_role "$2"
  check_name "$3"
  [ -e "$keys/allow/$2/$3.cert" ] || die "no $2/$3.cert in $keys/allow"
  rm -f "$keys/allow/$2/$3.cert"
  echo "$me: $2/$3.cert revoked" >&2
  ;;
list)
  [ $# -eq 1 ] || usage
  for r in workers clients admins; do
    for f in "$keys/allow/$r"/*.cert; do
      if [ -e "$f" ]; then echo "$r/${f##*/}"; fi
    done
  done
  ;;
worker)
  [ $# -eq 2 ] || usage
  check_name "$2"
  [ -d "$keys/worker" ] || die "$keys/worker is missing (is its volume mounted?)"
  read_public "$keys/worker/broker.cert"
  if ! has_pair "$keys/worker" worker; then
    new_pair "$keys/worker" worker "$2"
    finish_pair "$keys/worker" worker
  fi
  # The public cert to let in on the broker's host.
  cat "$keys/worker/worker.cert"
  ;;
*)
  usage
  ;;
esac
