#!/usr/bin/env python3
"""Two or more builds of `casework` timed as processes in turn (issue 16's command line, docs/performance.md, Benchmarks).

usage: Bench/alternate.py ROUNDS LABEL=BINARY [LABEL=BINARY ...]   (from the repository's root)

Each build gets its own definition cache and its own SQLite store (under $AB_DIR, default /tmp/casework-alternate),
filled with ROUNDS + 2 cases and warmed by one `case show` and one `decide`. Then, round by round, each build runs
`--version`, `decide`, `case show`, `case show --format json` and `case fire` (a fresh case each round), the builds'
order reversed every other round, so a machine that changes speed moves every build alike. It prints, per build, the
median CPU time (user + system, from wait4) of `--version` and each command's median less it ("after start"), with the
median minor page faults likewise, and writes every measurement to $AB_DIR/raw.json. The definitions are the
repository's Workflows/ and Policies/ (or those under $AB_DEFS).
"""
import json
import os
import statistics
import sys

if len(sys.argv) < 3 or not sys.argv[1].isdigit() or int(sys.argv[1]) < 1 or any("=" not in argument for argument in sys.argv[2:]):
    sys.exit(__doc__)
rounds = int(sys.argv[1])
builds = [argument.split("=", 1) for argument in sys.argv[2:]]
root = os.environ.get("AB_DEFS", os.getcwd())
work = os.environ.get("AB_DIR", "/tmp/casework-alternate")
os.makedirs(work, exist_ok=True)
request = os.path.join(os.path.dirname(os.path.abspath(__file__)), "request.json")
definitions = ["--definitions", f"{root}/Workflows", "--definitions", f"{root}/Policies"]
staff = ["--as", "caseworker:ana", "--attribute", "relationship=caseworker", "--attribute", "second_factor_verified=true"]


def run(binary, arguments, cache):
    """CPU milliseconds and minor faults of one run; exits when the command fails."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("CASEWORK_")}
    environment["CASEWORK_CACHE_DIR"] = cache
    quiet = [(os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0), (os.POSIX_SPAWN_OPEN, 2, "/dev/null", os.O_WRONLY, 0)]
    pid = os.posix_spawn(binary, [binary] + arguments, environment, file_actions=quiet)
    _, status, usage = os.wait4(pid, 0)
    if status != 0:
        sys.exit(f"failed: {binary} {' '.join(arguments)}")
    return (usage.ru_utime + usage.ru_stime) * 1000, usage.ru_minflt


stores = {}
for label, binary in builds:
    cache, store = os.path.join(work, f"{label}-cache"), os.path.join(work, f"{label}.sqlite")
    stores[label] = (cache, store)
    for leftover in (store, store + "-wal", store + "-shm"):
        if os.path.exists(leftover):
            os.remove(leftover)
    for number in range(rounds + 2):
        run(binary, ["case", "open", "ehcp-needs-assessment", "--id", f"c{number}", "--set", "requested_on=2025-09-01",
                     "--set", "requested_by=parent", "--set", "child.first_name=Sam", "--set", "child.last_name=Taylor",
                     "--set", "child.date_of_birth=2016-02-14", "--db", store] + definitions, cache)
    run(binary, ["case", "show", "c0", "--db", store] + staff + definitions, cache)
    run(binary, ["decide", request] + definitions, cache)

commands = {
    "version": lambda store, number: ["--version"],
    "decide": lambda store, number: ["decide", request] + definitions,
    "show": lambda store, number: ["case", "show", "c0", "--db", store] + staff + definitions,
    "show-json": lambda store, number: ["case", "show", "c0", "--format", "json", "--db", store] + staff + definitions,
    "fire": lambda store, number: ["case", "fire", f"c{number + 1}", "acknowledge_request", "--db", store] + staff + definitions,
}
results = {label: {name: [] for name in commands} for label, _ in builds}
for number in range(rounds):
    for label, binary in (builds if number % 2 == 0 else builds[::-1]):
        cache, store = stores[label]
        for name, arguments in commands.items():
            results[label][name].append(run(binary, arguments(store, number), cache))
for label, _ in builds:
    measured = results[label]
    floor = statistics.median(cpu for cpu, _ in measured["version"])
    floor_faults = statistics.median(faults for _, faults in measured["version"])
    after = ", ".join(
        f"{name} {statistics.median(cpu for cpu, _ in measured[name]) - floor:.2f} ms"
        f" ({statistics.median(faults for _, faults in measured[name]) - floor_faults:.0f} faults)"
        for name in commands if name != "version")
    print(f"{label}: --version {floor:.2f} ms ({floor_faults:.0f} faults); after start: {after}")
with open(os.path.join(work, "raw.json"), "w") as raw:
    json.dump(results, raw)
