#!/usr/bin/env bash
# Boots a throw-away single-node Ceph RADOS Gateway on 127.0.0.1 for the test suite
# (facts and settings: ../shared/s3-test-server.md), and stops only what it started.
#
#   scripts/s3-test-server.sh start   install packages when missing, boot, print env
#   scripts/s3-test-server.sh stop    kill the daemons recorded in the state dir
#   scripts/s3-test-server.sh env     print the environment for a running server
#
# Settings (environment): BLOBFORGE_TEST_S3_PORT (the first of 7480-7499 that is ours or free:
# another S3 server on 7480 is never taken for ours), BLOBFORGE_TEST_MON_PORT (port + 32690),
# BLOBFORGE_TEST_S3_STATE (/tmp/bf-rgw-<port>), BLOBFORGE_TEST_S3_RAM_MB (4096).
set -euo pipefail

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# Ours: the gateway recorded in that port's state dir is alive.
ours() { [ -f "/tmp/bf-rgw-$1/rgw.pid" ] && kill -0 "$(cat "/tmp/bf-rgw-$1/rgw.pid")" 2>/dev/null; }
pick_port() {
  local port
  for port in $(seq 7480 7499); do
    if ours "$port" || { ! listening "$port" && ! listening $((port + 32690)); }; then echo "$port"; return; fi
  done
  echo "[s3-test-server] error: ports 7480-7499 are all taken by other servers; set BLOBFORGE_TEST_S3_PORT" >&2
  exit 1
}
PORT=${BLOBFORGE_TEST_S3_PORT:-$(pick_port)}
MON_PORT=${BLOBFORGE_TEST_MON_PORT:-$((PORT + 32690))}
STATE=${BLOBFORGE_TEST_S3_STATE:-/tmp/bf-rgw-$PORT}
RAM_MB=${BLOBFORGE_TEST_S3_RAM_MB:-4096}
ACCESS_KEY=blobforgetestkey
SECRET_KEY=blobforgetestsecret
READONLY_KEY=blobforgereadonlykey
READONLY_SECRET=blobforgereadonlysecret
CONF="$STATE/ceph.conf"

