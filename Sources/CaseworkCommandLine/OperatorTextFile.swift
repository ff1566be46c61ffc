import CaseworkYAML

/// A small text file an operator names on the command line: a TLS certificate or key for `serve`, an audit key or
/// checkpoint, a migration map. Read whole through ``FileBytes`` (the reader definition files and JWKS files go
/// through), so one over ``maximumBytes`` is refused unread rather than read into memory whatever its size, and
/// bytes that are not UTF-8 are refused rather than decoded with replacement characters.
enum OperatorTextFile {
    /// The most bytes such a file may hold: a key, a certificate chain, a checkpoint or a map is a few kilobytes.
    static let maximumBytes = 1 << 20

    /// Why a file cannot be used; `description` is said after the file's name.
    enum Refusal: Error, Equatable, CustomStringConvertible {
        /// It could not be opened or read.
        case unreadable
        /// It holds more than ``maximumBytes``.
        case tooLarge(bytes: Int)
        /// Its bytes are not UTF-8.
        case notUTF8

        var description: String {
            switch self {
            case .unreadable: "cannot be read"
            case .tooLarge(let bytes): "is \(bytes) bytes, over the \(OperatorTextFile.maximumBytes) this file may hold"
            case .notUTF8: "is not UTF-8 text"
            }
        }
    }

    /// The text of the file at `path`, or why it cannot be used.
    static func read(_ path: String) -> Result<String, Refusal> {
        switch FileBytes.read(path, limit: maximumBytes) {
        case .success(let bytes):
            guard let text = String(validating: bytes, as: UTF8.self) else { return .failure(.notUTF8) }
            return .success(text)
        case .failure(.fileTooLarge(_, let bytes, _)): return .failure(.tooLarge(bytes: bytes))
        case .failure: return .failure(.unreadable)
        }
    }
}
