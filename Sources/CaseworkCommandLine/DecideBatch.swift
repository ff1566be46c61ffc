import Casework
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkTime
import Foundation

/// `casework decide --batch FILE|-`: one JSON request per line in, one compact JSON decision per line out, in the
/// same order, streamed.
///
/// Memory stays bounded whatever the input's size: input is read in blocks, a line is held only up to
/// ``AccessRequestReader/maxRequestBytes`` (a longer one is skipped to its end and answered as too long), and
/// the answers to the lines of each block are written before the next block is read, so a caller that writes one
/// line and waits for its answer gets it. A line that cannot be used is answered on its own line by
/// `{"line": N, "error": "invalid_input", "problems": [{"path": …, "message": …}]}` and the batch goes on.
package enum DecideBatch {
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
    package struct Batch {
        let reader: AccessRequestReader
        /// The bytes of the current line so far, while it is within the limit.
        private var pending: [UInt8] = []
        /// The length so far of a current line that is over the limit, whose bytes are not kept.
        private var overLimit: Int?
        /// The number of the last line answered.
        private(set) var line = 0
        /// How many lines were answered with an error.
        private(set) var badLines = 0
        /// Answers not yet written, as UTF-8.
        private var output: [UInt8] = []

        package init(reader: AccessRequestReader) {
            self.reader = reader
            pending.reserveCapacity(AccessRequestReader.maxRequestBytes)
        }

        /// Takes in a block of input, answering every line it completes.
        package mutating func feed(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) {
            var start = bytes.startIndex
            while let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
                gather(bytes[start..<newline])
                endLine()
                start = newline + 1
            }
            gather(bytes[start...])
        }

        /// Answers a last line that has no newline after it.
        package mutating func finish() {
            if !pending.isEmpty || overLimit != nil { endLine() }
        }

        /// The answers so far, leaving none.
        package mutating func take() -> String {
            defer { output.removeAll(keepingCapacity: true) }
            return String(decoding: output, as: UTF8.self)
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
                write(reader.policy.decide(request))
            case .failure(let problems):
                refuse(problems.problems)
            }
        }

        private mutating func refuse(_ problems: [InputProblem]) {
            badLines += 1
            JSONLine.raw("{\"error\":\"invalid_input\",\"line\":\(line),\"problems\":[", to: &output)
            for (index, problem) in problems.enumerated() {
                JSONLine.raw(index == 0 ? "{\"message\":" : ",{\"message\":", to: &output)
                JSONLine.append(problem.message, to: &output)
                JSONLine.raw(",\"path\":", to: &output)
                JSONLine.append(problem.field, to: &output)
                JSONLine.raw("}", to: &output)
            }
            JSONLine.raw("]}\n", to: &output)
        }

        /// A decision as one line of compact JSON, keys sorted as `casework decide --format json` sorts them.
        private mutating func write(_ decision: AccessDecision) {
            JSONLine.raw(decision.allowed ? "{\"decision\":\"allow\",\"matched\":" : "{\"decision\":\"deny\",\"matched\":", to: &output)
            JSONLine.append(decision.matched, to: &output)
            JSONLine.raw(",\"reasons\":", to: &output)
            JSONLine.append(decision.reasons, to: &output)
            JSONLine.raw(",\"redact\":", to: &output)
            JSONLine.append(decision.redact, to: &output)
            JSONLine.raw(",\"trace\":[", to: &output)
            for (index, step) in decision.trace.enumerated() {
                JSONLine.raw(index == 0 ? "{\"matched\":" : ",{\"matched\":", to: &output)
                JSONLine.raw(step.matched ? "true,\"rule\":" : "false,\"rule\":", to: &output)
                JSONLine.append(step.rule, to: &output)
                JSONLine.raw(",\"why\":", to: &output)
                JSONLine.append(step.why, to: &output)
                JSONLine.raw("}", to: &output)
            }
            JSONLine.raw("]}\n", to: &output)
        }
    }
}

/// Compact JSON text for the batch's answers, written straight into an output buffer of UTF-8 bytes:
/// `JSONSerialization` spends most of a batch's time bridging and sorting keys for objects whose keys are fixed.
enum JSONLine {
    /// Appends `text` as UTF-8.
    static func raw(_ text: String, to output: inout [UInt8]) {
        output.append(contentsOf: text.utf8)
    }

    /// Appends `text` as a JSON string: quotes, backslashes and control characters escaped, the rest as it is.
    static func append(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\t"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    /// Appends `texts` as a JSON list of strings.
    static func append(_ texts: [String], to output: inout [UInt8]) {
        output.append(UInt8(ascii: "["))
        for (index, text) in texts.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            append(text, to: &output)
        }
        output.append(UInt8(ascii: "]"))
    }
}
