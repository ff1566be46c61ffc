import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A server that speaks while a connection is still being made (as one shutting down does: "FATAL: terminating
/// connection due to administrator command") is reported by the command's own one line, never by libpq's raw text on
/// standard error. No PostgreSQL server is needed: a stand-in on a Unix socket answers the startup message with
/// "authenticated", a warning notice and a fatal error, as a real server's protocol allows.
@Suite("PostgreSQL: what a server says while a connection is made")
struct PostgresConnectNoticeTests {
    /// One protocol message: its type byte, its length (itself included) and its body.
    static func message(_ type: Character, _ body: [UInt8]) -> [UInt8] {
        let length = UInt32(body.count + 4)
        return [UInt8(ascii: type.unicodeScalars.first!)] + withUnsafeBytes(of: length.bigEndian) { Array($0) } + body
    }

    /// A notice or error body: each field's code and text, then the terminating zero.
    static func fields(_ pairs: [(Character, String)]) -> [UInt8] {
        pairs.flatMap { [UInt8(ascii: $0.0.unicodeScalars.first!)] + Array($0.1.utf8) + [0] } + [0]
    }

    /// Listens on `directory/.s.PGSQL.5432` and answers every connection as above until the socket is closed, or, when
    /// `silent`, takes connections and never answers.
    final class StandIn: @unchecked Sendable {
        // `@unchecked`: `listener` is set once in `init` and only read after; the accepting thread owns each connection.
        let listener: Int32

        init(directory: String, silent: Bool = false) throws {
            let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let path = Array((directory + "/.s.PGSQL.5432").utf8)
            guard path.count < MemoryLayout.size(ofValue: address.sun_path) else { throw POSIXError(.ENAMETOOLONG) }
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                for (index, byte) in path.enumerated() { raw[index] = byte }
            }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard bound == 0, listen(listener, 8) == 0 else { throw POSIXError(.EADDRINUSE) }
            self.listener = listener
            guard !silent else { return }
            Thread.detachNewThread {
                while true {
                    let connection = accept(listener, nil, nil)
                    guard connection >= 0 else { return }
                    var buffer = [UInt8](repeating: 0, count: 4096)
                    _ = read(connection, &buffer, buffer.count)
                    let reply = PostgresConnectNoticeTests.message("R", [0, 0, 0, 0])
                        + PostgresConnectNoticeTests.message("N", PostgresConnectNoticeTests.fields([("S", "WARNING"), ("V", "WARNING"), ("C", "01000"), ("M", "casework-stand-in-notice")]))
                        + PostgresConnectNoticeTests.message("E", PostgresConnectNoticeTests.fields([
                            ("S", "FATAL"), ("V", "FATAL"), ("C", "57P01"), ("M", "terminating connection due to administrator command"),
                        ]))
                    _ = reply.withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
                    close(connection)
                }
            }
        }

        func stop() {
            shutdown(listener, Int32(SHUT_RDWR))
            close(listener)
        }
    }

    @Test func aServerSpeakingDuringTheHandshakeIsReportedInOneLineOfOurOwn() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("casework-pg-standin-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let standIn = try StandIn(directory: directory.path)
        defer { standIn.stop() }
        let outcome = try CaseworkProcess.run(["case", "list", "--db", "postgresql:///cases?host=\(directory.path)&user=casework&connect_timeout=10"], timeout: 60)
        #expect(outcome.status == 6, "\(outcome)")
        #expect(!outcome.err.contains("casework-stand-in-notice"), "libpq's own text reached standard error: \(outcome.err)")
        #expect(outcome.err.hasPrefix("error[unavailable]") && outcome.err.filter { $0 == "\n" }.count == 1, "\(outcome.err)")
        #expect(outcome.err.contains("terminating connection due to administrator command"), "\(outcome.err)")
    }

    /// `connect_timeout`, which libpq leaves to a caller that drives the handshake itself, still bounds a server that
    /// never answers: the command gives up after it with its own line.
    @Test func aServerThatNeverAnswersIsGivenUpOnAfterConnectTimeout() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("casework-pg-silent-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let standIn = try StandIn(directory: directory.path, silent: true)
        defer { standIn.stop() }
        let outcome = try CaseworkProcess.run(["case", "list", "--db", "postgresql:///cases?host=\(directory.path)&user=casework&connect_timeout=2"], timeout: 60)
        #expect(outcome.status == 6, "\(outcome)")
        #expect(outcome.err.hasPrefix("error[unavailable]") && outcome.err.contains("no answer within connect_timeout (2 s)"), "\(outcome.err)")
    }
}
