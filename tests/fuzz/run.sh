#!/usr/bin/env bash
# make fuzz: for each fuzz target, first replay tests/fuzz/regressions/<target>/ (every input that
# ever failed), then fuzz for SECONDS from a work corpus kept in the build directory (seeded from
# models/*.toml and tests/fuzz/seeds/<target>/). Fails on any crash, hang (an input running over 10
# s), leak, use of more than 2 GB, sanitizer report or failed check.
# Usage: tests/fuzz/run.sh BUILD_DIR SECONDS
set -euo pipefail
shopt -s nullglob
build=$(realpath "$1") seconds=$2
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$build/fuzz
flags=(-timeout=10 -rss_limit_mb=2048)

# Whole table headers and keys of the model files, which libFuzzer splices into its inputs: they
# reach far more of the reader than byte mutations alone would.
dictionary() {
  { grep -ohE '^\[\[?[a-z_.]+\]\]?' "$root"/models/*.toml; grep -ohE '^[a-z_]+ = ' "$root"/models/*.toml; } |
    sort -u | sed 's/.*/"&"/'
  printf '%s\n' '"nan"' '"inf"' '"-inf"' '"1e308"' '"-0.0"' '"\"\"\""' "\"'''\"" '"\x0a"' '"# "' '"\"hip\""' \
    '"\"knee\""' '"\"ankle\""' '"\"flex\""' '"\"extend\""' '"\"rigid\""' '"\"female\""' '"\"besier_2005\""'
}

for target in model_file with_params; do
  bin=$build/tests/fuzz/fuzz_$target
  corpus=$work/corpus/$target
  artifacts=$work/artifacts/$target
  mkdir -p "$corpus" "$artifacts"
  extra=()
  if [ "$target" = model_file ]; then
    cp "$root"/models/*.toml "$corpus"/
    dictionary >"$work/model_file.dict"
    extra=(-dict="$work/model_file.dict")
  fi
  seeds=("$here/seeds/$target"/*)
  [ ${#seeds[@]} -eq 0 ] || cp "${seeds[@]}" "$corpus"/
  regressions=("$here/regressions/$target"/*)
  if [ ${#regressions[@]} -gt 0 ]; then
    echo "== fuzz_$target: replaying ${#regressions[@]} regression input(s)"
    "$bin" "${flags[@]}" -artifact_prefix="$artifacts/" "${regressions[@]}"
  fi
  echo "== fuzz_$target: fuzzing for $seconds s (corpus $corpus)"
  if ! "$bin" "${flags[@]}" "${extra[@]}" -max_total_time="$seconds" -print_final_stats=1 \
      -artifact_prefix="$artifacts/" "$corpus"; then
    echo "fuzz_$target found a failing input (in $artifacts/). Fix the bug, add a Catch2 test, and keep the"
    echo "input as tests/fuzz/regressions/$target/<name> so make fuzz replays it."
    exit 1
  fi
done
