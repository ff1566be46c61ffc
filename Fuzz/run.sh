#!/usr/bin/env bash
# Fuzz/run.sh TARGET|all SECONDS: builds the libFuzzer targets (Fuzz/<Name>/main.swift, one per front door) with
# `-sanitize=fuzzer,address` and runs each for SECONDS, seeded from Fuzz/corpus/<target> and Fuzz/regressions/<target>.
# Prints each target's executions and coverage (libFuzzer's final `cov:` and `ft:`), and exits non-zero when a target
# finds a crash, a leak, a timeout or a slow input (10 s or more), with the input saved under .build-fuzz-runs/artifacts/<target>/ (it then belongs in
# Fuzz/regressions/<target>/, with a fix, where FuzzRegressionTests runs it). See ARCHITECTURE.md, "Fuzzing".
#
# They are built optimised (-c release) unless FUZZ_CONFIGURATION=debug: Swift keeps its bounds, overflow and
# precondition checks at -O (the sources have no `assert`), AddressSanitizer works the same, and inputs run about 12
# times faster (yaml, session 31: 2,620 a second against 217). A slow input in the debug build may be only the
# sanitised, unoptimised code; a slow input in either is reported.
#
# The targets exist only when CASEWORK_FUZZ is set (Package.swift), and are built into their own scratch path,
# .build-fuzz, so the ordinary build and `swift test` never see them or their sanitizers. lld links them (the
# toolchain's, beside swift): gold fails on the instrumented objects.
set -euo pipefail
cd "$(dirname "$0")/.."

targets=(yaml expressions definitions decide-request decide-batch scenarios set-values api bearer-token stored-rows checkpoint jwks definition-archive pem-keys auth-file)
usage() { echo "usage: Fuzz/run.sh TARGET|all SECONDS  (targets: ${targets[*]})" >&2; exit 2; }
[ $# -eq 2 ] || usage
case "$2" in ''|*[!0-9]*) usage ;; esac
seconds=$2
if [ "$1" = all ]; then
  chosen=("${targets[@]}")
else
  [[ " ${targets[*]} " == *" $1 "* ]] || usage
  chosen=("$1")
fi

scratch=.build-fuzz
# What the runs make (the working corpora, the inputs found, the logs) lives outside SwiftPM's scratch path: a build
# there removes the empty directories it does not know, and a run whose artifacts directory a build beside it had
# removed could not have saved a crash's input (session 31 saw the directory go, and the script stop, mid-run).
runs=.build-fuzz-runs
configuration=${FUZZ_CONFIGURATION:-release}
case "$configuration" in debug|release) ;; *) echo "FUZZ_CONFIGURATION is debug or release, not '$configuration'" >&2; exit 2 ;; esac
build_log=$runs/build.log
mkdir -p "$scratch" "$runs"
# The targets' own files are compiled afresh each run (their times touched; removing their build folders breaks
# SwiftPM's plan). An incremental build recompiles a file only when what it imports changes its interface, not when
# a struct it uses grows: session 29's YAMLLimits gained a field, the definitions target's main.swift was not
# recompiled, still made room for the old size for `Validator.validate`'s default `limits:`, and AddressSanitizer
# reported a stack-buffer-overflow on the empty input. A crash a target reports should still be reproduced on a
# clean build (`rm -rf .build-fuzz`) before it is believed.
find Fuzz -name '*.swift' -exec touch {} +
for target in "${chosen[@]}"; do
  if ! CASEWORK_FUZZ=1 swift build --scratch-path "$scratch" -c "$configuration" \
      -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld --product "fuzz-$target" >"$build_log" 2>&1; then
    grep -v "warning: Cannot export local symbol" "$build_log" | tail -40 >&2
    echo "fuzz-$target: the build failed (whole log: $build_log)" >&2
    exit 1
  fi
done

# Deep stacks, so that a leak made while the shipped catalog is loaded is traced back to that one-time load, which
# Fuzz/lsan.supp suppresses (and nothing else).
export ASAN_OPTIONS="${ASAN_OPTIONS:-malloc_context_size=100}"
# libFuzzer and AddressSanitizer print the stack of a crash; Swift's own backtracer, which runs first on a fatal
# error, was seen symbolicating a sanitised target for over ten minutes with the run's output held open (session 31).
export SWIFT_BACKTRACE="${SWIFT_BACKTRACE:-enable=no}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$PWD/Fuzz/lsan.supp:malloc_context_size=100}"

failed=()
for target in "${chosen[@]}"; do
  work=$runs/corpus/$target
  artifacts=$runs/artifacts/$target
  log=$runs/logs/$target.log
  mkdir -p "$work" "$artifacts" "$(dirname "$log")" "Fuzz/regressions/$target"
  # New inputs go to the working corpus (first directory), never into the committed seeds.
  started=$runs/logs/$target.started
  touch "$started"
  status=0
  # The targets that run async code (a service's tasks, a store's dispatch queue) check for leaks once, when the run
  # ends, not after every input: what a task or a queued block holds is freed on its own thread just after the input
  # has been answered, so libFuzzer counted more allocations than frees in every input and scanned the whole heap after
  # each, nine tenths of the run (`api`: 208 inputs in 40 s against 2,566 without; session 32). LeakSanitizer still
  # checks at the end, and the run fails on any leak; running each saved input alone
  # (`.build-fuzz/release/fuzz-api FILE`) then finds the one that leaks.
  leaks=()
  case "$target" in api|bearer-token) leaks=(-detect_leaks=0) ;; esac
  "$scratch/$configuration/fuzz-$target" "$work" "Fuzz/corpus/$target" "Fuzz/regressions/$target" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1 "${leaks[@]}" \
    -artifact_prefix="$artifacts/" >"$log" 2>&1 || status=$?
  stats=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 || true)
  executions=$(grep -E '^stat::number_of_executed_units:' "$log" | awk '{print $2}' || true)
  # An input that ran for the timeout's length but finished just under it is saved as a slow unit, not a timeout,
  # and libFuzzer goes on: it is a finding all the same (session 28's yaml run saved one and was reported clean).
  slow=$(find "$artifacts" -name 'slow-unit-*' -newer "$started" | sort)
  if [ -n "$slow" ]; then
    echo "$target: slow inputs (10 s or more each) saved:" >&2
    echo "$slow" >&2
    if [ "$status" -eq 0 ]; then status=1; fi
  fi
  if [ "$status" -eq 0 ] && [ -n "$stats" ]; then
    cov=$(sed -E 's/.*cov: ([0-9]+).*/\1/' <<<"$stats")
    ft=$(sed -E 's/.*ft: ([0-9]+).*/\1/' <<<"$stats")
    corpus=$(sed -E 's/.*corp: ([0-9]+\/[^ ]+).*/\1/' <<<"$stats")
    printf '%-16s %9s executions in %ss  cov: %-6s ft: %-6s corpus: %s\n' "$target" "${executions:-?}" "$seconds" "$cov" "$ft" "$corpus"
  else
    failed+=("$target")
    grep -E '^==[0-9]+==ERROR|^SUMMARY|ALARM|Fatal error|deadly signal|Test unit written' "$log" >&2 || tail -20 "$log" >&2
    echo "$target: FAILED (exit $status); whole log: $log; inputs saved under $artifacts/" >&2
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzing found problems in: ${failed[*]}" >&2
  exit 1
fi
