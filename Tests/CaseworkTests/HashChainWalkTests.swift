@testable import CaseworkDefinitions
import CaseworkExpressions
@testable import CaseworkStore
import Foundation
import Testing

/// One walk checks both kinds of chain (`AuditVerification.firstBreak(in:)`): a case's and a child's chain of three
/// events, each damaged in every way the walk looks for, must be found broken at the same event for the same reason.
@Suite("Hash chains: one walk for a case's and a child's")
struct HashChainWalkTests {
    enum Damage: String, CaseIterable, Sendable {
        case none, eventRemoved, linkChanged, contentEdited, hashReplaced
    }

    private static let start = Date(timeIntervalSince1970: 1_790_000_000)

    private static func caseChain() -> [AuditEvent] {
        var events: [AuditEvent] = []
        for sequence in 1...3 {
            events.append(AuditEvent(caseID: "c1", sequence: sequence, at: start.addingTimeInterval(Double(sequence)), actor: .operator(),
                                     action: "fired", subject: "step\(sequence)", fromState: "s\(sequence - 1)", toState: "s\(sequence)",
                                     revision: sequence, input: [:], previousHash: events.last?.hash ?? AuditEvent.genesisHash))
        }
        return events
    }

    private static func childChain() -> [ChildAuditEvent] {
        var events: [ChildAuditEvent] = []
        for sequence in 1...3 {
            events.append(ChildAuditEvent(childID: "k1", sequence: sequence, at: start.addingTimeInterval(Double(sequence)), actor: .operator(),
                                          action: sequence == 1 ? ChildAuditEvent.added : "child_changed", revision: sequence,
                                          change: ChildRecordChange(setFields: ["name": .string("name \(sequence)")]),
                                          previousHash: events.last?.hash ?? AuditEvent.genesisHash))
        }
        return events
    }

    /// `events` damaged as `damage` says, always at the second event (the chain's middle).
    private static func damaged<Event>(_ events: [Event], _ damage: Damage, edit: (inout Event) -> Void, link: (inout Event) -> Void,
                                       rehash: (inout Event) -> Void) -> [Event] {
        var events = events
        switch damage {
        case .none: break
        case .eventRemoved: events.remove(at: 1)
        case .linkChanged: link(&events[1])
        case .contentEdited: edit(&events[1])
        case .hashReplaced: rehash(&events[1])
        }
        return events
    }

    private static func expected(_ damage: Damage) -> AuditVerification? {
        switch damage {
        case .none: nil
        case .eventRemoved: .broken(sequence: 2, reason: "event 2 is missing (found 3 in its place)")
        case .linkChanged: .broken(sequence: 2, reason: "its link to the previous event does not match")
        case .contentEdited, .hashReplaced: .broken(sequence: 2, reason: "its content does not match its hash")
        }
    }

    enum Chain: String, CaseIterable, Sendable { case caseEvents, childEvents }

    /// Where the walk finds `chain` broken once damaged as `damage` says, always at the second event (the middle).
    private static func firstBreak(of chain: Chain, damaged damage: Damage) -> AuditVerification? {
        switch chain {
        case .caseEvents:
            AuditVerification.firstBreak(in: damaged(caseChain(), damage, edit: { $0.toState = "elsewhere" },
                                                     link: { $0.previousHash = String(repeating: "f", count: 64) },
                                                     rehash: { $0.hash = String(repeating: "e", count: 64) }))
        case .childEvents:
            AuditVerification.firstBreak(in: damaged(childChain(), damage, edit: { $0.reason = "added later" },
                                                     link: { $0.previousHash = String(repeating: "f", count: 64) },
                                                     rehash: { $0.hash = String(repeating: "e", count: 64) }))
        }
    }

    @Test(arguments: Chain.allCases, Damage.allCases)
    func aChainBreaksWhereItWasDamaged(chain: Chain, damage: Damage) {
        #expect(Self.firstBreak(of: chain, damaged: damage) == Self.expected(damage))
    }

    /// The shared hash is the hash each kind always had: the SHA-256 of its canonical bytes, which the stored hash matches.
    @Test func eachKindsHashIsItsCanonicalBytesSHA256() {
        for event in Self.caseChain() { #expect(event.computedHash == SHA256.hex(event.canonicalBytes) && event.hash == event.computedHash) }
        for event in Self.childChain() { #expect(event.computedHash == SHA256.hex(event.canonicalBytes) && event.hash == event.computedHash) }
    }
}
