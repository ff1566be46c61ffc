import Foundation
import Casework

/// `casework decide --batch FILE|-`: one JSON request per line in, one compact JSON decision per line out, in the
/// same order, streamed.
///
/// Memory stays bounded whatever the input's size: input is read in blocks, a line is held only up to
/// ``AccessRequestReader/maxRequestBytes`` (a longer one is skipped to its end and answered as too long), and
/// the answers to the lines of each block are written before the next block is read, so a caller that writes one
/// line and waits for its answer gets it. A line that cannot be used is answered on its own line by
/// `{"line": N, "error": "invalid_input", "problems": [{"path": …, "message": …}]}` and the batch goes on.
enum DecideBatch {
    /// How many bytes each read asks for.
    static let blockBytes = 64 * 1024

    /// Decides every line of the file at `path` (`-` for standard input). Exit 0 when every line was a usable
    /// request (allowed or denied), 1 when any line was answered with an error; every line is answered either way.
    static func run(path: String, reader: AccessRequestReader, console: some Console) throws(EngineError) -> ExitStatus {
        let descriptor: Int32 = path == "-" ? STDIN_FILENO : open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw .invalidInput([InputProblem(field: "batch", message: "cannot read '\(path)': \(String(cString: strerror(errno)))")])
        }
        defer { if descriptor != STDIN_FILENO { close(descriptor) } }
        return try run(descriptor: descriptor, named: path, reader: reader, console: console)
    }

    /// Decides every line read from the open file `descriptor` (named `name` in errors), answering each block's
    /// lines before reading the next.
    static func run(descriptor: Int32, named name: String, reader: AccessRequestReader, console: some Console) throws(EngineError) -> ExitStatus {
        var batch = Batch(reader: reader)
        var block = [UInt8](repeating: 0, count: blockBytes)
        while true {
            let count = block.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, blockBytes) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else {
                console.out(batch.take())
                throw .invalidInput([InputProblem(field: "batch", message: "reading '\(name)' failed after line \(batch.line): \(String(cString: strerror(errno)))")])
            }
            if count == 0 { break }
            block.withUnsafeBufferPointer { batch.feed($0[0..<count]) }
            console.out(batch.take())
        }
        batch.finish()
        console.out(batch.take())
        return batch.badLines == 0 ? .success : .failure
    }

    /// The state of one batch between blocks: the line being gathered, and the answers not yet written.
    struct Batch {
        let reader: AccessRequestReader
        /// The bytes of the current line so far, while it is within the limit.
        private var pending: [UInt8] = []
        /// The length so far of a current line that is over the limit, whose bytes are not kept.
        private var overLimit: Int?
        /// The number of the last line answered.
        private(set) var line = 0
        /// How many lines were answered with an error.
        private(set) var badLines = 0
        /// Answers not yet written.
        private var output = ""

        init(reader: AccessRequestReader) {
            self.reader = reader
            pending.reserveCapacity(AccessRequestReader.maxRequestBytes)
        }

        /// Takes in a block of input, answering every line it completes.
        mutating func feed(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) {
            var start = bytes.startIndex
            while let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
                gather(bytes[start..<newline])
                endLine()
                start = newline + 1
            }
            gather(bytes[start...])
        }

        /// Answers a last line that has no newline after it.
        mutating func finish() {
            if !pending.isEmpty || overLimit != nil { endLine() }
        }

        /// The answers so far, leaving none.
        mutating func take() -> String {
            defer { output = "" }
            return output
        }

        private mutating func gather(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) {
            if let seen = overLimit {
                overLimit = seen + bytes.count
            } else if pending.count + bytes.count > AccessRequestReader.maxRequestBytes {
                overLimit = pending.count + bytes.count
                pending.removeAll(keepingCapacity: true)
            } else {
                pending.append(contentsOf: bytes)
            }
        }

        private mutating func endLine() {
            line += 1
            defer {
                pending.removeAll(keepingCapacity: true)
                overLimit = nil
            }
            if let length = overLimit {
                return refuse([InputProblem(field: "request", message: "the line is \(length) bytes, over the limit of \(AccessRequestReader.maxRequestBytes) bytes for one request")])
            }
            if pending.last == UInt8(ascii: "\r") { pending.removeLast() }
            guard !pending.isEmpty else { return refuse([InputProblem(field: "request", message: "the line is empty")]) }
            switch reader.parse(Data(pending)) {
            case .success(let request):
                write(DecideCommand.json(reader.policy.decide(request)))
            case .failure(let problems):
                refuse(problems.problems)
            }
        }

        private mutating func refuse(_ problems: [InputProblem]) {
            badLines += 1
            write(["line": line, "error": "invalid_input", "problems": problems.map { ["path": $0.field, "message": $0.message] }])
        }

        private mutating func write(_ object: [String: Any]) {
            // Every answer is built from strings, numbers and lists, which always serialise; should one not, its
            // line is still answered, so answers stay in step with lines.
            guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else {
                output += "{\"error\":\"internal_error\",\"line\":\(line)}\n"
                return
            }
            output += String(decoding: data, as: UTF8.self)
            output += "\n"
        }
    }
}
