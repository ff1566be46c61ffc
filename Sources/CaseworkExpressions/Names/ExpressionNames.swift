import CaseworkTime
import Foundation

/// What an expression is evaluated on: the run-time input its names are read from, which also says what day and
/// instant it is (the values of `today` and `now`).
public protocol ExpressionInput: Sendable {
    /// Today's date: the value of `today`.
    var today: CalendarDate { get }
    /// The current instant: the value of `now`.
    var now: Date { get }
}

/// The names one kind of expression may read, each declared once with its type and how its value is read from the
/// run-time input.
///
/// This is the one place that says what an expression sees. The checker's ``environment`` (names to types) and the
/// evaluator's ``context(for:calendar:)`` (names to values) are both made from the same declarations, so a name cannot
/// be typed without being valued, nor valued without being typed. A reader returns nil only when the input does not
/// hold the value (an unset field, no grant): the name is then unset, which expressions test with `has()`.
///
/// `today` and `now` are the language's own names (``ExpressionEnvironment/builtins``), valued from the input's
/// clock; declaring either again is ignored, as the checker and the evaluator ignore such a declaration.
/// Declaring a name a second time replaces the first declaration, type and value together.
///
/// Only the contexts (``context(for:calendar:)``, ``SlotReader/context(for:calendar:)``) need `Input` to be an
/// ``ExpressionInput``, and they alone ask it: a constraint on the type itself made the runtime, building the type of
/// `ExpressionNames<SomeInput>` from its mangled name on first use, scan every conformance record in the program to
/// find that `SomeInput` is an `ExpressionInput` (once for the policy's input, once for a case's), where a caller of
/// a context passes the conformance it knows.
public struct ExpressionNames<Input: Sendable>: Sendable {
    /// A name whose value is worked out from the input on its own.
    private struct Single: Sendable {
        let name: String
        let read: @Sendable (Input) -> ExpressionValue?
    }

    /// Names read by path from one dictionary of the input (a case's fields, an actor's attributes): the dictionary is
    /// read once per context, and only the declared paths are taken from it.
    private struct Table: Sendable {
        /// For each declared path, the full name it is known by and whether a whole number is read as a decimal.
        var paths: [String: (name: String, widensToDecimal: Bool)]
        let read: @Sendable (Input) -> [String: ExpressionValue]
    }

    private var singles: [Single] = []
    private var tables: [Table] = []
    /// Every declared name with its type.
    public private(set) var types: [String: ExpressionType] = [:]
    /// The date-of-birth name `age_on` reads, when there is one.
    public var dateOfBirth: String?
    /// Names declared with a type that could not be read (already reported): known, but their uses are not checked.
    public var untyped: Set<String> = []

    /// Creates a set of names with nothing declared.
    public init() {}

    /// Declares `name` of `type`, whose value `value` reads from the input (nil when the input does not hold it).
    public mutating func declare(_ name: String, _ type: ExpressionType, value: @escaping @Sendable (Input) -> ExpressionValue?) {
        guard prepare(name, type) else { return }
        singles.append(Single(name: name, read: value))
    }

    /// Declares each of `fields` as `prefix` followed by its path, valued from the dictionary `values` reads from the
    /// input by that path. A decimal (or list of decimals) that holds a whole number is read as a decimal, so the
    /// value is always of the declared type.
    public mutating func declare(
        fields: [(path: String, type: ExpressionType)], under prefix: String = "", from values: @escaping @Sendable (Input) -> [String: ExpressionValue]
    ) {
        // Room made once for all of them (a policy declares a few hundred case fields): grown a step at a time, both
        // dictionaries were copied into fresh storage again and again, each copy touching pages never used before.
        var paths: [String: (name: String, widensToDecimal: Bool)] = [:]
        paths.reserveCapacity(fields.count)
        types.reserveCapacity(types.count + fields.count)
        for field in fields {
            let name = prefix + field.path
            guard prepare(name, field.type) else { continue }
            paths[field.path] = (name, field.type == .decimal || field.type == .list(.decimal))
        }
        tables.append(Table(paths: paths, read: values))
    }

    /// Records `name`'s type, dropping any earlier declaration of it; false for the language's own names.
    private mutating func prepare(_ name: String, _ type: ExpressionType) -> Bool {
        guard ExpressionEnvironment.builtins[name] == nil else { return false }
        if types.updateValue(type, forKey: name) != nil {
            singles.removeAll { $0.name == name }
            for index in tables.indices {
                tables[index].paths = tables[index].paths.filter { $0.value.name != name }
            }
        }
        return true
    }

    /// The names and their types, for the checker.
    public var environment: ExpressionEnvironment {
        var environment = ExpressionEnvironment(names: types, dateOfBirth: dateOfBirth)
        environment.untyped = untyped
        return environment
    }

