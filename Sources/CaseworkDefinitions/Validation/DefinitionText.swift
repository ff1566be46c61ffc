import Synchronization

/// A definition file's text, made from the file's bytes only when first asked for, once, whichever copy asks first.
///
/// Every command keeps each definition file's text (the store records it, a diagnostic quotes it), but on a
/// definition cache's hit most commands never read it: `decide` reads none, `case show` none unless the store lacks a
/// version. Making the text of every file in every command was a copy and a UTF-8 check of every byte of the set
/// (a megabyte of fresh memory for the shipped definitions); the bytes the files were read into are kept instead, and
/// the text is decoded from them (`String(decoding:as:)`, as it always was) by the first reader.
package final class DefinitionText: Sendable {
    /// The file's bytes, for a text made on first use; empty for a text given whole.
    private let bytes: [UInt8]
    /// The text, once made (or given).
    private let made: Mutex<String?>

    /// The text of a file read as `bytes`, decoded when first asked for.
    package init(bytes: [UInt8]) {
        self.bytes = bytes
        made = Mutex(nil)
    }

    /// A text given whole (a definition loaded from text, or a file's text already made).
    package init(_ text: String) {
        bytes = []
        made = Mutex(text)
    }

    /// The text: the file's bytes decoded as UTF-8, made the first time it is asked for.
    package var string: String {
        made.withLock { made in
            if let made { return made }
            let text = String(decoding: bytes, as: UTF8.self)
            made = text
            return text
        }
    }

    /// Whether the text has been made (or was given): what tests ask to see that a command did not make it.
    package var isMade: Bool { made.withLock { $0 != nil } }
}
