#!/usr/bin/env bash
# Provokes gnome-keyring 42's first-call race (KNOWN_RACE in secret-service.sh) in bulk, on a private
# bus: a keyring daemon of its own, LOADERS busy loops beside it to stand in for a loaded machine, and
# scripts/keyring-race-client.mjs; prints one JSON line per trial. All of it at nice 19, so that it takes
# only CPU time nobody else wants; bounded by ROUNDS x PER calls and by a 10-minute cap on each loader.
#
#   bash scripts/keyring-race-stress.sh FIRST [hangup] [TRIALS=3] [ROUNDS=1000] [PER=10] [LOADERS=2]
#   (FIRST as in keyring-race-client.mjs: open-session, get, ping-then-open, ping-then-get)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
first=${1:?usage: $0 open-session|get|ping-then-open|ping-then-get [hangup] [TRIALS] [ROUNDS] [PER] [LOADERS]}
shift
hangup=''
if [[ ${1:-} == hangup ]]; then hangup=hangup; shift; fi
trials=${1:-3} rounds=${2:-1000} per=${3:-10} loaders=${4:-2}

loader_pids=()
dir=''
cleanup() {
  ((${#loader_pids[@]})) && kill "${loader_pids[@]}" 2>/dev/null
  if [[ -n $dir ]]; then bash scripts/secret-service.sh stop "$dir" || true; fi
}
trap cleanup EXIT
for ((i = 0; i < loaders; i++)); do
  nice -n 19 node -e 'const end = Date.now() + 600_000; while (Date.now() < end);' &
  loader_pids+=("$!")
done
for ((trial = 1; trial <= trials; trial++)); do
  exports=$(nice -n 19 bash scripts/secret-service.sh start)
  dir=$(eval "$exports"; echo "$AMZ_TOKEN_TEST_SS_DIR")
  nice -n 19 node scripts/keyring-race-client.mjs "$dir" "$rounds" "$per" "$first" $hangup || true
  if [[ -f $dir/keyring-restart.1.log ]]; then grep -m1 -F 'CRITICAL' "$dir/keyring-restart.1.log" >&2 || true; fi
  bash scripts/secret-service.sh stop "$dir"
  dir=''
done
