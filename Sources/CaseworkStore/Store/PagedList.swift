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

    /// Adds `elements` at the end, in order: into the last page while it has room, then into a new page. Each is
    /// appended on its own: a page was made with room for all it holds, and appending a slice of `elements` went through
    /// the generic path, about 360 instructions for the one message a fire commits.
    mutating func append(contentsOf elements: [Element]) {
        for position in elements.indices {
            if count % Self.pageCapacity == 0 {
                var page: [Element] = []
                page.reserveCapacity(Self.pageCapacity)
                pages.append(page)
            }
            pages[pages.count - 1].append(elements[position])
            count += 1
        }
    }
}
