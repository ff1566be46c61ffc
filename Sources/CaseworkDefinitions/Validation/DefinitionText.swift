import CaseworkYAML
import Synchronization

/// A definition file's text, made only when first asked for, once, whichever copy asks first.
///
/// Every command keeps each definition file's text (the store records it, a diagnostic quotes it), but on a
/// definition cache's hit most commands never read it: `decide` reads none, `case show` none unless the store lacks a
/// version. Making the text of every file in every command was a copy and a UTF-8 check of every byte of the set, and
/// keeping the bytes the files were read into was a fresh array per file (a megabyte of fresh pages for the shipped
/// definitions). So a hit keeps neither: the files are read one after another into one reused buffer, only to be
/// hashed for the cache's key (``Validator/digests(paths:limits:)``), and a text is read from its file again by its
/// first reader, who gets it only when the bytes read then have the SHA-256 the set was validated with
/// (``init(file:sha256:limit:)``). A file rewritten since is refused (``Changed``), never read as other text than
/// the one the catalog was built from.
package final class DefinitionText: Sendable {
    /// Where the text comes from when first asked for.
    private enum Source: Sendable {
        /// Given whole, or made already.
        case made
        /// The bytes a file was read as.
        case bytes([UInt8])
        /// The file at `path` again, only if its bytes still have the SHA-256 `sha256`, refused unread over `limit` bytes.
        case file(path: String, sha256: String, limit: Int)
    }

    /// Why a text read from its file again cannot be had: the file no longer holds the bytes its definitions were
    /// loaded from (changed, removed, unreadable or over the size limit), so its text would not be theirs.
    package struct Changed: Error, Sendable, Equatable, CustomStringConvertible {
        /// The file, as the definitions name it.
        package let file: String
        /// What reading it again found.
        package let reason: String

        /// Says which file changed, and what to do about it.
        package var description: String {
            "definition file '\(file)' changed after the definitions were loaded (\(reason)), so its text is not the one they were loaded from; run the command again"
        }
    }

    private let source: Source
    /// The text, once made (or given); or why it could not be read again from its file.
    private let made: Mutex<Result<String, Changed>?>

    /// The text of a file read as `bytes`, decoded when first asked for.
    package init(bytes: [UInt8]) {
        source = .bytes(bytes)
        made = Mutex(nil)
    }

    /// The text of the file at `path`, whose bytes had the SHA-256 `sha256` (64 lower-case hexadecimal characters)
    /// when its definitions were loaded: read again and checked when first asked for (refused unread over `limit` bytes).
    package init(file path: String, sha256: String, limit: Int) {
        source = .file(path: path, sha256: sha256, limit: limit)
        made = Mutex(nil)
    }

    /// A text given whole (a definition loaded from text, or a file's text already made).
    package init(_ text: String) {
        source = .made
        made = Mutex(.success(text))
    }

    /// The text: made the first time it is asked for (for a file read again, only when its bytes are still the ones
    /// its definitions were loaded from; the answer, text or refusal, is kept).
    package func text() throws(Changed) -> String {
        try made.withLock { made throws(Changed) in
            if let made { return try made.get() }
            let text = Self.make(source)
            made = text
            return try text.get()
        }
    }

    /// The text, or nil when it cannot be had (``text()``): for placing a diagnostic, which without it is shown with
    /// no excerpt.
    package var textIfUnchanged: String? { try? text() }

    /// Whether the text has been made (or was given), or refused: what tests ask to see that a command did not make it.
    package var isMade: Bool { made.withLock { $0 != nil } }

    private static func make(_ source: Source) -> Result<String, Changed> {
        switch source {
        case .made:
            return .success("")
        case .bytes(let bytes):
            return .success(String(decoding: bytes, as: UTF8.self))
        case .file(let path, let sha256, let limit):
            switch CaseworkYAML.FileBytes.read(path, limit: limit) {
            case .failure(.fileTooLarge(_, let bytes, let limit)):
                return .failure(Changed(file: path, reason: "it is now \(bytes) bytes, over the limit of \(limit)"))
            case .failure(.unreadable(_, let reason)):
                return .failure(Changed(file: path, reason: "it cannot be read again: \(reason)"))
            case .failure:
                return .failure(Changed(file: path, reason: "it cannot be read again"))
            case .success(let bytes):
                guard SHA256.hex(bytes) == sha256 else { return .failure(Changed(file: path, reason: "its bytes are not the ones validated")) }
                return .success(String(decoding: bytes, as: UTF8.self))
            }
        }
    }
}
