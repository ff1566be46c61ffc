@testable import CaseworkExpressions
import Testing

/// The checker asks `isBool` and `isNumeric` (matches on the case) where it once compared with `==`: they must agree.
@Suite("Expressions: case tests on types agree with ==")
struct ExpressionTypeCaseTests {
    static let domain = EnumerationDomain(name: "requester", member: "requested_by", values: ["parent", "school"])
    static let types: [ExpressionType] = [
        .bool, .int, .decimal, .string, .date, .datetime, .duration, .enumeration(domain), .list(.bool), .list(.int),
        .list(.enumeration(domain)), .emptyList,
    ]

    @Test(arguments: types)
    func isBoolAgreesWithEquality(type: ExpressionType) {
        #expect(type.isBool == (type == .bool))
    }

    @Test(arguments: types)
    func isNumericAgreesWithEquality(type: ExpressionType) {
        #expect(type.isNumeric == (type == .int || type == .decimal))
    }

    /// The checker takes list types from `listOf`, which shares the plain ones: each must be the list it names.
    @Test(arguments: types)
    func sharedListTypeIsTheListOfItsElement(element: ExpressionType) {
        #expect(ExpressionType.listOf(element) == .list(element))
        #expect(ExpressionType.listOf(element).description == ExpressionType.list(element).description)
        #expect(ExpressionType.listOf(element).elementType == element)
    }
}
