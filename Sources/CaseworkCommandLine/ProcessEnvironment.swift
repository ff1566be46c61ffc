import Foundation

/// The process's environment variables, read one by one: `ProcessInfo.processInfo.environment` copies every variable
/// into a new dictionary each time it is read, which was about a fiftieth of a warm command's work after start
/// (docs/performance.md, Benchmarks, `cli`). Nothing in Casework sets a variable, so reading one is never raced.
enum ProcessEnvironment {
    /// The value of the variable `name`, or nil when it is not set.
    static func value(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
