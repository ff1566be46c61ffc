import Foundation
import Testing
import Casework
import CaseworkYAML

@Suite("Diagnostic explanations")
struct DiagnosticExplanationTests {
    @Test func allCodesAreUniqueAndInOrder() {
        let codes = DiagnosticKind.allCodes
        #expect(Set(codes).count == codes.count)
        #expect(codes == codes.sorted())
        #expect(codes.allSatisfy { $0.rawValue.wholeMatch(of: /CW[0-9]{4}/) != nil })
    }

    @Test func everyCodeHasExactlyOneExplanation() {
        #expect(DiagnosticExplanations.all.map(\.code) == DiagnosticKind.allCodes)
        for code in DiagnosticKind.allCodes {
            #expect(DiagnosticExplanations.all.filter { $0.code == code }.count == 1, "\(code)")
            #expect(DiagnosticExplanations.explanation(for: code)?.code == code)
        }
    }

    @Test(arguments: ["CW0000", "CW0018", "CW0099", "CW0299", "CW9999", "E0204", ""])
    func unknownCodeHasNoExplanation(code: String) {
        #expect(DiagnosticExplanations.explanation(for: DiagnosticCode(rawValue: code)) == nil)
    }

    @Test func lowerCaseCodeIsFound() {
        #expect(DiagnosticExplanations.explanation(for: DiagnosticCode(rawValue: "cw0204"))?.code.rawValue == "CW0204")
    }

    @Test(arguments: DiagnosticExplanations.all)
    func explanationIsWellFormed(_ entry: DiagnosticExplanation) {
        #expect(entry.title.first?.isLowercase == true, "titles start in lower case: \(entry.title)")
        #expect(!entry.title.contains("\n") && !entry.explanation.contains("\n"))
        #expect(entry.explanation.hasSuffix("."), "the explanation is a paragraph of full sentences")
        #expect(entry.explanation.count > 120, "the explanation says why the rule exists")
        #expect(entry.wrong != entry.right)
        #expect(!entry.wrong.hasSuffix("\n") && !entry.right.hasSuffix("\n"))
    }

    /// Every corrected example is well-formed YAML; from CW0100 on, where the mistake is in
    /// what the keys say rather than how the file is written, so is every wrong example.
    @Test(arguments: DiagnosticExplanations.all)
    func examplesAreWellFormedYAML(_ entry: DiagnosticExplanation) {
        let right = YAMLLoader.load(Array(entry.right.utf8), file: "right.yaml")
        #expect(right.errors.isEmpty, "\(entry.code) right: \(right.errors)")
        if entry.code.rawValue >= "CW0100" {
            let wrong = YAMLLoader.load(Array(entry.wrong.utf8), file: "wrong.yaml")
            #expect(wrong.errors.isEmpty, "\(entry.code) wrong: \(wrong.errors)")
        }
    }

    @Test func textShowsTheCodeTheExplanationAndBothExamples() throws {
        let entry = try #require(DiagnosticExplanations.explanation(for: DiagnosticCode(rawValue: "CW0204")))
        let text = DiagnosticExplanations.text(for: entry)
        #expect(text.hasPrefix("CW0204 (error): unknown state\n\n"))
        #expect(text.contains("\nWrong:\n\n    states:\n"))
        #expect(text.contains("\nRight:\n\n    states:\n"))
        #expect(text.hasSuffix("to: assessing, by: caseworker }\n"))
        let paragraph = text.split(separator: "\n\n")[1]
        #expect(paragraph.split(separator: "\n").allSatisfy { $0.count <= 80 })
        #expect(paragraph.split(whereSeparator: \.isWhitespace).joined(separator: " ") == entry.explanation)
    }

    @Test func referenceDocumentIsUpToDate() throws {
        let url = GoldenFiles.repositoryRoot.appendingPathComponent("docs/reference/diagnostics.md")
        try GoldenFiles.check(DiagnosticExplanations.markdown(), against: url)
    }

    @Test func referenceDocumentHasOneSectionPerCode() {
        let markdown = DiagnosticExplanations.markdown()
        for code in DiagnosticKind.allCodes {
            #expect(markdown.components(separatedBy: "\n### \(code)\n").count == 2, "\(code)")
            #expect(markdown.contains("| [\(code)](#\(code.rawValue.lowercased())) |"))
        }
    }
}

extension DiagnosticExplanation: CustomTestStringConvertible {
    /// The code, so test results name the entry briefly.
    public var testDescription: String { code.rawValue }
}
