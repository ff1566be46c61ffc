/// One HTTP request as the server received it, whole: what the routing layer sees, and nothing of the connection.
public struct HTTPRequest: Sendable {
    /// The method, such as `GET`, as sent.
    public var method: String
    /// The path, percent-decoded, without the query: `/v1/cases/c1`.
    public var path: String
    /// The query's arguments in the order sent, percent-decoded; an argument without `=` has an empty value.
    public var query: [(name: String, value: String)]
    /// The header lines in the order sent; a header sent on several lines appears once for each.
    public var headers: [(name: String, value: String)]
    /// The body's bytes, at most the server's body limit.
    public var body: [UInt8]

    /// A request.
    public init(method: String, path: String, query: [(name: String, value: String)] = [], headers: [(name: String, value: String)] = [],
                body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// Every value of the header `name` (compared without regard to case), in the order sent.
    public func headerValues(_ name: String) -> [String] {
        headers.filter { $0.name.caseInsensitiveEquals(name) }.map(\.value)
    }

    /// The value of the header `name` when it was sent on one line; nil when it was not sent, or sent more than once.
    public func header(_ name: String) -> String? {
        let values = headerValues(name)
        return values.count == 1 ? values[0] : nil
    }

    /// Every value of the query argument `name`, in the order sent.
    public func queryValues(_ name: String) -> [String] {
        query.filter { $0.name == name }.map(\.value)
    }
}

extension String {
    /// Whether the two texts are equal when ASCII letters are compared without regard to case, as header names are.
    func caseInsensitiveEquals(_ other: String) -> Bool {
        let left = Array(utf8), right = Array(other.utf8)
        guard left.count == right.count else { return false }
        for (a, b) in zip(left, right) where Self.lower(a) != Self.lower(b) { return false }
        return true
    }

    private static func lower(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }
}
