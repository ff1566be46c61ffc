/// Where expressions planned together read each name they use: one numbered slot per name, given out as planning
/// meets the name, so evaluation reads an array by position instead of a dictionary by name, and a caller fills only
/// the names some expression reads.
///
/// Made from the declared names (``ExpressionNames/slots()``), planned into by ``CompiledExpression/init(_:slots:)``,
/// then read by ``ExpressionNames/slotReader(_:)``, which fills an ``EvaluationContext``'s ``EvaluationContext/slots``
/// in the same order. A name nobody declared gets a slot that is never filled, so reading it is unset, as it is by name.
public struct ExpressionSlots: Sendable {
    /// The name read from each slot, in slot order.
    public private(set) var names: [String] = []
    /// Each name's slot.
    private var positions: [String: Int] = [:]
    /// Every declared name, in no particular order: what `has(x)` looks under. Not sorted here: most sets of expressions
    /// never ask `has()`, and sorting a policy's few hundred names was a quarter of compiling it on a definition cache's
    /// hit; ``slots(under:)`` sorts the few it finds.
    private let declared: [String]

    /// Slots for expressions over `declared`, none given out yet.
    public init(declared: some Sequence<String>) {
        self.declared = Array(declared)
    }

    /// The slot `name` is read from, given out on its first use.
    mutating func slot(of name: String) -> Int {
        if let position = positions[name] { return position }
        names.append(name)
        positions[name] = names.count - 1
        return names.count - 1
    }

    /// The slots of `name` and of every declared name under it (`case.child` holds `case.child.date_of_birth`): what
    /// `has(name)` reads.
    mutating func slots(under name: String) -> [Int] {
        let prefix = name + "."
        var slots = [slot(of: name)]
        // Sorted after filtering: the same names in the same order as filtering the sorted list, so slots are given out
        // in the same order whatever order the names were declared in.
        for other in declared.filter({ $0.hasPrefix(prefix) }).sorted() { slots.append(slot(of: other)) }
        return slots
    }
}
