import CaseworkDefinitions

/// What a definition cache's archive promises of any bytes it is asked to read: the `definition-archive` fuzz target
/// (Fuzz/DefinitionArchive) and `FuzzRegressionTests` hold arbitrary bytes to it. A cache entry's bytes are hashed
/// before they are read, so damage is a miss; this holds the reader to its own word (``DefinitionArchive``: "any
/// bytes at all give a set or nil") for bytes that got past the hash, as a cache entry written by another hand would.
///
/// Each input is read as a set (``DefinitionArchive/read(_:at:files:fingerprints:)``), and what follows it as one
/// workflow's region of that set (``DefinitionArchive/readWorkflow(_:at:files:in:)``):
/// - each read gives a value or nil, never a trap, and a nil leaves the offset where it was;
/// - a read that succeeds moves the offset forward, never past the end;
/// - what was read, written again (``DefinitionArchive/append(_:files:to:)``, ``DefinitionArchive/appendWorkflow(_:files:to:)``),
///   reads back to the same set or workflow, to the last byte written.
package enum DefinitionArchiveCheck {
    /// An archive read in a way its promises forbid.
    package struct Fault: Error, CustomStringConvertible {
        /// What went wrong.
        package let description: String
    }

    /// The files every input's ranges and definitions are read against: as many as any seed names (the shipped set
    /// has 20), and named for no real file, since the archive holds each file as its index in this list.
    package static let files = (0..<32).map { "definitions/file-\($0).yaml" }

    /// Holds `bytes` to the promises above; the first broken one is thrown.
    package static func check(_ bytes: [UInt8]) throws(Fault) {
        let fault: Fault? = bytes.withUnsafeBytes { input in
            var offset = 0
            guard let known = DefinitionArchive.read(input, at: &offset, files: files, fingerprints: []) else {
                return offset == 0 ? nil : Fault(description: "a set that did not read moved the offset to \(offset)")
            }
            guard offset > 0, offset <= input.count else { return Fault(description: "a set read to offset \(offset) of \(input.count)") }
            var written: [UInt8] = []
            guard DefinitionArchive.append(known, files: files, to: &written) else { return Fault(description: "a set that was read could not be written again") }
            var rereadOffset = 0
            let reread = written.withUnsafeBytes { DefinitionArchive.read($0, at: &rereadOffset, files: files, fingerprints: []) }
            guard let reread, reread.definitions == known.definitions, rereadOffset == written.count else {
                return Fault(description: "a set written again did not read back as the same set")
            }
            let start = offset
            guard let kept = DefinitionArchive.readWorkflow(input, at: &offset, files: files, in: known.definitions) else {
                return offset == start ? nil : Fault(description: "a workflow that did not read moved the offset from \(start) to \(offset)")
            }
            guard offset > start, offset <= input.count else { return Fault(description: "a workflow read from offset \(start) to \(offset) of \(input.count)") }
            var region: [UInt8] = []
            guard DefinitionArchive.appendWorkflow(kept, files: files, to: &region) else { return Fault(description: "a workflow that was read could not be written again") }
            var regionOffset = 0
            let again = region.withUnsafeBytes { DefinitionArchive.readWorkflow($0, at: &regionOffset, files: files, in: known.definitions) }
            guard let again, again.definition == kept.definition, regionOffset == region.count else {
                return Fault(description: "workflow '\(kept.definition.id.value)' written again did not read back as the same workflow")
            }
            return nil
        }
        if let fault { throw fault }
    }
}
