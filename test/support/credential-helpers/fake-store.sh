# A working credential-helper store for tests, sourced by the docker-credential-* fakes
# here: one file per entry in $FAKE_HELPER_DIR/entries, holding the JSON it was given.
# The sourcing script defines missing_get and missing_erase (each helper family's style),
# and may set FAIL_ON_STORE=n or BLOCK_ON_STORE=n to refuse, or to wait for
# $FAKE_HELPER_DIR/release on, the n-th `store` of the store's lifetime. REFUSE_STORE_MATCHING,
# from the environment, refuses every `store` of an entry whose name contains it.
set -eu
dir=${FAKE_HELPER_DIR:?FAKE_HELPER_DIR must name the fake store folder}
mkdir -p "$dir/entries"
key() { printf %s "$1" | base64 -w0 | tr '/+' '_-'; }
field() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p"; }
input=$(cat)
case ${1:-} in
  store)
    n=$(($(cat "$dir/stores" 2>/dev/null || echo 0) + 1))
    echo "$n" >"$dir/stores"
    # REFUSE_STORE_MATCHING (from the environment): refuse any store whose entry name contains it.
    if [ -n "${REFUSE_STORE_MATCHING:-}" ] && printf %s "$input" | grep -q -- "$REFUSE_STORE_MATCHING"; then
      echo "fake helper: store refused: backend offline" >&2
      exit 1
    fi
    if [ "${FAIL_ON_STORE:-0}" = "$n" ]; then
      echo "fake helper: store number $n refused: backend offline" >&2
      exit 1
    fi
    if [ "${BLOCK_ON_STORE:-0}" = "$n" ]; then
      : >"$dir/blocked"
      while [ ! -e "$dir/release" ]; do sleep 0.05; done
    fi
    url=$(printf %s "$input" | field ServerURL)
    printf %s "$input" >"$dir/entries/$(key "$url")"
    ;;
  get)
    if [ -e "$dir/entries/$(key "$input")" ]; then cat "$dir/entries/$(key "$input")"; else missing_get "$input"; fi
    ;;
  erase)
    if [ -e "$dir/entries/$(key "$input")" ]; then rm "$dir/entries/$(key "$input")"; else missing_erase "$input"; fi
    ;;
  list)
    printf '{'
    sep=''
    for entry in "$dir"/entries/*; do
      [ -e "$entry" ] || continue
      printf '%s"%s":"%s"' "$sep" "$(field ServerURL <"$entry")" "$(field Username <"$entry")"
      sep=','
    done
    printf '}\n'
    ;;
  *)
    echo "Unknown credential action \`${1:-}\`"
    exit 1
    ;;
esac
