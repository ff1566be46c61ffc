import CaseworkTime
import CaseworkYAML

// The parts several kinds of definition hold: fields and their types, expressions as written, durations and days of
// the year. Each is written by an `ArchiveWriter` method and read back by the `ArchiveReader` method of the same name.

extension ArchiveWriter {
    /// Writes fields: each one's name, then its type.
    mutating func fields(_ fields: [FieldDefinition]) throws(Unwritable) {
        try list(fields) { (writer, field) throws(Unwritable) in
            try writer.located(field.name)
            try writer.fieldType(field.type)
        }
    }

    /// Writes a field's type: its case's code (the order of ``FieldType``'s cases), then what the case holds.
    mutating func fieldType(_ type: FieldType) throws(Unwritable) {
        try nested { (writer) throws(Unwritable) in
            switch type {
            case .bool: writer.count(0)
            case .int: writer.count(1)
            case .decimal: writer.count(2)
            case .string: writer.count(3)
            case .text: writer.count(4)
            case .date: writer.count(5)
            case .datetime: writer.count(6)
            case .oneOf(let words):
                writer.count(7)
                writer.count(words.count)
                for word in words { writer.string(word) }
            case .list(let element):
                writer.count(8)
                try writer.fieldType(element)
            case .record(let fields):
                writer.count(9)
                try writer.fields(fields)
            }
        }
    }

    /// Writes an expression as written: its text, range and scalar style.
    mutating func expression(_ expression: ExpressionSource) throws(Unwritable) {
        string(expression.text)
        try range(expression.range)
        style(expression.style)
    }

    /// Writes a scalar style as its code (the order of ``YAMLScalarStyle``'s cases).
    mutating func style(_ style: YAMLScalarStyle) {
        switch style {
        case .plain: count(0)
        case .singleQuoted: count(1)
        case .doubleQuoted: count(2)
        case .literal: count(3)
        case .folded: count(4)
        }
    }

    /// Writes a duration: its count, then its unit's code (the order of ``DurationUnit/allCases``).
    mutating func duration(_ duration: StatutoryDuration) {
        integer(duration.count)
        count(DurationUnit.allCases.firstIndex(of: duration.unit)!)
    }

    /// Writes a day of the year: its month, then its day.
    mutating func monthDay(_ day: MonthDay) {
        integer(day.month)
        integer(day.day)
    }
}

extension ArchiveReader {
    /// Reads fields written by ``ArchiveWriter/fields(_:)``.
    mutating func fields() throws(Damage) -> [FieldDefinition] {
        try list { (reader) throws(Damage) in
            let name = try reader.located()
            return FieldDefinition(name: name, type: try reader.fieldType())
        }
    }

    /// Reads a field's type written by ``ArchiveWriter/fieldType(_:)``.
    mutating func fieldType() throws(Damage) -> FieldType {
        try nested { (reader) throws(Damage) in
            switch try reader.code(below: 10) {
            case 0: return .bool
            case 1: return .int
            case 2: return .decimal
            case 3: return .string
            case 4: return .text
            case 5: return .date
            case 6: return .datetime
            case 7: return .oneOf(try reader.list { (reader) throws(Damage) in try reader.string() })
            case 8: return .list(try reader.fieldType())
            default: return .record(try reader.fields())
            }
        }
    }

    /// Reads an expression written by ``ArchiveWriter/expression(_:)``.
    mutating func expression() throws(Damage) -> ExpressionSource {
        let text = try string()
        let range = try range()
        return ExpressionSource(text: text, range: range, style: try style())
    }

    /// Reads a scalar style written by ``ArchiveWriter/style(_:)``.
    mutating func style() throws(Damage) -> YAMLScalarStyle {
        switch try code(below: 5) {
        case 0: .plain
        case 1: .singleQuoted
        case 2: .doubleQuoted
        case 3: .literal
        default: .folded
        }
    }

    /// Reads a duration written by ``ArchiveWriter/duration(_:)``: a count the decoder gives (1…``StatutoryDuration/maximumCount``,
    /// or 0, which stands in for a form's unusable `due`), so date arithmetic on it cannot overflow.
    mutating func duration() throws(Damage) -> StatutoryDuration {
        let count = try integer(in: 0...StatutoryDuration.maximumCount)
        return StatutoryDuration(count: count, unit: DurationUnit.allCases[try code(below: DurationUnit.allCases.count)])
    }

    /// Reads a day of the year written by ``ArchiveWriter/monthDay(_:)``: one some year has.
    mutating func monthDay() throws(Damage) -> MonthDay {
        let month = try integer()
        guard let day = MonthDay(month: month, day: try integer()) else { throw Damage() }
        return day
    }
}
