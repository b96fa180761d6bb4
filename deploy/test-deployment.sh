#!/usr/bin/env bash
# deploy/test-deployment.sh — perform the deployment of docs/deployment.md on this machine and
# check that it works, so that a document that drifts from the software fails CI.
#
# As root (CI: a fresh Debian, no systemd running).  Everything listens on 127.0.0.1 only and
# lives under one temporary directory that stands for / (…/srv/zwgk, …/etc/zwgk); a service
# user is created and removed again.  Steps, as the documents give them:
#   1. service user; a wheel built from this checkout; a venv owned by the service user
#   2. PostgreSQL (its own cluster on a free port, password auth, role + database owned by it)
#   3. Redis with the ACL user of deploy/redis/zwgk-acl.conf (`default` off)
#   4. /etc/zwgk: env files from deploy/env, pgpass from deploy/postgresql (modes 0640 / 0600)
#   5. the services: the ExecStart, User, WorkingDirectory and EnvironmentFile lines of
#      deploy/systemd/*.service are read and run as written (two workers, beat, dashboard);
#      systemd is not needed
#   6. nginx with deploy/nginx/zwgk.conf (ports and certificate paths replaced), a
#      self-signed certificate for zwgk.example.gov.cn
#   7. a round of the site farm on the workers (zwgk assess --executor celery) and a probe
#      pass, then the checks: round done, findings stored, login page through nginx with the
#      security headers, no password on any command line, the restore check of §8
# zwgk and its dependencies are installed the way docs/deployment.md §1 gives for servers without
# Internet access: a wheelhouse collected with `pip wheel` (this machine stands for the build
# machine too), installed into the service user's venv with `pip install --no-index`.
# Options (environment): ZWGK_DEPLOY_KEEP=1 keeps the directory and processes' logs;
# ZWGK_DEPLOY_WHEELS=DIR (default /var/cache/zwgk-deploy) keeps the dependencies' wheels and the
# build venv between runs: a run whose requirements they satisfy collects the wheelhouse from
# there without the package index (delete DIR to collect the newest versions again).
set -euo pipefail
umask 022

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")
[ "$(id -u)" = 0 ] || { echo "test-deployment.sh: run as root (it creates a service user)" >&2; exit 2; }
T0=$(date +%s)
say() { printf '[%3ss] %s\n' "$(( $(date +%s) - T0 ))" "$*"; }
fail() { echo "test-deployment.sh: FAILED: $*" >&2; exit 1; }

SVC=${ZWGK_DEPLOY_USER:-zwgkdt}          # stands for the documents' `zwgk` user
id "$SVC" >/dev/null 2>&1 && fail "user $SVC exists already; set ZWGK_DEPLOY_USER to a name not in use"
WORK=$(mktemp -d /tmp/zwgk-deploy.XXXXXX)
chmod 0755 "$WORK"
SRV=$WORK/srv/zwgk                       # /srv/zwgk
ETC=$WORK/etc/zwgk                       # /etc/zwgk
PIDS=()
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PGDATA=$WORK/pg/data

