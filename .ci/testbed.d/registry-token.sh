#!/usr/bin/env bash
# Test-bed addition for several-registry runs: a registry that authenticates with the Bearer token
# flow (as Docker Hub and GHCR do) on 127.0.0.1:5002, next to the Basic (htpasswd) one on :5000.
#   - Debian's docker-registry (distribution 2.8) with `auth: token`, empty storage on every run
#   - .ci/token-server.mjs on 127.0.0.1:5003: the token endpoint (its own user/password, new on
#     every start; anonymous requests get pull-only tokens, like a public Docker Hub repository)
#   - an RSA key and self-signed certificate the tokens are signed with, made once and cached
# Run by .ci/testbed.sh once the bed is up; safe to run again by hand (it restarts both daemons).
# Describes the result in $TB/env.d/registries.json (bed.extra.registries in the tests):
#   {registry, realm, service, username, password}
set -euo pipefail

ENV_FILE=${ML_DOCKER_TESTBED_ENV:-${ML_DOCKER_TESTBED_HOME:-$HOME/.cache/ml-docker-testbed}/env.json}
[[ -f $ENV_FILE ]] || {
  echo "registry-token.sh: $ENV_FILE is missing: bring the test bed up first" >&2
  exit 1
}
TB=$(dirname "$ENV_FILE")
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUSYBOX_IMAGE=$(jq -r .busyboxImage "$ENV_FILE")

ADDR=127.0.0.1:5002
TOKEN_ADDR=127.0.0.1:5003
REALM=http://$TOKEN_ADDR/token
SERVICE=ml-docker-testbed-token
ISSUER=ml-docker-testbed-token-issuer
HOME_DIR=$TB/registry-token
DATA=$HOME_DIR/data
RUN=$TB/run
LOGS=$TB/logs
CONFIG=$HOME_DIR/config.yml
CREDS=$HOME_DIR/credentials.json
SERVER=$HOME_DIR/token-server.mjs

