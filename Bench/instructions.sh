#!/usr/bin/env bash
# Instructions of one build of `casework` on a warm definition cache, counted by callgrind (issue 16's command line,
# docs/performance.md, Benchmarks): `--version`, `decide`, `case show` and `case fire`, in millions, each the run after a
# warm-up under callgrind itself (the cache's key names the executable, which under valgrind includes the tool's own,
# so a warm-up outside callgrind would leave the counted run a miss).
#
# usage: Bench/instructions.sh NAME BINARY   (from the repository's root; profiles go to $CG_DIR, default
#        /tmp/casework-instructions, as cg.NAME.COMMAND for callgrind_annotate)
set -euo pipefail
name=$1
binary=$2
dir=${CG_DIR:-/tmp/casework-instructions}
mkdir -p "$dir"
export CASEWORK_CACHE_DIR="$dir/cache-$name"
store="$dir/$name.sqlite"
rm -f "$store" "$store-wal" "$store-shm"
request="$(cd "$(dirname "$0")" && pwd)/request.json"
definitions=(--definitions Workflows --definitions Policies)
staff=(--as caseworker:ana --attribute relationship=caseworker --attribute second_factor_verified=true)
for number in 0 1 2 3; do
  "$binary" case open ehcp-needs-assessment --id "c$number" --set requested_on=2025-09-01 --set requested_by=parent \
    --set child.first_name=Sam --set child.last_name=Taylor --set child.date_of_birth=2016-02-14 --db "$store" "${definitions[@]}" >/dev/null
done
valgrind -q --tool=callgrind --callgrind-out-file=/dev/null "$binary" decide "$request" "${definitions[@]}" >/dev/null 2>&1
count() {
  local command=$1
  shift
  SWIFT_DETERMINISTIC_HASHING=1 valgrind --tool=callgrind --callgrind-out-file="$dir/cg.$name.$command" "$@" >/dev/null 2>"$dir/valgrind.$name.$command"
  grep -o 'Collected : [0-9]*' "$dir/valgrind.$name.$command" | awk -v command="$command" '{ printf "%s %.2f M\n", command, $3 / 1e6 }'
}
count version "$binary" --version
count decide "$binary" decide "$request" "${definitions[@]}"
count show "$binary" case show c0 --db "$store" "${staff[@]}" "${definitions[@]}"
count fire "$binary" case fire c1 acknowledge_request --db "$store" "${staff[@]}" "${definitions[@]}"
