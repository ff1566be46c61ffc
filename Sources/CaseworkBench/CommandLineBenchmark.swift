import Foundation

/// Issue 16's command-line benchmark: the release `casework` binary run as a process, `runs` times each, for
/// `case show`, `case fire` (on a scratch SQLite store) and `decide` on the repository's `Workflows/` and `Policies/`,
/// beside the floor of `casework --version` (process start and exit) in the same run. It prints each command's
/// median wall time and median CPU time (the child's user + system time, from `wait4`: steadier than wall time on a
/// shared machine), each one's ratio to the floor and the work after start (median − floor's median), and its median
/// page faults (`ru_minflt`, which repeat almost exactly: the memory a command touches is much of its system time), the
/// floor and the commands taking turns round by round (``medians(_:_:environment:firstCase:)``), first with the
/// definition cache off (`CASEWORK_NO_CACHE=1`: every definition file validated and compiled again) and then warm
/// (a scratch `CASEWORK_CACHE_DIR`, filled by one run before timing).
enum CommandLineBenchmark {
    static let runs = 31

    /// One command line to time.
    struct Command {
        let name: String
        /// The arguments after the binary; `{}` stands for the run's number, to fire on a fresh case each time.
        let arguments: [String]
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static let staff = ["--as", "caseworker:ana", "--attribute", "relationship=caseworker", "--attribute", "second_factor_verified=true"]
    static let request = """
        {"actor": {"id": "parent-b", "role": "parent", "second_factor_verified": true, "relationship": "parent"},
         "action": "view", "resource": "ehcp",
         "case": {"id": "c1", "workflow": "ehcp-needs-assessment", "state": "gathering_advice",
                  "fields": {"child": {"date_of_birth": "2015-03-02"}}},
         "grants": [{"to": "parent-a", "level": "full"}, {"to": "parent-b", "level": "limited"}],
         "at": "2025-11-25T10:00:00Z"}
        """

    static func run() {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("casework").path
        guard FileManager.default.isExecutableFile(atPath: binary), FileManager.default.fileExists(atPath: "Workflows/ehcp-needs-assessment.yaml") else {
            print("cli: run from the repository's root after `swift build -c release` (needs \(binary))")
            return
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("casework-bench-cli-\(getpid())")
        defer { try? FileManager.default.removeItem(at: scratch) }
        do {
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            let database = scratch.appendingPathComponent("cases.sqlite").path
            let requestFile = scratch.appendingPathComponent("request.json").path
            try Data(request.utf8).write(to: URL(fileURLWithPath: requestFile))
            let common = ["--db", database, "--definitions", "Workflows", "--definitions", "Policies"]
            let uncached = ["CASEWORK_NO_CACHE=1"]
            // One case to show, and one fresh case for each fire (each timed pass fires on its own cases).
            for number in 0...(2 * runs + 2) {
                try check(binary, ["case", "open", "ehcp-needs-assessment", "--id", "c\(number)", "--set", "requested_on=2025-09-01",
                                   "--set", "requested_by=parent", "--set", "child.first_name=Sam", "--set", "child.last_name=Taylor",
                                   "--set", "child.date_of_birth=2016-02-14"] + common, environment: uncached)
            }
            let commands = [
                Command(name: "case show", arguments: ["case", "show", "c0"] + staff + common),
                Command(name: "case fire", arguments: ["case", "fire", "c{}", "acknowledge_request"] + staff + common),
                Command(name: "decide", arguments: ["decide", requestFile, "--definitions", "Workflows", "--definitions", "Policies"]),
            ]
            let cached = ["CASEWORK_CACHE_DIR=" + scratch.appendingPathComponent("cache").path]
            print("cli: the release casework binary as a process, median of \(runs) runs each (ms)")
            for (label, environment, firstCase) in [("cache off", uncached, 1), ("cache warm", cached, runs + 2)] {
                try check(binary, ["case", "show", "c0"] + staff + common, environment: environment)
                let timed = try medians(binary, [Command(name: "--version", arguments: ["--version"])] + commands, environment: environment, firstCase: firstCase)
                let floor = timed[0]
                print("  \(label): floor (casework --version) wall \(Measure.format(floor.wall, decimals: 2)), cpu \(Measure.format(floor.cpu, decimals: 2)), page faults \(floor.faults)")
                for (command, time) in zip(commands, timed.dropFirst()) {
                    func figures(_ time: Double, _ floor: Double) -> String {
                        "\(Measure.format(time, decimals: 2)) (ratio \(Measure.format(time / floor, decimals: 2)), work after start \(Measure.format(time - floor, decimals: 2)))"
                    }
                    print("    \(command.name.padding(toLength: 10, withPad: " ", startingAt: 0)) wall \(figures(time.wall, floor.wall)), cpu \(figures(time.cpu, floor.cpu)), page faults \(time.faults) (\(time.faults - floor.faults) after start)")
                }
            }
        } catch {
            print("cli: benchmark failed: \(error)")
        }
    }

    /// For each of `commands`, the median wall and CPU times of `runs` runs, in milliseconds, and the median page
    /// faults, the `n`th run's `{}` being `firstCase + n`. The commands take turns, one run of each a round, so a
    /// machine that speeds up or slows down during the measurement moves the floor and the commands alike (measured
    /// one command after another, the floor's median and a command's were minutes apart, and "work after start"
    /// moved by milliseconds between runs).
    static func medians(_ binary: String, _ commands: [Command], environment: [String], firstCase: Int) throws(Failure) -> [(wall: Double, cpu: Double, faults: Int)] {
        var walls = Array(repeating: [Double](), count: commands.count)
        var cpus = Array(repeating: [Double](), count: commands.count)
        var faults = Array(repeating: [Int](), count: commands.count)
        for number in 0..<runs {
            for (place, command) in commands.enumerated() {
                let arguments = command.arguments.map { $0.replacingOccurrences(of: "{}", with: "\(firstCase + number)") }
                let start = DispatchTime.now().uptimeNanoseconds
                let usage = try check(binary, arguments, environment: environment)
                cpus[place].append(usage.cpu)
                faults[place].append(usage.faults)
                walls[place].append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
        }
        return commands.indices.map { place in (walls[place].sorted()[runs / 2], cpus[place].sorted()[runs / 2], faults[place].sorted()[runs / 2]) }
    }

    /// Runs `binary` with `arguments` and this process's environment plus `environment`, its output to `/dev/null`,
    /// and fails unless it exits 0; the child's CPU time (user + system), in milliseconds, and its page faults.
    @discardableResult
    static func check(_ binary: String, _ arguments: [String], environment: [String]) throws(Failure) -> (cpu: Double, faults: Int) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor: Int32 in [0, 1, 2] {
            posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        let inherited = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CASEWORK_") }.map { "\($0.key)=\($0.value)" }
        let argv = ([binary] + arguments).map { strdup($0) } + [nil]
        let envp = (inherited + environment).map { strdup($0) } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, binary, &actions, nil, argv, envp)
        guard spawned == 0 else { throw Failure(description: "cannot run \(binary): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) == -1 && errno == EINTR {}
        guard status == 0 else { throw Failure(description: "`casework \(arguments.joined(separator: " "))` failed (wait status \(status))") }
        func milliseconds(_ time: timeval) -> Double { Double(time.tv_sec) * 1e3 + Double(time.tv_usec) / 1e3 }
        return (milliseconds(usage.ru_utime) + milliseconds(usage.ru_stime), usage.ru_minflt)
    }
}
