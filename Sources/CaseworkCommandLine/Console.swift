import Casework
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkTime
import Foundation

/// Where a command writes: standard output for results, standard error for problems.
///
/// Commands write through this so tests can capture exactly what a user would see.
public protocol Console: Sendable {
    /// Writes to standard output.
    func out(_ text: String)
    /// Writes to standard error.
    func err(_ text: String)
}

/// The process's real standard output and standard error.
public struct StandardConsole: Console {
    /// Creates the console.
    public init() {}

    /// Writes to standard output.
    public func out(_ text: String) {
        FileHandle.standardOutput.write(Data(utf8Of: text))
    }

    /// Writes to standard error.
    public func err(_ text: String) {
        FileHandle.standardError.write(Data(utf8Of: text))
    }
}

/// The exit statuses every command uses.
public enum ExitStatus: Int32, Sendable {
    /// The command did what was asked and found no error.
    case success = 0
    /// The command ran and found errors (or refused, for a reason it printed).
    case failure = 1
    /// The command line itself was wrong: unknown option, missing value, missing path.
    case usage = 2
    /// The engine refused: the actor may not do this, or may not know whether the case exists (`forbidden`, `not_found`).
    case forbidden = 3
    /// The case changed since it was read, or an idempotency key was used for another request (`conflict`).
    case conflict = 4
    /// The definitions cannot run this (`definition_error`).
    case definitionError = 5
    /// The store failed; nothing changed and the command may be retried (`unavailable`).
    case unavailable = 6

    /// The exit status for an engine refusal: 1 for `blocked` and `invalid_input` (the request as given cannot be done).
    static func refused(_ code: RefusalCode) -> ExitStatus {
        switch code {
        case .blocked, .invalidInput: .failure
        case .forbidden, .notFound: .forbidden
        case .conflict: .conflict
        case .definitionError: .definitionError
        case .unavailable: .unavailable
        }
    }
}
