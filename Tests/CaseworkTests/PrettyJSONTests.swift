@testable import CaseworkCommandLine
@testable import CaseworkDefinitions
@testable import CaseworkEngine
import CaseworkExpressions
import CaseworkTime
import CaseworkTestSupport
import Foundation
import Testing

/// ``PrettyJSON`` writes exactly the bytes `JSONSerialization` writes with `.prettyPrinted`, `.sortedKeys` and
/// `.withoutEscapingSlashes`, and leaves every tree it does not write to it (``JSONOutput/render(_:)``).
@Suite("Pretty JSON")
struct PrettyJSONTests {
    /// `JSONSerialization`'s text of `object`, as ``JSONOutput/render(_:)`` wrote every case command's JSON before.
    static func reference(_ object: Any) -> String? {
        guard JSONSerialization.isValidJSONObject(object),
            let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// Characters that test escaping and key order: quotes, backslashes, slashes, every control character class,
    /// digits (numeric order), cases, underscores, dots, dashes, accents and characters beyond the BMP.
    static let alphabet: [String] = ["a", "b", "z", "A", "Z", "_", ".", "-", "0", "1", "2", "9", "10", " ", "\"", "\\", "/", "\n", "\r", "\t",
                                     "\u{8}", "\u{c}", "\u{0}", "\u{1}", "\u{b}", "\u{1f}", "\u{7f}", "é", "É", "ß", "ı", "€", "😀", "\u{301}"]

    static func text(_ random: inout SeededGenerator, maximum: Int = 8) -> String {
        (0..<Int.random(in: 0...maximum, using: &random)).map { _ in alphabet.randomElement(using: &random)! }.joined()
    }

    /// A random tree of the values the case commands print, with the container types they build.
    static func value(_ random: inout SeededGenerator, depth: Int) -> Any {
        switch Int.random(in: 0..<(depth > 3 ? 4 : 9), using: &random) {
        case 0: return text(&random)
        case 1: return Bool.random(using: &random)
        case 2: return [Int.min, -1, 0, 1, 42, Int.max, Int.random(in: -1_000_000...1_000_000, using: &random)].randomElement(using: &random)!
        case 3: return NSNull()
        case 4: return (0..<Int.random(in: 0...3, using: &random)).map { _ in text(&random) }
        case 5: return Dictionary((0..<Int.random(in: 0...4, using: &random)).map { _ in (text(&random), text(&random)) }, uniquingKeysWith: { a, _ in a })
        case 6: return (0..<Int.random(in: 0...3, using: &random)).map { _ in object(&random, depth: depth + 1) }
        case 7: return (0..<Int.random(in: 0...3, using: &random)).map { _ in value(&random, depth: depth + 1) }
        default: return object(&random, depth: depth + 1)
        }
    }

    static func object(_ random: inout SeededGenerator, depth: Int) -> [String: Any] {
        var object: [String: Any] = [:]
        for _ in 0..<Int.random(in: 0...6, using: &random) { object[text(&random)] = value(&random, depth: depth) }
        return object
    }

    @Test(arguments: [UInt64(1), 2, 3, 4])
    func randomTreesAreWrittenAsJSONSerializationWritesThem(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        for index in 0..<300 {
            let tree: Any = index % 4 == 0 ? (0..<Int.random(in: 1...3, using: &random)).map { _ in Self.object(&random, depth: 1) } : Self.object(&random, depth: 0)
            let written = try #require(PrettyJSON.text(of: tree), "tree \(index) of seed \(seed) is written")
            let reference = try #require(Self.reference(tree))
            guard written == reference else {
                Issue.record("tree \(index) of seed \(seed) differs:\n\(written)\n---\n\(reference)")
                return
            }
        }
    }

    @Test func keysAreOrderedAsJSONSerializationOrdersThem() throws {
        let keys = ["item10", "item2", "Item1", "item_b", "itemb", "item.b", "item-b", "a", "A", "_a", "b", "B2", "b10", "ä", "z", "state", "state_title",
                    "workflow", "workflow_version", "due_on", "days_left", "é", "e", "f", "", "10", "9", "x1y10", "x1y9"]
        let object = Dictionary(uniqueKeysWithValues: keys.map { ($0, $0 as Any) })
        #expect(PrettyJSON.text(of: object) == Self.reference(object))
    }

    /// The byte-by-byte comparison of snake_case keys orders them as Foundation's collation does: every pair of keys of up
    /// to two characters over `a`…`z` and `_`, and pairs of longer keys that share a prefix and differ at one place.
    @Test func snakeCaseKeysCompareAsFoundationComparesThem() {
        let letters = (UInt8(ascii: "a")...UInt8(ascii: "z")).map { String(UnicodeScalar($0)) } + ["_"]
        let short = [""] + letters + letters.flatMap { first in letters.map { first + $0 } }
        var disagreements: [String] = []
        for a in short {
            for b in short where PrettyJSON.precedes(a, b) != PrettyJSON.foundationPrecedes(a, b) {
                disagreements.append("'\(a)' and '\(b)'")
            }
        }
        for prefix in ["state", "due_on", "workflow_version", "_", "a_b_c"] {
            for a in letters {
                for b in letters {
                    for (x, y) in [(prefix + a, prefix + b), (prefix + a + "_tail", prefix + b), (prefix + a, prefix + b + "z")]
                    where PrettyJSON.precedes(x, y) != PrettyJSON.foundationPrecedes(x, y) {
                        disagreements.append("'\(x)' and '\(y)'")
                    }
                }
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10))")
        #expect(PrettyJSON.isSnakeCase("state_title") && PrettyJSON.isSnakeCase(""))
        #expect(!PrettyJSON.isSnakeCase("item10") && !PrettyJSON.isSnakeCase("Item") && !PrettyJSON.isSnakeCase("é") && !PrettyJSON.isSnakeCase("a.b"))
    }

    @Test func emptyContainersAndNestingAreLaidOutAsJSONSerializationLaysThemOut() throws {
        let object: [String: Any] = ["links": [Any](), "fields": [String: Any](), "reasons": [String](), "nested": [["a": [[String: Any]()]]],
                                     "deep": [[[["x": NSNull()]]]], "flags": [true, false], "numbers": [0, -7, Int.max]]
        #expect(PrettyJSON.text(of: object) == Self.reference(object))
        #expect(PrettyJSON.text(of: [[String: Any]()]) == Self.reference([[String: Any]()]))
    }

    @Test func aTreeHoldingAnotherValueIsLeftToJSONSerialization() {
        let decimal: [String: Any] = ["amount": NSDecimalNumber(string: "2.50"), "name": "a"]
        let double: [String: Any] = ["ratio": 0.5]
        let number: [String: Any] = ["count": NSNumber(value: 1)]
        let notJSON: [String: Any] = ["date": Date(timeIntervalSince1970: 0)]
        let keyed: [Int: Any] = [1: "a"]
        for tree in [decimal, double, number, notJSON] as [Any] + [keyed, NSArray(array: ["a"]), "text", 7] {
            #expect(PrettyJSON.text(of: tree) == nil)
        }
        // ``JSONOutput/render(_:)`` then gives exactly what it gave before.
        #expect(JSONOutput.render(decimal) == Self.reference(decimal)! + "\n")
        #expect(JSONOutput.render(double) == Self.reference(double)! + "\n")
        #expect(JSONOutput.render(notJSON) == "{}\n")
        #expect(JSONOutput.render([Any]()) == "[]\n")
        #expect(PrettyJSON.text(of: Self.nested(PrettyJSON.depthLimit + 1)) == nil)
        #expect(JSONOutput.render(Self.nested(PrettyJSON.depthLimit + 1)) == Self.reference(Self.nested(PrettyJSON.depthLimit + 1))! + "\n")
        #expect(PrettyJSON.text(of: Self.nested(PrettyJSON.depthLimit - 1)) == Self.reference(Self.nested(PrettyJSON.depthLimit - 1)))
    }

    /// Objects nested `depth` deep.
    static func nested(_ depth: Int) -> [String: Any] {
        var object: [String: Any] = ["leaf": "x"]
        for _ in 1..<depth { object = ["next": object] }
        return object
    }

    @Test func aCaseAsTheCaseCommandsPrintItIsWrittenAsJSONSerializationWritesIt() throws {
        let fields: [String: ExpressionValue] = ["child.first_name": .string("Zoë \"Sam\" / \\ \n"), "child.date_of_birth": .date(CalendarDate("2016-02-14")!),
                                                 "requested_on": .date(CalendarDate("2025-09-01")!), "count": .int(3), "urgent": .bool(true),
                                                 "tags": .list([.string("a"), .string("b")])]
        let view = CaseView(id: "c0", workflow: "ehcp-needs-assessment", state: "requested", deadlines: nil, fields: fields, withheld: ["child.address"],
                            reasons: ["rule r1 hides it"])
        let object = CaseCommand.json(view)
        #expect(PrettyJSON.text(of: object) == Self.reference(object))
        #expect(JSONOutput.render(object) == Self.reference(object)! + "\n")
    }
}