say() { printf '[s3-test-server] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
# die/exit inside start() runs the EXIT trap, which stops what was started.

print_env() {
  cat <<ENV
BLOBFORGE_TEST_S3_ENDPOINT=http://127.0.0.1:$PORT
BLOBFORGE_TEST_S3_ACCESS_KEY_ID=$ACCESS_KEY
BLOBFORGE_TEST_S3_SECRET_ACCESS_KEY=$SECRET_KEY
ENV
  [ -n "${NO_READONLY:-}" ] || printf 'BLOBFORGE_TEST_S3_READONLY_ACCESS_KEY_ID=%s\nBLOBFORGE_TEST_S3_READONLY_SECRET_ACCESS_KEY=%s\n' \
    "$READONLY_KEY" "$READONLY_SECRET"
}

# A second user with no rights of its own: tests grant it read access to a bucket with a bucket
# policy, as an operator would for a read-only console (readme, "Credentials").
ensure_readonly_user() {
  timeout 30 radosgw-admin -c "$CONF" -n client.rgw.a user info --uid=readonly >/dev/null 2>&1 && return
  timeout 30 radosgw-admin -c "$CONF" -n client.rgw.a user create --uid=readonly --display-name=readonly \
    --access-key="$READONLY_KEY" --secret-key="$READONLY_SECRET" >"$STATE/user-readonly.log" 2>&1 \
    || { cat "$STATE/user-readonly.log" >&2; return 1; }
}

is_up() { curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/" ; }

install_packages() {
  if command -v ceph-mon >/dev/null && command -v ceph-osd >/dev/null && command -v radosgw >/dev/null && command -v curl >/dev/null; then
    return
  fi
  [ "$(id -u)" = 0 ] || die "ceph-mon, ceph-osd and radosgw are missing; run as root or:" \
    "apt-get install -y --no-install-recommends ceph-mon ceph-osd radosgw curl"
  say "installing ceph-mon ceph-osd radosgw curl from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >"/tmp/bf-apt-update.log" 2>&1 || die "apt-get update failed: see /tmp/bf-apt-update.log"
  apt-get install -y -qq --no-install-recommends ceph-mon ceph-osd radosgw curl >"/tmp/bf-apt-install.log" 2>&1 \
    || die "apt-get install failed: see /tmp/bf-apt-install.log"
}

# wait_for DESCRIPTION SECONDS PIDFILE LOG -- COMMAND...: poll COMMAND until it succeeds;
# fail fast with the daemon's log when the daemon died.
wait_for() {
  local what=$1 secs=$2 pidfile=$3 log=$4; shift 5
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    if [ -n "$pidfile" ] && ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      say "$what: the daemon died; last lines of $log:"; tail -n 30 "$log" >&2 || true; exit 1
    fi
    [ $SECONDS -lt $deadline ] || { say "$what: not ready after ${secs}s; last lines of $log:"; tail -n 30 "$log" >&2 || true; exit 1; }
    sleep 0.2
  done
}

start_daemon() { # NAME LOG COMMAND...
  local name=$1 log=$2; shift 2
  setsid "$@" </dev/null >"$log" 2>&1 &
  echo $! >"$STATE/$name.pid"
}

start() {
  if is_up && [ -f "$STATE/rgw.pid" ] && kill -0 "$(cat "$STATE/rgw.pid")" 2>/dev/null; then
    say "already running on 127.0.0.1:$PORT"
    # A server booted by an older version of this script has no read-only user: its tests then say so.
    ensure_readonly_user || { say "warning: no read-only user on this server (radosgw-admin failed)"; NO_READONLY=1; }
    print_env; return
  fi
  if listening "$PORT"; then die "127.0.0.1:$PORT is taken by a server that is not ours; unset BLOBFORGE_TEST_S3_PORT or pick another"; fi
  install_packages
  # Found only after the install: on a fresh machine the plug-in folders do not exist before it.
  LIBDIR=/usr/lib/x86_64-linux-gnu
  [ -d "$LIBDIR/rados-classes" ] || LIBDIR=$(dirname "$(ls -d /usr/lib/*/rados-classes 2>/dev/null | head -n1)")
  # On a machine that has just installed the packages, the first monitors have been seen to die at
  # once with nothing in their log (twice in a row); a later boot from scratch works.
  local attempt
  for attempt in 1 2 3 4; do
    if ( boot ); then break; fi
    [ "$attempt" -lt 4 ] || die "the S3 server did not boot in 4 attempts"
    say "boot failed; trying again from scratch in ${attempt}s"; sleep "$attempt"
  done
  print_env
}

boot() {
  stop_quiet
  # A failed boot must not leave half a cluster running.
  trap 'stop_quiet' ERR EXIT
  rm -rf "$STATE"; mkdir -p "$STATE"/{mon,osd,rgw,run}
  local fsid osd_uuid
  fsid=$(cat /proc/sys/kernel/random/uuid)
  osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  cat >"$CONF" <<CONFEOF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$MON_PORT
mon initial members = a
public addr = 127.0.0.1
cluster addr = 127.0.0.1
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc
ms client mode = crc
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
osd objectstore = memstore
memstore device bytes = $((RAM_MB * 1024 * 1024))
run dir = $STATE/run
admin socket = $STATE/run/\$name.asok
log file = $STATE/\$name.log
keyring = $STATE/keyring
osd class dir = $LIBDIR/rados-classes
erasure code dir = $LIBDIR/ceph/erasure-code
plugin dir = $LIBDIR/ceph
mon data = $STATE/mon/\$name
osd data = $STATE/osd/\$name
rgw data = $STATE/rgw/\$name
[mon]
paxos propose interval = 0.05
paxos min wait = 0.01
[client]
ms mon client mode = crc
ms client mode = crc
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$PORT tcp_nodelay=1
rgw dns name = 127.0.0.1
CONFEOF
  monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$MON_PORT]" "$STATE/monmap" >/dev/null
  ceph-mon -c "$CONF" --mkfs -i a --monmap "$STATE/monmap" >"$STATE/mon-mkfs.log" 2>&1 \
    || { cat "$STATE/mon-mkfs.log" >&2; die "ceph-mon --mkfs failed"; }
  start_daemon mon "$STATE/mon.out" ceph-mon -c "$CONF" -i a -f
  wait_for "monitor" 30 "$STATE/mon.pid" "$STATE/mon.out" -- timeout 5 ceph -c "$CONF" mon stat
  timeout 20 ceph -c "$CONF" osd new "$osd_uuid" >/dev/null
  mkdir -p "$STATE/osd/osd.0"
  ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$osd_uuid" >"$STATE/osd-mkfs.log" 2>&1 \
    || { cat "$STATE/osd-mkfs.log" >&2; die "ceph-osd --mkfs failed"; }
  start_daemon osd "$STATE/osd.out" ceph-osd -c "$CONF" -i 0 -f
  wait_for "OSD" 60 "$STATE/osd.pid" "$STATE/osd.out" -- bash -c "timeout 5 ceph -c '$CONF' osd stat -f json | grep -q '\"num_up_osds\":1'"
  start_daemon rgw "$STATE/rgw.out" radosgw -c "$CONF" -n client.rgw.a -f
  wait_for "radosgw" 60 "$STATE/rgw.pid" "$STATE/rgw.out" -- is_up
  timeout 30 radosgw-admin -c "$CONF" -n client.rgw.a user create --uid=test --display-name=test \
    --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >"$STATE/user.log" 2>&1 \
    || { cat "$STATE/user.log" >&2; die "radosgw-admin user create failed"; }
  ensure_readonly_user || die "radosgw-admin user create (readonly) failed"
  trap - ERR EXIT
  print_env >"$STATE/env"
  say "ready on http://127.0.0.1:$PORT (state in $STATE)"
}

stop_quiet() {
  local name pid
  for name in rgw osd mon; do
    [ -f "$STATE/$name.pid" ] || continue
    pid=$(cat "$STATE/$name.pid")
    kill "$pid" 2>/dev/null || true
  done
  for name in rgw osd mon; do
    [ -f "$STATE/$name.pid" ] || continue
    pid=$(cat "$STATE/$name.pid")
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$STATE/$name.pid"
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop_quiet; say "stopped" ;;
  env) [ -f "$STATE/env" ] || die "not running"; cat "$STATE/env" ;;
  *) echo "usage: $0 start|stop|env" >&2; exit 2 ;;
esac
