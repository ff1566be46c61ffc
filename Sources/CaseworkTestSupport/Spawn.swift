import Foundation

/// Starting and reaping a child process with `posix_spawn` and `waitpid`, its input from `/dev/null` or a file and its
/// output to files: how every test runs another program (the built `casework`, `pg_ctl`, `curl`, `dot`, `sqlite3`).
///
/// Not Foundation's `Process`, for two reasons. Its `run()` in swift-corelibs-foundation up to Swift 6.3 can crash
/// with SIGSEGV: `findMaximumOpenFromProcSelfFD()` copies the whole 256-byte `d_name` of each `readdir` record, reading
/// past glibc's buffer (swiftlang/swift-corelibs-foundation#5472), more often in a process with many open descriptors,
/// as a test process with servers and threads has. And it can miss a child's end, which then stays a zombie while its
/// waiter waits for ever. Output goes to files, not pipes: a pipe is read to its end, which never comes while another
/// process (a server's child) holds its write end.
public enum Spawn {
    /// A program that could not be started, or its input or output files not made.
    public struct Failure: Error, CustomStringConvertible {
        /// What failed, naming the program.
        public let description: String
    }

    /// How a child ended: its exit status, or the signal that killed it, or that its time ran out (then it was killed).
    public struct Ending: Sendable, Equatable, CustomStringConvertible {
        /// The exit status; nil when a signal ended it or its time ran out.
        public var status: Int32?
        /// The signal that ended it, when one did.
        public var signal: Int32?
        /// Whether it was still running when its time ran out.
        public var timedOut: Bool

        /// The ending `waitpid` reported as `waitStatus`.
        public init(waitStatus: Int32, timedOut: Bool = false) {
            let signal = waitStatus & 0x7f
            self.status = signal == 0 && !timedOut ? (waitStatus >> 8) & 0xff : nil
            self.signal = signal == 0 ? nil : signal
            self.timedOut = timedOut
        }

        /// "exit 0", "killed by signal 9" or "timed out".
        public var description: String {
            timedOut ? "timed out" : status.map { "exit \($0)" } ?? "killed by signal \(signal ?? 0)"
        }
    }

    /// A program run to its end: how it ended and what it wrote.
    public struct Outcome: Sendable, CustomStringConvertible {
        /// The exit status; nil when a signal ended it or its time ran out.
        public var status: Int32?
        /// The signal that ended it, when one did.
        public var signal: Int32?
        /// Whether it was still running when its time ran out (then it was killed).
        public var timedOut: Bool
        /// Its standard output (with its standard error too, when run so).
        public var out: String
        /// Its standard error, when kept apart.
        public var err: String

        /// `ending` with the output `out` and errors `err`.
        public init(_ ending: Ending, out: String, err: String) {
            (status, signal, timedOut, self.out, self.err) = (ending.status, ending.signal, ending.timedOut, out, err)
        }

        /// The ending and both outputs, for a failing expectation's message.
        public var description: String {
            "\(Ending(status: status, signal: signal, timedOut: timedOut)), out: \(out.debugDescription), err: \(err.debugDescription)"
        }
    }

    /// Starts `argv[0]` with `argv`: its standard input from the file `input` (nil: `/dev/null`), its output to the
    /// file `out` and its errors to `err` (nil: to `out` too), with `environment` (nil: this process's), and no signal
    /// blocked or ignored whatever this process blocks or ignores (as a shell would start it). Returns its id; the
    /// caller reaps it with ``wait(_:timeout:)``.
    public static func start(_ argv: [String], environment: [String: String]? = nil, input: String? = nil, out: String,
                             err: String? = nil) throws(Failure) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, input ?? "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if let err {
            posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let arguments = argv.map { strdup($0) } + [nil]
        let variables = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { for pointer in arguments + (variables ?? []) { free(pointer) } }
        let spawned = variables.map { posix_spawn(&pid, argv[0], &actions, &attributes, arguments, $0) }
            ?? posix_spawn(&pid, argv[0], &actions, &attributes, arguments, environ)
        guard spawned == 0 else { throw Failure(description: "cannot run \(argv[0]): \(String(cString: strerror(spawned)))") }
        return pid
    }

    /// Waits for the child `pid` to end, at most `timeout` seconds (nil: for ever); past that it is killed (SIGKILL),
    /// reaped, and reported as timed out.
    public static func wait(_ pid: pid_t, timeout: TimeInterval? = nil) -> Ending {
        var status: Int32 = 0
        guard let timeout else {
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
            return Ending(waitStatus: status)
        }
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid || (reaped == -1 && errno != EINTR) { return Ending(waitStatus: status) }
            if Date() > deadline {
                kill(pid, SIGKILL)
                while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                return Ending(waitStatus: status, timedOut: true)
            }
            usleep(2_000)
        }
    }

    /// Runs `argv` to its end, at most `timeout` seconds (then it is killed): its standard input `input` (nil:
    /// `/dev/null`), `environment` (nil: this process's), and its errors apart from its output unless
    /// `errorsToOutput`. The files it reads and writes live in a directory of their own, removed afterwards.
    public static func run(_ argv: [String], environment: [String: String]? = nil, input: Data? = nil, errorsToOutput: Bool = false,
                           timeout: TimeInterval = 120) throws(Failure) -> Outcome {
        let manager = FileManager.default
        let directory = manager.temporaryDirectory.appendingPathComponent("casework-spawn-\(UUID().uuidString)")
        do { try manager.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
            throw Failure(description: "cannot make \(directory.path) to run \(argv[0]): \(error)")
        }
        defer { try? manager.removeItem(at: directory) }
        let path = { (name: String) in directory.appendingPathComponent(name).path }
        if let input {
            guard manager.createFile(atPath: path("in"), contents: input) else { throw Failure(description: "cannot write the input of \(argv[0])") }
        }
        let pid = try start(argv, environment: environment, input: input.map { _ in path("in") }, out: path("out"),
                            err: errorsToOutput ? nil : path("err"))
        let ending = wait(pid, timeout: timeout)
        let read = { (name: String) in (try? Data(contentsOf: URL(fileURLWithPath: path(name)))).map { String(decoding: $0, as: UTF8.self) } ?? "" }
        return Outcome(ending, out: read("out"), err: read("err"))
    }
}

extension Spawn.Ending {
    /// An ending as its parts, to describe an ``Spawn/Outcome``.
    fileprivate init(status: Int32?, signal: Int32?, timedOut: Bool) {
        (self.status, self.signal, self.timedOut) = (status, signal, timedOut)
    }
}
