#!/usr/bin/env bash
# Owns `npm test`: installs what the tests need, builds, runs vitest against a private Secret Service, and fails on skipped or zero tests.
#
# Usage: bash scripts/test.sh [vitest args...]   e.g. bash scripts/test.sh test/unit/foo.test.ts
#
# AMZ_TOKEN_TEST_CLOCK_AHEAD_DAYS=N runs the tests (vitest and everything it starts) with the clock N days
# ahead, under Debian's faketime: a test that feeds the CLI a fixed date fails now, not the year it goes stale.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { echo "test.sh: $*" >&2; }

# 1. System packages. A fresh machine has none of them, and the tests that need them must run,
#    not skip, so install them rather than carry on without.
# dbus-monitor (dbus-bin) sees which D-Bus calls the keychain's lock check makes. zsh and fish: the
# completion scripts are loaded into the real shells. script (bsdutils, always there) gives the
# spinner test its terminal. promtool (from prometheus) lints the metrics and
# unit-tests the alert rules; prometheus-node-exporter serves the metrics file. pass, gnupg, git and
# the docker credential helpers: the shared-store tests run the real ones (test/e2e/store-*.test.ts).
# openssl makes the throwaway CA behind the Amazon double's https listener, which the SP-API client
# libraries' jobs talk to, and the one nginx (nginx-light) puts in front of `amz-token serve` in the
# serve-nginx tests, rendering the shipped contrib/nginx snippet; Caddy runs the shipped Caddyfile the
# same way, and systemd-analyze verifies the shipped unit. tmux is the terminal that the
# hang-up test closes under a running command.
NEEDED_COMMANDS=(gnome-keyring-daemon dbus-daemon dbus-send dbus-monitor secret-tool chromium zsh fish script openssl tmux
  promtool prometheus-node-exporter pass gpg gpgconf git docker-credential-pass docker-credential-secretservice nginx
  caddy systemd-analyze)
DEBIAN_PACKAGES=(gnome-keyring dbus-x11 dbus-bin libsecret-tools chromium zsh fish bsdutils openssl tmux
  prometheus prometheus-node-exporter pass gnupg git golang-docker-credential-helpers nginx-light caddy systemd)
# The clock moves only for step 5, after apt-get and npm ci: apt refuses a Release file past its
# Valid-Until, and TLS to the registries fails on certificates that have expired by the faked date.
clock_ahead=${AMZ_TOKEN_TEST_CLOCK_AHEAD_DAYS:-}
if [[ -n $clock_ahead ]]; then
  [[ $clock_ahead =~ ^[0-9]{1,5}$ ]] || { say "AMZ_TOKEN_TEST_CLOCK_AHEAD_DAYS must be a whole number of days, not '$clock_ahead'"; exit 2; }
  NEEDED_COMMANDS+=(faketime)
  DEBIAN_PACKAGES+=(faketime)
fi
missing=()
for cmd in "${NEEDED_COMMANDS[@]}"; do
  command -v "$cmd" >/dev/null || missing+=("$cmd")