log() { printf '[testbed.d/registry-token %s] %s\n' "$(date +%T)" "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}
show_log() { [[ -f $1 ]] && tail -n 20 "$1" >&2 || true; }

# stop NAME MARKER: stop the process in $RUN/NAME.pid if its command line still names MARKER.
stop() {
  local pidfile=$RUN/$1.pid pid
  [[ -f $pidfile ]] || return 0
  pid=$(cat "$pidfile")
  if [[ -n $pid ]] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -F -- "$2" >/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
    log "stopped $1 (pid $pid)"
  fi
  rm -f "$pidfile"
}

# start NAME LOGFILE CMD...: in its own session, so it outlives this script.
start() {
  local name=$1 logfile=$2
  shift 2
  : >"$logfile"
  setsid "$@" </dev/null >>"$logfile" 2>&1 9>&- &
  echo $! >"$RUN/$name.pid"
}

wait_for() {
  local what=$1 logfile=$2
  shift 2
  for _ in $(seq 100); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  show_log "$logfile"
  die "$what did not come up"
}

mkdir -p "$HOME_DIR" "$RUN" "$LOGS" "$TB/env.d"
stop registry-token "$CONFIG"
stop token-server "$SERVER"
for a in "$ADDR" "$TOKEN_ADDR"; do
  if (: </dev/tcp/"${a%:*}"/"${a#*:}") 2>/dev/null; then
    die "$a is in use by a process this script did not start"
  fi
done

# Signing key and certificate: made once. distribution 2.8 wants the certificate in the token's
# x5c to chain to its rootcertbundle and to allow digital signatures.
if [[ ! -s $HOME_DIR/key.pem || ! -s $HOME_DIR/cert.pem ]]; then
  log "generating the token signing key and certificate"
  (umask 077 && openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -sha256 \
    -subj "/CN=$ISSUER" -keyout "$HOME_DIR/key.pem" -out "$HOME_DIR/cert.pem" \
    -addext 'basicConstraints=critical,CA:TRUE' \
    -addext 'keyUsage=critical,digitalSignature,keyCertSign' 2>"$LOGS/registry-token-openssl.log") ||
    {
      show_log "$LOGS/registry-token-openssl.log"
      die "openssl failed"
    }
fi

# Empty storage on every start, like the htpasswd registry.
rm -rf "$DATA"
mkdir -p "$DATA"
(
  umask 077
  cat >"$CONFIG" <<EOF
version: 0.1
log:
  level: info
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $DATA
  delete:
    enabled: true
http:
  addr: $ADDR
  secret: $(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
auth:
  token:
    realm: $REALM
    service: $SERVICE
    issuer: $ISSUER
    rootcertbundle: $HOME_DIR/cert.pem
EOF
)
# The server runs from a copy, so a checkout that moves or changes does not pull it from under us.
cp "$REPO_ROOT/.ci/token-server.mjs" "$SERVER"
rm -f "$CREDS"
start token-server "$LOGS/token-server.log" node "$SERVER" --listen "$TOKEN_ADDR" \
  --key "$HOME_DIR/key.pem" --cert "$HOME_DIR/cert.pem" --issuer "$ISSUER" --service "$SERVICE" \
  --credentials-out "$CREDS"
start registry-token "$LOGS/registry-token.log" /usr/bin/docker-registry serve "$CONFIG"
wait_for "the token server on $TOKEN_ADDR" "$LOGS/token-server.log" test -s "$CREDS"
wait_for "the registry on $ADDR" "$LOGS/registry-token.log" \
  bash -c "[[ \$(curl -s -o /dev/null -w '%{http_code}' http://$ADDR/v2/) == 401 ]]"
USERNAME=$(jq -r .username "$CREDS")
PASSWORD=$(jq -r .password "$CREDS")

# Checks: the challenge, a wrong password, docker login + push with the right one.
challenge=$(curl -s -D - -o /dev/null "http://$ADDR/v2/" | tr -d '\r' | grep -i '^www-authenticate:' || true)
[[ $challenge == *"Bearer realm=\"$REALM\""* && $challenge == *"service=\"$SERVICE\""* ]] ||
  die "unexpected challenge from $ADDR: ${challenge:-none}"
[[ $(curl -s -o /dev/null -w '%{http_code}' -u "$USERNAME:wrong" "$REALM?service=$SERVICE") == 401 ]] ||
  die "the token server accepts a wrong password"
cfg=$(mktemp -d)
trap 'rm -rf "$cfg"' EXIT
printf '%s' "$PASSWORD" | DOCKER_CONFIG=$cfg docker login "$ADDR" -u "$USERNAME" --password-stdin \
  >"$LOGS/registry-token-check.log" 2>&1 || {
  show_log "$LOGS/registry-token-check.log"
  die "docker login $ADDR failed"
}
probe=$ADDR/testbed-probe/busybox:1
docker image inspect "$BUSYBOX_IMAGE" >/dev/null 2>&1 || docker pull -q "$BUSYBOX_IMAGE" >/dev/null
docker tag "$BUSYBOX_IMAGE" "$probe"
DOCKER_CONFIG=$cfg docker push -q "$probe" >>"$LOGS/registry-token-check.log" 2>&1 || {
  show_log "$LOGS/registry-token-check.log"
  docker rmi "$probe" >/dev/null 2>&1 || true
  die "docker push $probe failed"
}
docker rmi "$probe" >/dev/null 2>&1 || true
# Anonymous: the token server grants pull only, so the registry refuses an upload.
anon=$(curl -s "$REALM?service=$SERVICE&scope=repository:testbed-probe/busybox:pull,push" | jq -r .token)
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $anon" \
  "http://$ADDR/v2/testbed-probe/busybox/blobs/uploads/")
[[ $code == 401 ]] || die "an anonymous token may start an upload (HTTP $code)"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $anon" \
  -H 'Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' \
  "http://$ADDR/v2/testbed-probe/busybox/manifests/1")
[[ $code == 200 ]] || die "an anonymous token cannot pull (HTTP $code)"

(
  umask 077
  jq -n --arg registry "$ADDR" --arg realm "$REALM" --arg service "$SERVICE" \
    --arg username "$USERNAME" --arg password "$PASSWORD" \
    '{registry: $registry, realm: $realm, service: $service, username: $username, password: $password}' \
    >"$TB/env.d/registries.json.tmp"
  mv "$TB/env.d/registries.json.tmp" "$TB/env.d/registries.json"
)
log "token registry on $ADDR (realm $REALM), user $USERNAME: login, push and anonymous pull-only checked"
