import Foundation

/// Where the next page of a list starts: an opaque token a store hands out with one page and takes back for the next.
///
/// A cursor names the last item of the page it came with (a key, never an offset), so items added or removed while
/// a reader pages never make it skip or repeat one that was there throughout. Only the store that made it can read
/// it; anything else is refused as ``StoreError/invalidCursor(_:)``.
public struct PageCursor: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The token as text, to hand to a client and take back.
    public var token: String

    /// A cursor from a token a client gave back.
    public init(token: String) {
        self.token = token
    }

    /// The token.
    public var description: String { token }

    /// A cursor holding the parts of a store's sort key (base64url of the parts joined by a unit separator).
    package init(key parts: [String]) {
        let joined = Data(parts.joined(separator: "\u{1F}").utf8).base64EncodedString()
        token = joined.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// The parts of the sort key this cursor holds, when it holds exactly `count` of them.
    package func key(parts count: Int) throws(StoreError) -> [String] {
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else { throw .invalidCursor(token) }
        let parts = text.components(separatedBy: "\u{1F}")
        guard parts.count == count else { throw .invalidCursor(token) }
        return parts
    }

    /// The parts of the sort key, the last of which is a whole number (a time), with that number read.
    package func numberedKey(parts count: Int) throws(StoreError) -> (parts: [String], number: Int64) {
        let parts = try key(parts: count)
        guard let last = parts.last, let number = Int64(last) else { throw .invalidCursor(token) }
        return (parts, number)
    }

    /// The one whole number a cursor holds: a sequence or a position.
    package func number() throws(StoreError) -> Int64 {
        try numberedKey(parts: 1).number
    }
}

/// Which page of a list to read: at most `limit` items after `after` (from the start when nil).
public struct PageRequest: Sendable, Hashable {
    /// The largest page a store is asked for.
    public static let largestLimit = 10_000
    /// The cursor the previous page came with; nil for the first page.
    public var after: PageCursor?
    /// How many items at most, from 1 to ``largestLimit``.
    public var limit: Int

    /// A page request; a limit outside 1…``largestLimit`` is refused where the request is read (``problem``).
    public init(after: PageCursor? = nil, limit: Int = 100) {
        self.after = after
        self.limit = limit
    }

    /// Why this request cannot be served, or nil.
    public var problem: String? {
        (1...Self.largestLimit).contains(limit) ? nil : "a page holds from 1 to \(Self.largestLimit) items, not \(limit)"
    }
}

/// One page of a list, and where the next starts.
public struct Page<Item: Sendable>: Sendable {
    /// The items, in the list's order.
    public var items: [Item]
    /// The cursor of the next page; nil when this page ends the list.
    public var next: PageCursor?

    /// A page.
    public init(items: [Item], next: PageCursor?) {
        self.items = items
        self.next = next
    }
}

extension Page: Equatable where Item: Equatable {}

extension Page {
    /// The page of `sorted` (in list order, each with its sort key) that follows `request.after`: at most `limit`
    /// items whose key sorts after the cursor's, with a next cursor when more follow. For stores that hold a list in
    /// memory; a database pages with its index instead.
    package static func slice<Key: Comparable>(
        _ sorted: [Item], key: (Item) -> Key, request: PageRequest, cursorKey: (Item) -> [String], decode: (PageCursor) throws(StoreError) -> Key
    ) throws(StoreError) -> Page {
        if let problem = request.problem { throw .invalidPage(problem) }
        var start = sorted.startIndex
        if let after = request.after {
            let last = try decode(after)
            start = sorted.partitionPoint { key($0) > last }
        }
        let end = min(sorted.endIndex, start + request.limit)
        let items = Array(sorted[start..<end])
        let next = end < sorted.endIndex ? items.last.map { PageCursor(key: cursorKey($0)) } : nil
        return Page(items: items, next: next)
    }
}

extension Array {
    /// The first index whose element satisfies `belongs`, in an array where every element that does follows every one that does not.
    package func partitionPoint(where belongs: (Element) -> Bool) -> Int {
        var low = startIndex
        var high = endIndex
        while low < high {
            let middle = (low + high) / 2
            if belongs(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}

/// What a store can promise, so a service can refuse a deployment it cannot serve (several processes on a store that
/// lives in one) and the conformance suite runs the checks that apply.
public struct StoreCapabilities: OptionSet, Sendable, Hashable {
    /// The bits.
    public let rawValue: Int

    /// Capabilities from their bits.
    public init(rawValue: Int) {
        self.rawValue = rawValue
    }

    /// A commit is kept when the process ends (on disk or on a server).
    public static let durable = StoreCapabilities(rawValue: 1 << 0)
    /// Several engine processes may use the store at once, each seeing the others' commits.
    public static let sharedAcrossProcesses = StoreCapabilities(rawValue: 1 << 1)
    /// A commit that changes several cases applies to all of them or to none.
    public static let atomicMultiCaseCommit = StoreCapabilities(rawValue: 1 << 2)
    /// Notifications are claimed with a lease that expires, so a deliverer that dies does not lose them.
    public static let leasedOutbox = StoreCapabilities(rawValue: 1 << 3)
}
