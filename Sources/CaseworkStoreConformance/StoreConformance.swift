import Casework
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkTime
import Foundation
import Synchronization

/// The conformance suite every `CaseStore` driver passes: what the engine relies on from a store, as named checks.
///
/// A driver's tests make one call, with a factory for fresh empty stores, and report each check as its own test:
///
/// ```swift
/// @Test(arguments: StoreConformance.checks)
/// func conforms(_ check: StoreConformance.Check) async {
///     let failures = await StoreConformance.exercise([check], makeStore: { MyStore() })
///     #expect(failures.isEmpty, "\(failures)")
/// }
/// ```
///
/// Findings come back as values (``Failure``), so the library depends on no test framework.
public enum StoreConformance {
    /// Makes a fresh, empty store; called once or more per check.
    public typealias MakeStore = @Sendable () throws -> any CaseStore

    /// One named promise of a store, checked on stores from a factory.
    public struct Check: Sendable, CustomStringConvertible {
        /// What the check proves, in words; a failure is reported under it.
        public let name: String
        let body: @Sendable (_ makeStore: MakeStore, _ expect: Expectations) async throws -> Void

        init(_ name: String, _ body: @escaping @Sendable (_ makeStore: MakeStore, _ expect: Expectations) async throws -> Void) {
            self.name = name
            self.body = body
        }

        /// The check's name.
        public var description: String { name }
    }

    /// One thing a store did otherwise than promised.
    public struct Failure: Sendable, Hashable, CustomStringConvertible {
        /// The name of the check that found it.
        public var check: String
        /// What differed, or the error that ended the check.
        public var detail: String
        /// Where in the conformance library it was expected otherwise (`CaseworkStoreConformance/StoreChecks.swift:42`);
        /// nil when the check ended by throwing.
        public var location: String?

        /// Creates a failure.
        public init(check: String, detail: String, location: String?) {
            self.check = check
            self.detail = detail
            self.location = location
        }

        /// `check: detail (file:line)`.
        public var description: String { "\(check): \(detail)" + (location.map { " (\($0))" } ?? "") }
    }

    /// Every check: the store's own promises, archives, paging, the async service over the store's driver, group commit, then the
    /// engine refusing cleanly when the store fails at each step.
    public static let checks: [Check] = storeChecks + archiveChecks + pagingChecks + serviceChecks + groupCommitChecks + failureInjectionChecks
        + documentChecks + childChecks + linkedCaseChecks

    /// Runs `checks` on stores made by `makeStore` and returns every failure, in check order; empty when the store conforms.
    /// A check that throws ends with one failure naming the error.
    public static func exercise(_ checks: [Check] = checks, makeStore: @escaping MakeStore) async -> [Failure] {
        var failures: [Failure] = []
        for check in checks {
            let expect = Expectations(check: check.name)
            do {
                try await check.body(makeStore, expect)
            } catch {
                expect.record("the check threw \(error)", at: nil)
            }
            failures += expect.failures
        }
        return failures
    }
}

/// Collects what one check found; every method records a ``StoreConformance/Failure`` instead of stopping the check.
final class Expectations: Sendable {
    let check: String
    private let found = Mutex<[StoreConformance.Failure]>([])

    init(check: String) { self.check = check }

    var failures: [StoreConformance.Failure] { found.withLock { $0 } }

    func record(_ detail: String, at location: String?) {
        let failure = StoreConformance.Failure(check: check, detail: detail, location: location)
        found.withLock { $0.append(failure) }
    }

    /// Records a failure found at `file` and `line`.
    func record(_ detail: String, file: StaticString = #fileID, line: UInt = #line) {
        record(detail, at: "\(file):\(line)")
    }

    /// Records a failure unless `condition` holds.
    func that(_ condition: Bool, _ what: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) {
        if !condition { record(what(), file: file, line: line) }
    }

    /// Records a failure unless `actual == expected`, showing both.
    func equal<T: Equatable>(_ actual: T, _ expected: T, _ what: String, file: StaticString = #fileID, line: UInt = #line) {
        if actual != expected { record("\(what): got \(actual), expected \(expected)", file: file, line: line) }
    }

    /// Records a failure unless `body` throws a `StoreError` (equal to `expected` when one is given).
    func throwsStoreError(
        _ expected: StoreError? = nil, _ what: String, file: StaticString = #fileID, line: UInt = #line, _ body: () throws -> Void
    ) {
        do {
            try body()
            record("\(what): no error was thrown", file: file, line: line)
        } catch let error as StoreError {
            if let expected, error != expected { record("\(what): threw \(error), expected \(expected)", file: file, line: line) }
        } catch {
            record("\(what): threw \(error), which is not a StoreError", file: file, line: line)
        }
    }
}
