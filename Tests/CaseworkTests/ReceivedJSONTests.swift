import CaseworkDefinitions
import Foundation
import Testing

/// A JSON document from outside that names a member twice is refused at that member's path, never read as one of its
/// values (Foundation keeps the last, other readers the first); one that is not strict JSON is refused as not JSON.
@Suite("JSON from outside: strict, and no member named twice")
struct ReceivedJSONTests {
    /// Documents and the paths of their repeated members.
    @Test(arguments: [
        (#"{"a": 1, "a": 2}"#, ["a"]),
        (#"{"a": 1, "b": {"c": 1, "c": 1}}"#, ["b.c"]),
        (#"{"grants": [{"level": "limited"}, {"level": "limited", "level": "full"}]}"#, ["grants[1].level"]),
        (#"[{"x": 1, "x": 2}, 3]"#, ["[0].x"]),
        (#"{"a": 1, "a": 2, "a": 3}"#, ["a"]),
        (#"{"b": 1, "a": {"z": [1, {"y": 1, "y": 2}]}, "b": 2}"#, ["a.z[1].y", "b"]),
        (#"{"case": {"fields": {"child": {"first_name": "Sam", "first_name": "Tom"}}}}"#, ["case.fields.child.first_name"]),
        ("{\"caf\\u00e9\": 1, \"cafe\\u0301\": 2}", ["café"]),
        (#"{"a": 1, "A": 2, "a ": 3}"#, []),
        (#"{"a": {"b": 1}, "c": {"b": 1}}"#, []),
        (#"[{"a": 1}, {"a": 1}]"#, []),
        (#""text""#, []),
        (#"{}"#, []),
    ] as [(String, [String])])
    func aRepeatedMemberIsNamedAtItsPath(document: String, repeated: [String]) {
        let problems = ReceivedJSON.problems(in: Data(document.utf8), field: "request")
        #expect(problems.map(\.field) == repeated)
        #expect(problems.allSatisfy { $0.message.contains("more than once") })
    }

    /// What is not strict JSON is refused as not JSON, with the byte where reading stopped, including what
    /// `JSONSerialization` read (UTF-16 with a byte-order mark, keeping the last of two `a`s, and a UTF-8 one).
    @Test(arguments: [
        (Data(#"{"a": 1"#.utf8), 7),
        (Data(#"{"a": 1} x"#.utf8), 9),
        (Data([0xFF, 0xFE]) + Data(#"{"a":1,"a":2}"#.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }), 0),
        (Data([0xEF, 0xBB, 0xBF]) + Data(#"{"a": 1}"#.utf8), 0),
        (Data(#"{"a": "\ud800"}"#.utf8), 13),
        (Data([0x7B, 0x22, 0xC3, 0x22, 0x3A, 0x31, 0x7D]), 2),
        (Data(), 0),
    ] as [(Data, Int)])
    func aDocumentThatIsNotStrictJSONIsRefused(data: Data, byte: Int) {
        let problems = ReceivedJSON.problems(in: data, field: "body")
        #expect(problems.map(\.field) == ["body"])
        #expect(problems.first?.message.hasPrefix("is not JSON (at byte \(byte): ") == true, "\(problems)")
    }

    /// Over documents `JSONSerialization` writes (names distinct, some alike but for case or accents), the check finds
    /// nothing; with the first member of the first object written again after it, it finds exactly that member.
    @Test func aGeneratedDocumentPassesUntilOneOfItsMembersIsRepeated() throws {
        var generator = TimelinessReportTests.SplitMix(state: 16)
        for _ in 0..<300 {
            let value = Self.value(depth: 0, using: &generator)
            let data = try JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys])
            #expect(ReceivedJSON.problems(in: data, field: "x").isEmpty, "\(String(decoding: data, as: UTF8.self))")
            let text = String(decoding: data, as: UTF8.self)
            // Repeat the first member of the first object: `{"k":v` becomes `{"k":v,"k":v`.
            guard let open = text.firstIndex(of: "{"), text[text.index(after: open)] != "}" else { continue }
            let reread = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            guard let object = Self.firstObjectPath(reread) else { continue }
            let member = Self.firstMember(of: text[text.index(after: open)...])
            let name = try #require(try JSONSerialization.jsonObject(with: Data("{\(member)}".utf8)) as? [String: Any]).keys.first!
            let path = object.isEmpty ? name : "\(object).\(name)"
            let doubled = String(text[...open]) + member + "," + String(text[text.index(after: open)...])
            let problems = ReceivedJSON.problems(in: Data(doubled.utf8), field: "x")
            #expect(problems.map(\.field) == [path], "\(doubled)")
        }
    }

    /// The text of the first member of an object whose opening brace is behind `text` (its name, colon and value).
    static func firstMember(of text: Substring) -> String {
        var depth = 0
        var inString = false
        var escaped = false
        var member = ""
        for character in text {
            if inString {
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { inString = false }
            } else if character == "\"" {
                inString = true
            } else if character == "{" || character == "[" {
                depth += 1
            } else if character == "}" || character == "]" {
                if depth == 0 { break }
                depth -= 1
            } else if character == ",", depth == 0 {
                break
            }
            member.append(character)
        }
        return member
    }

    /// The path of the first object met reading `value` as JSON writes it (empty: `value` itself), or nil when it holds none.
    static func firstObjectPath(_ value: Any, at path: String = "") -> String? {
        if value is [String: Any] { return path }
        guard let list = value as? [Any] else { return nil }
        for (index, item) in list.enumerated() {
            if let found = firstObjectPath(item, at: "\(path)[\(index)]") { return found }
        }
        return nil
    }

    /// A random JSON value: objects with distinct names (some spelled alike but for case or accents), lists, scalars.
    static func value(depth: Int, using generator: inout TimelinessReportTests.SplitMix) -> Any {
        let names = ["a", "A", "b", "level", "café", "x y", "\"q\"", "line\nbreak", "é"]
        switch depth > 3 ? Int.random(in: 2...4, using: &generator) : Int.random(in: 0...4, using: &generator) {
        case 0:
            var object: [String: Any] = [:]
            for _ in 0..<Int.random(in: 0...4, using: &generator) {
                object[names.randomElement(using: &generator)!] = value(depth: depth + 1, using: &generator)
            }
            return object
        case 1: return (0..<Int.random(in: 0...3, using: &generator)).map { _ in value(depth: depth + 1, using: &generator) }
        case 2: return names.randomElement(using: &generator)!
        case 3: return Int.random(in: -1000...1000, using: &generator)
        default: return Bool.random(using: &generator)
        }
    }
}