cleanup() {
  set +e
  say "cleanup"
  for pid in "${PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null; done
  [ -f "$WORK/nginx/nginx.pid" ] && kill -QUIT "$(cat "$WORK/nginx/nginx.pid")" 2>/dev/null
  [ -d "$PGDATA" ] && runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PGDATA" -m immediate -w stop >/dev/null 2>&1
  for _ in $(seq 50); do   # Celery's warm shutdown: up to 10 s
    alive=""; for pid in "${PIDS[@]}"; do kill -0 -- "-$pid" 2>/dev/null && alive=1; done
    [ -n "$alive" ] || break; sleep 0.2
  done
  for pid in "${PIDS[@]}"; do kill -KILL -- "-$pid" 2>/dev/null; done
  say "cleanup: processes stopped"
  for pid in $(pgrep -u "$SVC" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done  # the user is this run's own
  userdel "$SVC" 2>/dev/null
  if [ "${ZWGK_DEPLOY_KEEP:-}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
  say "cleaned up"
}
trap cleanup EXIT
trap 'echo "--- logs ---" >&2; tail -n 25 "$WORK"/logs/*.log >&2 2>/dev/null' ERR

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
secret() { /usr/bin/python3 -c 'import secrets; print(secrets.token_urlsafe(24))'; }
as_svc() { runuser -u "$SVC" -- "$@"; }
mkdir -p "$WORK/logs" "$WORK/srv" "$WORK/etc"
chmod 0777 "$WORK/logs"

for cmd in redis-server nginx openssl curl runuser; do
  command -v "$cmd" >/dev/null || [ -x "/usr/sbin/$cmd" ] || fail "$cmd missing: run scripts/install-test-deps.sh"
done
/usr/bin/python3 -c 'import ensurepip, venv' 2>/dev/null || fail "python3-venv missing: apt-get install python3-venv"
[ -x "$PG_BIN/postgres" ] || fail "postgresql missing: apt-get install postgresql"

DB_PW=$(secret); REDIS_PW=$(secret); DASH_PW=$(secret)
PG_PORT=$(free_port); REDIS_PORT=$(free_port); DASH_PORT=$(free_port)
HTTPS_PORT=$(free_port); HTTP_PORT=$(free_port); FARM_PORT=$(free_port); FARM_DNS=$(free_port)

# ------------------------------------------------------------------ 1. user, wheel, venv
say "1. service user $SVC, wheel, venv"
useradd --system --create-home --home-dir "$SRV" --shell /usr/sbin/nologin "$SVC"
mkdir -p "$WORK/src" "$WORK/dist"
if git -C "$REPO" rev-parse >/dev/null 2>&1; then
  (cd "$REPO" && git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf -) | tar -C "$WORK/src" -xf -
else
  cp -a "$REPO/." "$WORK/src/"
fi
python3 -m pip wheel -q --no-deps --no-build-isolation -w "$WORK/dist" "$WORK/src" >"$WORK/logs/wheel.log" 2>&1 \
  || python3 -m pip wheel -q --no-deps -w "$WORK/dist" "$WORK/src" >>"$WORK/logs/wheel.log" 2>&1 \
  || fail "building the wheel: $(tail -5 "$WORK/logs/wheel.log")"
WHEEL=$(ls "$WORK"/dist/zwgk-*.whl)
chmod -R a+rX "$WORK/dist"
# The wheelhouse (build machine): zwgk's wheel and every dependency's, by the build venv's pip
# (/usr/bin/python3, the servers' Python).  Kept wheels first, without the index; else online.
KEPT=${ZWGK_DEPLOY_WHEELS:-/var/cache/zwgk-deploy}
WH="$WORK/wheelhouse"
mkdir -p "$KEPT/wheels" "$WH"
[ -x "$KEPT/build/bin/pip" ] || /usr/bin/python3 -m venv "$KEPT/build" >"$WORK/logs/build-venv.log" 2>&1 \
  || fail "the build venv: $(tail -5 "$WORK/logs/build-venv.log")"
collect=("$KEPT/build/bin/pip" wheel -q --disable-pip-version-check -w "$WH" --find-links "$KEPT/wheels" "$WHEEL[postgres,celery]")
if "${collect[@]}" --no-index >"$WORK/logs/wheelhouse.log" 2>&1; then
  say "   wheelhouse collected from the wheels kept in $KEPT"
else
  "${collect[@]}" >>"$WORK/logs/wheelhouse.log" 2>&1 || fail "pip wheel: $(tail -5 "$WORK/logs/wheelhouse.log")"
  find "$WH" -maxdepth 1 -name '*.whl' ! -name 'zwgk-*' -exec cp -n {} "$KEPT/wheels/" \;
  say "   wheelhouse collected from the package index (kept in $KEPT for the next run)"
fi
chmod -R a+rX "$WH"
# Every server: the venv, installed from the wheelhouse alone (no index, no pip configuration of this
# machine, so a wheel missing from the wheelhouse fails here as it would on an intranet server).
as_svc /usr/bin/python3 -m venv "$SRV/venv"
as_svc env -u PIP_FIND_LINKS -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL -u PIP_CONSTRAINT PIP_CONFIG_FILE=/dev/null \
  "$SRV/venv/bin/pip" install -q --disable-pip-version-check --no-index --find-links "$WH" "$WHEEL[postgres,celery]" \
  >"$WORK/logs/pip.log" 2>&1 || fail "pip install from the wheelhouse: $(tail -5 "$WORK/logs/pip.log")"
say "   venv installed from the wheelhouse ($(find "$WH" -name '*.whl' | wc -l) wheels, no index)"
as_svc "$SRV/venv/bin/zwgk" --version >/dev/null
[ "$(stat -c %U "$SRV/venv/bin/python3")" = "$SVC" ] || fail "the venv is not owned by $SVC"
install -d -o root -g "$SVC" -m 0750 "$ETC"

# ------------------------------------------------------------------ 2. PostgreSQL
say "2. PostgreSQL ($(basename "$(dirname "$PG_BIN")")) on 127.0.0.1:$PG_PORT"
install -d -o postgres -g postgres -m 0700 "$WORK/pg" "$WORK/pg/sock"
chmod 0755 "$WORK/pg" "$WORK/pg/sock"
runuser -u postgres -- "$PG_BIN/initdb" -D "$PGDATA" -U postgres --auth-local=peer --auth-host=scram-sha-256 \
  -E UTF8 --no-locale --no-sync >"$WORK/logs/initdb.log" 2>&1
# the host lines of deploy/postgresql/pg_hba.conf.example (the team network line is harmless here)
grep -E '^host' "$HERE/postgresql/pg_hba.conf.example" >>"$PGDATA/pg_hba.conf"
runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$WORK/logs/postgresql.log" -w -t 60 \
  -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $WORK/pg/sock -c max_connections=150 -c fsync=off -c synchronous_commit=off" start >/dev/null
psql_admin() { runuser -u postgres -- "$PG_BIN/psql" -h "$WORK/pg/sock" -p "$PG_PORT" -v ON_ERROR_STOP=1 -qAt "$@"; }
# createuser --pwprompt zwgk / createdb --owner zwgk: the password goes in on stdin, not argv
psql_admin -d postgres <<SQL
CREATE ROLE zwgk LOGIN PASSWORD '$DB_PW';
CREATE DATABASE zwgk OWNER zwgk ENCODING 'UTF8';
SQL

# ------------------------------------------------------------------ 3. Redis with the ACL user
say "3. Redis with ACL user zwgk on 127.0.0.1:$REDIS_PORT"
install -d -m 0750 -o redis -g redis "$WORK/redis" 2>/dev/null || { install -d -m 0750 "$WORK/redis"; }
REDIS_USER=$(id -u redis >/dev/null 2>&1 && echo redis || echo nobody)
chown "$REDIS_USER" "$WORK/redis"
sed -e "s/CHANGE-ME-REDIS-PASSWORD/$REDIS_PW/" -e 's/^bind .*/bind 127.0.0.1/' "$HERE/redis/zwgk-acl.conf" >"$WORK/redis/zwgk-acl.conf"
cat >"$WORK/redis/redis.conf" <<EOF
port $REDIS_PORT
dir $WORK/redis
daemonize no
logfile ""
include $WORK/redis/zwgk-acl.conf
EOF
chown "$REDIS_USER" "$WORK/redis/"*; chmod 0640 "$WORK/redis/"*
setsid runuser -u "$REDIS_USER" -- redis-server "$WORK/redis/redis.conf" >"$WORK/logs/redis.log" 2>&1 &
PIDS+=($!); disown
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT") 2>/dev/null && break; sleep 0.1; done
[ "$(redis-cli -p "$REDIS_PORT" ping 2>&1)" != PONG ] || fail "Redis answers without a password (default user must be off)"

# ------------------------------------------------------------------ 4. /etc/zwgk
say "4. $ETC: env files, pgpass"
DB_URL="postgresql+psycopg://zwgk@127.0.0.1:$PG_PORT/zwgk"
BROKER="redis://zwgk:$REDIS_PW@127.0.0.1:$REDIS_PORT/0"
put_env() {  # put_env TEMPLATE DEST KEY=VALUE… : the template with these keys' values replaced
  local src=$1 dest=$2; shift 2
  cp "$src" "$dest.new"
  for kv in "$@"; do
    local key=${kv%%=*}
    grep -q "^$key=" "$dest.new" || fail "$src has no $key= line"
    KV=$kv KEY=$key /usr/bin/python3 - "$dest.new" <<'PY'
import os, re, sys
p = sys.argv[1]
text = open(p, encoding="utf-8").read()
text = re.sub(rf"^{re.escape(os.environ['KEY'])}=.*$", lambda m: os.environ["KV"], text, flags=re.M)
open(p, "w", encoding="utf-8").write(text)
PY
  done
  install -m 0640 -o root -g "$SVC" "$dest.new" "$dest" && rm -f "$dest.new"
}
put_env "$HERE/env/zwgk.env" "$ETC/zwgk.env" "ZWGK_DB=$DB_URL" "PGPASSFILE=$ETC/pgpass" "ZWGK_ARCHIVE=$SRV/archive"
put_env "$HERE/env/broker.env" "$ETC/broker.env" "ZWGK_BROKER=$BROKER"
put_env "$HERE/env/dashboard.env" "$ETC/dashboard.env" "ZWGK_DASHBOARD_SECRET=$(secret)"
put_env "$HERE/env/monitor.env" "$ETC/monitor.env" "ZWGK_SMTP_PASSWORD=$(secret)"
install -m 0640 -o root -g "$SVC" "$HERE/env/alerts.toml" "$ETC/alerts.toml"
sed -e "s/:5432:/:$PG_PORT:/" -e "s/CHANGE-ME-DB-PASSWORD/$DB_PW/" "$HERE/postgresql/pgpass.example" >"$WORK/pgpass.new"
install -m 0600 -o "$SVC" -g "$SVC" "$WORK/pgpass.new" "$ETC/pgpass" && rm -f "$WORK/pgpass.new"
install -d -o "$SVC" -g "$SVC" -m 0750 "$SRV/archive" "$SRV/bulletins"

# ------------------------------------------------------------------ 5. services from the unit files
# unit_field UNIT KEY: the values of KEY= in UNIT, one a line
unit_field() { sed -n "s/^$2=//p" "$1"; }
# A unit's command line and environment as systemd would make them (paths under $WORK).
start_unit() {  # start_unit UNIT INSTANCE LOGNAME [EXTRA ARGS…]
  local unit=$1 inst=$2 log=$3; shift 3
  local user wd exec envs=() f opt
  user=$(unit_field "$unit" User); wd=$(unit_field "$unit" WorkingDirectory)
  [ "$user" = zwgk ] || fail "$unit: User=$user, the documents say zwgk"
  exec=$(unit_field "$unit" ExecStart)
  [ -n "$exec" ] || fail "$unit has no ExecStart"
  exec=${exec//%i/$inst}; exec=${exec//%H/$(hostname)}; exec=${exec//%%/%}
  exec=${exec//\/srv\/zwgk/$SRV}; exec=${exec//\/etc\/zwgk/$ETC}; exec=${exec//8501/$DASH_PORT}
  wd=${wd//\/srv\/zwgk/$SRV}
  while read -r f; do
    [ -n "$f" ] || continue
    opt=""; [ "${f:0:1}" = - ] && { opt=1; f=${f:1}; }
    f=${f//\/etc\/zwgk/$ETC}
    if ! runuser -u "$SVC" -- test -r "$f"; then
      [ -n "$opt" ] && continue
      fail "$unit: EnvironmentFile $f is not readable by $SVC"
    fi
    envs+=("$f")
  done < <(unit_field "$unit" EnvironmentFile)
  # A clean environment plus the env files (sourced, not put on a command line), as systemd does.
  setsid env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 HOME="$SRV" USER="$SVC" \
    ENVS="${envs[*]}" WD="$wd" SVC="$SVC" EXEC="$exec" EXTRA="$*" \
    bash -c 'set -a; for f in $ENVS; do . "$f"; done; set +a; cd "$WD"; unset ENVS WD; exec runuser -u "$SVC" -- $EXEC $EXTRA' \
    >"$WORK/logs/$log.log" 2>&1 &
  PIDS+=($!); disown
}
say "5. services: zwgk-worker@1, zwgk-worker@2, zwgk-beat, zwgk-dashboard (from deploy/systemd)"
start_unit "$HERE/systemd/zwgk-worker@.service" 1 worker1
start_unit "$HERE/systemd/zwgk-worker@.service" 2 worker2
# The farm is on loopback with its own DNS server: the monitoring jobs must be allowed to reach it.
start_unit "$HERE/systemd/zwgk-beat.service" "" beat --allow-private --resolver "127.0.0.1:$FARM_DNS"
start_unit "$HERE/systemd/zwgk-dashboard.service" "" dashboard
wait_log() {  # wait_log LOG TEXT SECONDS
  for _ in $(seq $(( $3 * 5 ))); do grep -q "$2" "$WORK/logs/$1.log" 2>/dev/null && return 0; sleep 0.2; done
  tail -20 "$WORK/logs/$1.log" >&2; fail "$1: no '$2' within $3 s"
}
wait_log worker1 "ready" 90
wait_log worker2 "ready" 90
wait_log beat "zwgk beat:" 60
for _ in $(seq 150); do curl -s -o /dev/null "http://127.0.0.1:$DASH_PORT/zwgk/login" && break; sleep 0.2; done

# ------------------------------------------------------------------ 6. nginx
say "6. nginx on 127.0.0.1:$HTTPS_PORT (https) and :$HTTP_PORT (http)"
mkdir -p "$WORK/nginx/sites-enabled" "$WORK/ssl"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=zwgk.example.gov.cn" \
  -addext "subjectAltName=DNS:zwgk.example.gov.cn" -keyout "$WORK/ssl/privkey.pem" -out "$WORK/ssl/fullchain.pem" 2>/dev/null
chmod 0600 "$WORK/ssl/privkey.pem"
sed -e "s|listen 443 ssl|listen 127.0.0.1:$HTTPS_PORT ssl|" -e "s|listen 80;|listen 127.0.0.1:$HTTP_PORT;|" \
    -e '/listen \[::\]/d' -e "s|/etc/ssl/zwgk|$WORK/ssl|" -e "s|127.0.0.1:8501|127.0.0.1:$DASH_PORT|" \
    "$HERE/nginx/zwgk.conf" >"$WORK/nginx/sites-enabled/zwgk"
cat >"$WORK/nginx/nginx.conf" <<EOF
user www-data;
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/logs/nginx-error.log;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    access_log $WORK/logs/nginx-access.log;
    include $WORK/nginx/sites-enabled/*;
}
EOF
id www-data >/dev/null 2>&1 || sed -i 's/^user www-data;/user nobody;/' "$WORK/nginx/nginx.conf"
nginx -t -q -p "$WORK/nginx/" -c "$WORK/nginx/nginx.conf" 2>"$WORK/logs/nginx-t.log" || fail "nginx -t: $(cat "$WORK/logs/nginx-t.log")"
nginx -p "$WORK/nginx/" -c "$WORK/nginx/nginx.conf"

# ------------------------------------------------------------------ 7. a round, a probe pass, checks
say "7. site farm, a round on the workers, a probe pass"
as_zwgk() {  # a zwgk command as the service user with the env files (an evaluator's shell on the host)
  env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 HOME="$SRV" ENVS="$ETC/zwgk.env $ETC/broker.env" SVC="$SVC" ZWGK="$SRV/venv/bin/zwgk" \
    bash -c 'set -a; for f in $ENVS; do . "$f"; done; set +a; unset ENVS; cd "$HOME"; exec runuser -u "$SVC" -- "$ZWGK" "$@"' zwgk "$@"
}
setsid runuser -u "$SVC" -- "$SRV/venv/bin/zwgk" farm serve --sites 6 --seed 3 --port "$FARM_PORT" --dns-port "$FARM_DNS" \
  --no-ipv6 --registry-out "$SRV/farm-sites.csv" --truth "$SRV/farm-truth.json" >"$WORK/logs/farm.log" 2>&1 &
PIDS+=($!); disown
for _ in $(seq 150); do [ -s "$SRV/farm-sites.csv" ] && (exec 3<>"/dev/tcp/127.0.0.1/$FARM_PORT") 2>/dev/null && break; sleep 0.2; done
[ -s "$SRV/farm-sites.csv" ] || fail "the farm did not start: $(tail -5 "$WORK/logs/farm.log")"
as_zwgk registry import "$SRV/farm-sites.csv" >"$WORK/logs/registry.log" 2>&1 || fail "registry import: $(tail -5 "$WORK/logs/registry.log")"
as_zwgk assess --round deploy-test --as-of 2026-11-20 --executor celery --allow-private --resolver "127.0.0.1:$FARM_DNS" \
  --max-pages 20 --quiet >"$WORK/logs/assess.log" 2>&1 || fail "the round on the workers: $(tail -15 "$WORK/logs/assess.log")"
as_zwgk round status --round deploy-test >"$WORK/logs/status.log" 2>&1
grep -q "status done" "$WORK/logs/status.log" || fail "round not done: $(cat "$WORK/logs/status.log")"
as_zwgk export findings --round deploy-test --format csv -o "$SRV/findings.csv" >/dev/null 2>&1
FINDINGS=$(( $(wc -l <"$SRV/findings.csv") - 1 ))
[ "$FINDINGS" -gt 0 ] || fail "the round stored no findings"
grep -q "site " "$WORK/logs/worker1.log" "$WORK/logs/worker2.log" || fail "no worker crawled a site"
as_zwgk probe --allow-private --resolver "127.0.0.1:$FARM_DNS" --timeout 5 >"$WORK/logs/probe.log" 2>&1 || fail "probe: $(tail -5 "$WORK/logs/probe.log")"
grep -q "probed 6" "$WORK/logs/probe.log" || fail "probe pass: $(cat "$WORK/logs/probe.log")"
# The same pass as beat sends it (its schedule entry, its kwargs: a database fingerprint, no URL), run by a worker.
as_python() {  # python of the venv as the service user, with the env files
  env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 HOME="$SRV" ENVS="$ETC/zwgk.env $ETC/broker.env" SVC="$SVC" PY="$SRV/venv/bin/python3" \
    bash -c 'set -a; for f in $ENVS; do . "$f"; done; set +a; unset ENVS; cd "$HOME"; exec runuser -u "$SVC" -- "$PY" -c "$@"' py "$@"
}
as_python "
import time
from zwgk.distributed.celery_app import app, configure
from zwgk.monitor.schedule import MonitorConfig, beat_schedule
from zwgk.storage import Database
from zwgk.storage.identity import database_fingerprint
from zwgk.storage.probes import probe_count
configure()
db = Database.open()
before = probe_count(db)
entry = beat_schedule(MonitorConfig(db_fingerprint=database_fingerprint(db), allow_private=True, resolver='127.0.0.1:$FARM_DNS'))['zwgk-probes']
assert '://' not in repr(entry['kwargs'])
app.send_task(entry['task'], kwargs=entry['kwargs'], queue='zwgk')
for _ in range(600):
    if probe_count(db) >= before + 6:
        break
    time.sleep(0.1)
else:
    raise SystemExit('no worker ran the probe pass sent as beat sends it')
" >"$WORK/logs/probe-task.log" 2>&1 || fail "probe pass on the workers: $(tail -5 "$WORK/logs/probe-task.log")"
say "   round done on the workers, $FINDINGS findings; probe passes over 6 sites (zwgk probe, and a worker as beat sends it)"

say "8. dashboard through nginx, secrets, restore check"
printf '%s\n' "$DASH_PW" | as_zwgk users add lead --role leader --display-name 张主任 --password-stdin >/dev/null
CURL=(curl -sS --max-time 20 --resolve "zwgk.example.gov.cn:$HTTPS_PORT:127.0.0.1" --cacert "$WORK/ssl/fullchain.pem")
"${CURL[@]}" -D "$WORK/headers.txt" -o "$WORK/login.html" "https://zwgk.example.gov.cn:$HTTPS_PORT/zwgk/login"
head -1 "$WORK/headers.txt" | grep -q " 200" || fail "login page: $(head -1 "$WORK/headers.txt")"
grep -q '<form' "$WORK/login.html" || fail "the login page has no form"
for h in "strict-transport-security: max-age=" "x-content-type-options: nosniff" "x-frame-options: DENY" \
         "referrer-policy: same-origin" "content-security-policy: .*frame-ancestors 'none'"; do
  grep -qi "^$h" "$WORK/headers.txt" || fail "header missing through nginx: $h"
done
[ "$(grep -ci '^x-frame-options:' "$WORK/headers.txt")" = 1 ] || fail "X-Frame-Options sent twice"
grep -qi '^server: nginx\s*$' "$WORK/headers.txt" || fail "server_tokens: $(grep -i '^server:' "$WORK/headers.txt")"
# Log in through nginx: the login front sees https (X-Forwarded-Proto, --trust-proxy) and marks the session cookie Secure.
CSRF=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$WORK/login.html")
printf 'csrf=%s&next=%%2F&username=lead&password=%s' "$CSRF" "$DASH_PW" >"$WORK/login-form"
"${CURL[@]}" -o /dev/null -D "$WORK/login-headers.txt" -b "zwgk_csrf=$CSRF" -H "Origin: https://zwgk.example.gov.cn:$HTTPS_PORT" \
  --data-binary "@$WORK/login-form" "https://zwgk.example.gov.cn:$HTTPS_PORT/zwgk/login"
rm -f "$WORK/login-form"
head -1 "$WORK/login-headers.txt" | grep -q " 303" || fail "login through nginx: $(head -1 "$WORK/login-headers.txt")"
grep -qi '^set-cookie: zwgk_session=.*; *Secure' "$WORK/login-headers.txt" || fail "the session cookie is not Secure behind nginx"
LOC=$(curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' -H 'Host: zwgk.example.gov.cn' "http://127.0.0.1:$HTTP_PORT/zwgk/login")
[[ "$LOC" == "301 https://zwgk.example.gov.cn/zwgk/login" ]] || fail "http is not redirected to https: $LOC"

for pid in $(pgrep -u "$SVC"); do
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)
  for s in "$DB_PW" "$REDIS_PW"; do
    [[ "$cmdline" != *"$s"* ]] || fail "a password is on the command line of pid $pid: ${cmdline%% *}…"
  done
done
for s in "$DB_PW" "$REDIS_PW"; do
  ! grep -rqF -- "$s" "$WORK/logs" || fail "a password appears in a log: $(grep -rlF -- "$s" "$WORK/logs")"
done

# §8 Backups: dump, restore into zwgk_restore, read it with the same pgpass (its `*` database field)
runuser -u postgres -- "$PG_BIN/pg_dump" -h "$WORK/pg/sock" -p "$PG_PORT" --format=custom --file="$WORK/pg/zwgk.dump" zwgk
psql_admin -d postgres <<<"CREATE DATABASE zwgk_restore OWNER zwgk;"
runuser -u postgres -- "$PG_BIN/pg_restore" -h "$WORK/pg/sock" -p "$PG_PORT" --dbname=zwgk_restore --no-owner --role=zwgk "$WORK/pg/zwgk.dump"
env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME="$SRV" PGPASSFILE="$ETC/pgpass" ZWGK_DB="postgresql+psycopg://zwgk@127.0.0.1:$PG_PORT/zwgk_restore" \
  runuser -u "$SVC" -- "$SRV/venv/bin/zwgk" round status --round deploy-test >"$WORK/logs/restore.log" 2>&1 \
  || fail "restore check: $(tail -3 "$WORK/logs/restore.log")"
grep -q "status done" "$WORK/logs/restore.log" || fail "restore check: $(cat "$WORK/logs/restore.log")"
ps -p "${PIDS[2]}" >/dev/null || fail "beat stopped: $(tail -5 "$WORK/logs/beat.log")"
say "deployment test passed in $(( $(date +%s) - T0 )) s"
