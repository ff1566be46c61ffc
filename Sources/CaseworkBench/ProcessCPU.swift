import Foundation

/// CPU time spent by this process, by a local PostgreSQL server's processes working for one database, and by the
/// whole machine, read from Linux's `/proc` before and after a measurement, so a benchmark can say where a run's CPU
/// went (its own side or the server's) and whether the cores were saturated. The server's figure is nil where `/proc`
/// cannot tell (a server on another machine).
///
/// The server's processes counted are the postmaster's children whose title names the database (its backends and
/// autovacuum workers) and the ones every database shares (WAL writer, checkpointer, background writer), so other
/// databases' sessions on a shared server are left out. A backend that ends between two readings takes its time with
/// it, so a pool that closes connections makes the figure low.
struct ProcessCPU {
    /// Clock ticks a second for `/proc`'s `utime` and `stime` fields.
    private static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    /// The server's postmaster, whose children are counted.
    let postmaster: Int32?
    /// The database whose backends are counted.
    let database: String

    /// Counts the server whose backend has process id `backend` (`SELECT pg_backend_pid()`), when it runs on this
    /// machine, for `database`.
    init(serverBackend backend: Int32?, database: String) {
        postmaster = backend.flatMap { Self.parentOf($0) }
        self.database = database
    }

    /// CPU seconds so far: this process's, the server's, and every core's busy and total time (`/proc/stat`'s first line).
    struct Reading {
        var bench: Double
        var server: Double?
        var machineBusy: Double
        var machineTotal: Double
    }

    /// The CPU seconds used so far.
    func read() -> Reading {
        let (busy, total) = Self.machine()
        return Reading(bench: Self.seconds(of: "self") ?? 0, server: postmaster.map { serverSeconds($0) }, machineBusy: busy, machineTotal: total)
    }

    /// The CPU seconds of the postmaster's children working for ``database`` or for every database.
    private func serverSeconds(_ postmaster: Int32) -> Double {
        var total = 0.0
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries where entry.first?.isNumber == true {
            guard let fields = Self.statFields(of: entry), fields.count > 13, fields[1] == "\(postmaster)", counts(entry) else { continue }
            total += Self.cpuSeconds(fields)
        }
        return total
    }

    /// Whether the process's title says it works for ``database`` (a backend, `postgres: <role> <database> [local]
    /// idle`, or `postgres: autovacuum worker <database>`) or for every database (`postgres: walwriter`,
    /// `checkpointer`, `background writer`).
    private func counts(_ pid: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        let words = String(decoding: data, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\0" }).map(String.init)
        guard words.count > 1, words[0] == "postgres:" else { return false }
        if ["walwriter", "checkpointer", "background"].contains(words[1]) { return true }
        if words[1] == "autovacuum" { return words.count > 3 && words[3] == database }
        return words.count > 2 && words[2] == database
    }

    /// The fields of `/proc/<pid>/stat` after the command name (field 3, the state, first), or nil.
    private static func statFields(of pid: String) -> [Substring]? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        return text[text.index(after: close)...].split(separator: " ")
    }

    /// User and system seconds (`utime` + `stime`) from a process's fields as ``statFields(of:)`` gives them.
    private static func cpuSeconds(_ fields: [Substring]) -> Double {
        (Double(fields[11]) ?? 0) / ticksPerSecond + (Double(fields[12]) ?? 0) / ticksPerSecond
    }

    /// A process's CPU seconds, or nil when it is not there.
    private static func seconds(of pid: String) -> Double? {
        guard let fields = statFields(of: pid), fields.count > 13 else { return nil }
        return cpuSeconds(fields)
    }

    /// The parent of a process, or nil when it is not on this machine.
    private static func parentOf(_ pid: Int32) -> Int32? {
        guard let fields = statFields(of: "\(pid)"), fields.count > 1 else { return nil }
        return Int32(fields[1])
    }

    /// Every core's busy seconds (all but idle and I/O wait) and total seconds since boot.
    private static func machine() -> (busy: Double, total: Double) {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let line = text.split(separator: "\n").first
        else { return (0, 0) }
        let values = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard values.count >= 5 else { return (0, 0) }
        let total = values.prefix(8).reduce(0, +)
        return ((total - values[3] - values[4]) / ticksPerSecond, total / ticksPerSecond)
    }
}

extension ProcessCPU.Reading {
    /// What was used between `start` and this reading.
    static func - (end: Self, start: Self) -> Self {
        Self(
            bench: end.bench - start.bench, server: end.server.flatMap { late in start.server.map { late - $0 } },
            machineBusy: end.machineBusy - start.machineBusy, machineTotal: end.machineTotal - start.machineTotal
        )
    }

    /// Adds another measurement's use.
    static func + (left: Self, right: Self) -> Self {
        Self(
            bench: left.bench + right.bench, server: left.server.flatMap { one in right.server.map { one + $0 } },
            machineBusy: left.machineBusy + right.machineBusy, machineTotal: left.machineTotal + right.machineTotal
        )
    }

    /// Nothing used.
    static let zero = Self(bench: 0, server: 0, machineBusy: 0, machineTotal: 0)
}
