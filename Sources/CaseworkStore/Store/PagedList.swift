/// A list that grows by whole pages of a fixed capacity: appending never moves what it keeps already, and it keeps at
/// most one page's room unused.
///
/// The in-memory store's outbox is one (``InMemoryCaseStore``): every committed message is kept for good, 176 bytes
/// each. An array grows by doubling, so each growth copies every message into new memory (fresh pages the kernel
/// clears first) and leaves up to half its room unused; pages of a fixed size are allocated once and filled.
struct PagedList<Element>: RandomAccessCollection, MutableCollection {
    typealias Indices = Range<Int>

    /// How many elements a page holds.
    static var pageCapacity: Int { 256 }

    /// The pages, each full but the last, which is never empty.
    private var pages: [[Element]] = []

    /// How many elements it holds.
    private(set) var count = 0

    /// Creates an empty list.
    init() {}

    /// The first position, 0.
    var startIndex: Int { 0 }

    /// The position after the last element: ``count``.
    var endIndex: Int { count }

    /// The element at `position`, read and changed where its page keeps it. A position outside the list traps in the
    /// pages' own bounds checks: a negative one names a negative place in the first page, one at or past ``count`` a
    /// place past the last page's end or a page that does not exist.
    subscript(position: Int) -> Element {
        get { pages[position / Self.pageCapacity][position % Self.pageCapacity] }
        set { pages[position / Self.pageCapacity][position % Self.pageCapacity] = newValue }
        _modify { yield &pages[position / Self.pageCapacity][position % Self.pageCapacity] }
    }

    /// Adds `elements` at the end, in order: as many as the last page has room for, the rest in new pages. A page takes
    /// its share of them at once, as an array's `append(contentsOf:)` does, rather than each copied on its own.
    mutating func append(contentsOf elements: [Element]) {
        var start = elements.startIndex
        while start < elements.endIndex {
            if count % Self.pageCapacity == 0 {
                var page: [Element] = []
                page.reserveCapacity(Self.pageCapacity)
                pages.append(page)
            }
            let end = Swift.min(elements.endIndex, start + Self.pageCapacity - count % Self.pageCapacity)
            pages[pages.count - 1].append(contentsOf: elements[start..<end])
            count += end - start
            start = end
        }
    }
}
