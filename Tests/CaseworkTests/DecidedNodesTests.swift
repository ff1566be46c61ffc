@testable import CaseworkExpressions
import Testing

/// The checker records which nodes have a decided type in a bit set (one word for the first 64 node ids, an array past
/// them): it must answer as a plain set of ids does, on both sides of that boundary.
@Suite("Expressions: the checker's set of decided nodes")
struct DecidedNodesTests {
    @Test(arguments: [1, 10, 63, 64, 65, 128, 130, 300])
    func answersAsASetOfIdsDoes(nodeCount: Int) {
        var nodes = DecidedNodes(nodeCount: nodeCount)
        var reference = Set<Int>()
        // Marks and unmarks ids in a fixed pattern that reaches every word, then undoes some of it.
        for id in 0..<nodeCount where id % 3 != 1 {
            nodes.set(id, true)
            reference.insert(id)
        }
        for id in stride(from: 0, to: nodeCount, by: 5) {
            nodes.set(id, false)
            reference.remove(id)
        }
        for id in stride(from: 0, to: nodeCount, by: 7) {
            nodes.set(id, true)
            reference.insert(id)
        }
        for id in 0..<nodeCount {
            #expect(nodes.contains(id) == reference.contains(id), "node \(id) of \(nodeCount)")
        }
    }
}