    /// The value of every declared name the input holds, by name.
    public func values(for input: Input) -> [String: ExpressionValue] {
        var values: [String: ExpressionValue] = [:]
        values.reserveCapacity(types.count)
        for single in singles {
            if let value = single.read(input) { values[single.name] = value }
        }
        for table in tables {
            let source = table.read(input)
            if source.count <= table.paths.count {
                for (path, value) in source {
                    guard let target = table.paths[path] else { continue }
                    values[target.name] = target.widensToDecimal ? Self.widened(value) : value
                }
            } else {
                for (path, target) in table.paths {
                    guard let value = source[path] else { continue }
                    values[target.name] = target.widensToDecimal ? Self.widened(value) : value
                }
            }
        }
        return values
    }

    /// Slots for expressions planned over these names (``CompiledExpression/init(_:slots:)``), none given out yet.
    public func slots() -> ExpressionSlots { ExpressionSlots(declared: types.keys) }

    /// How to fill `slots` from an input: each slot's name resolved once, here, to the declaration that reads it.
    public func slotReader(_ slots: ExpressionSlots) -> SlotReader {
        SlotReader(reads: slots.names.map { name in
            // Searched by index, not with `first(where:)`: this code is not specialised for the engine's inputs, and the
            // unspecialised `first(where:)` made the runtime scan every conformance record once, for each input type,
            // to learn that an array of `Single`s (or of `Table`s) is a `Collection`.
            var index = 0
            while index < singles.count {
                if singles[index].name == name { return .single(singles[index].read) }
                index += 1
            }
            index = 0
            while index < tables.count {
                if let (path, target) = tables[index].paths.first(where: { $0.value.name == name }) {
                    return .field(tables[index].read, path: path, widensToDecimal: target.widensToDecimal)
                }
                index += 1
            }
            return .undeclared
        })
    }

    /// Fills the slots of one ``ExpressionSlots`` from an input, reading only the names planned into them, in slot order.
    ///
    /// Its reading is inlinable, so the engine's modules compile it for their own input types: read generically, every
    /// context paid for looking up the reads' type metadata and copying each read through value witnesses.
    public struct SlotReader: Sendable {
        /// How one slot is read.
        @usableFromInline
        enum Read: Sendable {
            /// By a name's own reader.
            case single(@Sendable (Input) -> ExpressionValue?)
            /// By path from one dictionary of the input.
            case field(@Sendable (Input) -> [String: ExpressionValue], path: String, widensToDecimal: Bool)
            /// Never: no declaration names it, so it is always unset.
            case undeclared
        }

        /// How each slot is read, in slot order.
        @usableFromInline
        let reads: [Read]

        /// A dictionary of at most this many entries is searched by comparing each key with the path wanted, not by
        /// looking the path up: comparing a few short keys costs less than hashing the path (an actor's two or three
        /// attributes), and a dictionary's keys are distinct, so both find the same entry.
        @usableFromInline
        static var searchedByComparing: Int { 4 }
    }

    /// `value` with whole numbers written as decimals.
    @usableFromInline
    static func widened(_ value: ExpressionValue) -> ExpressionValue {
        switch value {
        case .int(let number): .decimal(Decimal(number))
        case .list(let items): .list(items.map(widened))
        default: value
        }
    }
}

extension ExpressionNames where Input: ExpressionInput {
    /// What an expression is evaluated against for `input`: the declared names' values, `today`, `now`, and `calendar`
    /// for working days.
    public func context(for input: Input, calendar: any WorkingDayCalendar = WeekdayCalendar()) -> EvaluationContext {
        EvaluationContext(values: values(for: input), today: input.today, now: input.now, calendar: calendar)
    }
}

extension ExpressionNames.SlotReader where Input: ExpressionInput {
    /// What the planned expressions are evaluated against for `input`: the slots' values, `today`, `now`, and
    /// `calendar` for working days; the same values ``ExpressionNames/context(for:calendar:)`` gives by name.
    ///
    /// The input is consumed: a caller builds it to be read here and nowhere else (a policy's input, with the
    /// request and its grant), and passed borrowed it was copied whole and both copies destroyed.
    @inlinable
    public func context(for input: consuming Input, calendar: any WorkingDayCalendar = WeekdayCalendar()) -> EvaluationContext {
        var slots: [ExpressionValue?] = []
        slots.reserveCapacity(reads.count)
        for read in reads {
            switch read {
            case .single(let value): slots.append(value(input))
            case .field(let values, let path, let widens):
                let source = values(input)
                let value = source.count <= Self.searchedByComparing ? source.first { $0.key == path }?.value : source[path]
                slots.append(widens ? value.map(ExpressionNames.widened) : value)
            case .undeclared: slots.append(nil)
            }
        }
        return EvaluationContext(slots: slots, today: input.today, now: input.now, calendar: calendar)
    }
}