done
if ((${#missing[@]})); then
  # Only the packages not installed yet, and --no-upgrade: installing what the tests lack must not
  # upgrade what the machine has (a plain `apt-get install` of every package upgraded Chromium and systemd).
  to_install=()
  for package in "${DEBIAN_PACKAGES[@]}"; do
    [[ $(dpkg-query -W -f='${Status}' "$package" 2>/dev/null) == 'install ok installed' ]] || to_install+=("$package")
  done
  say "missing ${missing[*]}; installing Debian packages: ${to_install[*]:-(none: all are installed, yet commands are missing)}"
  if [[ $(id -u) -eq 0 ]]; then
    as_root=()
  elif command -v sudo >/dev/null; then
    as_root=(sudo)
  else
    say "not root and no sudo: install these Debian packages yourself, then rerun: ${to_install[*]:-${DEBIAN_PACKAGES[*]}}"
    exit 1
  fi
  command -v apt-get >/dev/null || {
    say "apt-get not found: install the equivalents of these Debian packages yourself: ${DEBIAN_PACKAGES[*]}"
    exit 1
  }
  if ((${#to_install[@]})); then
    # `env` because sudo drops the caller's environment.
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends --no-upgrade "${to_install[@]}"
  fi
  for cmd in "${NEEDED_COMMANDS[@]}"; do
    command -v "$cmd" >/dev/null || { say "'$cmd' is still missing after installing ${to_install[*]:-nothing}"; exit 1; }
  done
fi

# 2. Node dependencies: install on a fresh clone or when the lockfile changed since the last install.
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci
fi

# 2b. Programs the tests run on a Node of their own (test/tools/package.json): Node 24 LTS and the
#     fauxqs SQS server. A folder of their own, so that their bin/node never shadows the Node under test.
if [[ ! -d test/tools/node_modules || test/tools/package-lock.json -nt test/tools/node_modules/.package-lock.json ]]; then
  # fauxqs declares Node >= 22 and runs on Node 24 only, so these are installed without the project's
  # engine-strict. The flag, not test/tools/.npmrc alone: under `npm test` npm passes its own
  # engine-strict to this npm through npm_config_engine_strict, which outranks any .npmrc.
  (cd test/tools && npm ci --engine-strict=false)
fi

# 3. Build: e2e tests run the CLI from dist/.
npm run build

# 4. A private, unlocked Secret Service, stopped however this script ends.
work=$(mktemp -d)
cleanup() {
  if [[ -n ${AMZ_TOKEN_TEST_SS_DIR:-} ]]; then bash scripts/secret-service.sh stop "$AMZ_TOKEN_TEST_SS_DIR" || true; fi
  rm -rf -- "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# Assigned first: `eval "$(...)"` alone would hide a failed start.
ss_env=$(bash scripts/secret-service.sh start)
eval "$ss_env"

# 5. The tests. The reporter prints vitest's usual output plus `N passed, N failed, N skipped`,
#    and writes that line to a file for step 6.
export AMZ_TOKEN_TEST_KEYRING=1
CHROMIUM_PATH=$(command -v chromium)
export CHROMIUM_PATH
export NO_COLOR=1
# The CLI's compile cache (Node 22.1+, bin/amz-token.js) in the run's own folder, not the user's ~/.cache.
export XDG_CACHE_HOME=$work/cache
export AMZ_TOKEN_TEST_COUNTS_FILE=$work/counts
export AMZ_TOKEN_TEST_FILES_FILE=$work/files
fake_clock=()
if [[ -n $clock_ahead ]]; then
  # faketime preloads libfaketime, which every child inherits: the CLI, the Amazon double, Chromium,
  # nginx, openssl (so the throwaway CAs are valid on the faked day), gpg and git all share one clock.
  # Only the wall clock moves: nothing reads a date from the monotonic clock, which times timeouts.
  # Without FAKETIME_FORCE_MONOTONIC_FIX=0, libfaketime 0.9.10 rewrites timed waits, and Chromium
  # hangs at start-up (measured: 4 of 4 headless starts hung with the fix, none of 10 without it).
  fake_clock=(env FAKETIME_DONT_FAKE_MONOTONIC=1 FAKETIME_FORCE_MONOTONIC_FIX=0 faketime -f "+${clock_ahead}d")
  say "the clock is $clock_ahead days ahead for the tests: $("${fake_clock[@]}" date -u '+%Y-%m-%d %H:%M UTC')"
fi
status=0
"${fake_clock[@]}" npx vitest run --reporter=./test/support/count-reporter.ts "$@" || status=$?
# A keyring daemon that died mid-run fails every later keychain test with "not provided by any
# .service files": say so, with how it ended and its log, instead of leaving that to be guessed.
# A daemon that died of gnome-keyring 42's known first-call race was restarted; check prints each
# restart's log, and the final line repeats the count.
keyring=ok
bash scripts/secret-service.sh check "$AMZ_TOKEN_TEST_SS_DIR" || keyring=died
restarts=$(find "$AMZ_TOKEN_TEST_SS_DIR" -maxdepth 1 -name 'keyring-restart.*.exit' | wc -l)

# 5b. That race fails whatever keychain call was in flight when the daemon died (seen in one CI leg
#     of nine: an import in remind.test.ts's setup, a write in store-migrate.test.ts), however sound
#     the test. Only after such a restart, and only once: the files with failures run again on the
#     restarted daemon, and the closing counts are run 1's other files plus the second run's. A
#     failure that comes back, any other death of the daemon, or more than a handful of failed
#     files still fails the run.
if ((status != 0 && restarts > 0)) && [[ $keyring == ok && -s $AMZ_TOKEN_TEST_FILES_FILE ]]; then
  mapfile -t again < <(awk -F'\t' '$3 > 0 || $4 > 0 { print $1 }' "$AMZ_TOKEN_TEST_FILES_FILE")
  if ((${#again[@]} > 0 && ${#again[@]} <= 6)); then
    say "the keyring daemon died of gnome-keyring 42's known race ($restarts restart(s), logs above), failing the calls in flight; running the ${#again[@]} file(s) with failures once more: ${again[*]}"
    mv "$AMZ_TOKEN_TEST_FILES_FILE" "$work/files.first"
    status=0
    "${fake_clock[@]}" npx vitest run --reporter=./test/support/count-reporter.ts "${again[@]}" || status=$?
    bash scripts/secret-service.sh check "$AMZ_TOKEN_TEST_SS_DIR" || keyring=died
    restarts=$(find "$AMZ_TOKEN_TEST_SS_DIR" -maxdepth 1 -name 'keyring-restart.*.exit' | wc -l)
    # The second run's files replace their first-run lines; the sum is the run's closing line (if the
    # second run wrote no per-file lines, its own counts file stands, and with it its failure).
    [[ -s $AMZ_TOKEN_TEST_FILES_FILE ]] && combined=$(awk -F'\t' 'FNR == NR { again[$1] = 1; p += $2; f += $3; s += $4; next } !($1 in again) { p += $2; f += $3; s += $4 }
      END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$AMZ_TOKEN_TEST_FILES_FILE" "$work/files.first")
    if [[ -n ${combined:-} ]]; then
      echo "$combined" >"$AMZ_TOKEN_TEST_COUNTS_FILE"
      printf '\n%s\n' "$combined"
    fi
  fi
fi
restarted=''
((restarts == 0)) || restarted="; the keyring daemon was restarted $restarts time(s) after the known gnome-keyring race, logs above"

# 6. vitest exits 0 when every test is skipped; here a skipped keychain or browser test is a
#    failure, and so is a run with no test at all.
counts=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$AMZ_TOKEN_TEST_COUNTS_FILE" 2>/dev/null | tail -n 1 || true)
if [[ -z $counts ]]; then
  say "FAIL: the count reporter wrote no summary line (vitest exit code $status)"
  exit $((status ? status : 1))
fi
read -r passed _ failed _ skipped _ <<<"$counts"
if [[ $keyring == died ]]; then
  say "FAIL: the test keyring daemon died during the run (see above; $counts$restarted)"
  exit $((status ? status : 1))
fi
if ((status != 0)); then
  say "FAIL: vitest exited with code $status ($counts$restarted)"
  exit "$status"
fi
if ((skipped > 0)); then
  say "FAIL: $skipped test(s) skipped ($counts). Every test must run under npm test, keychain and browser tests included (a name filter like -t also skips tests)."
  exit 1
fi
if ((passed + failed == 0)); then
  say "FAIL: no test ran ($counts)"
  exit 1
fi
say "OK: $counts$restarted"
