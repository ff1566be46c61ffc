import Foundation

/// The in-memory store's due index: alarms grouped by due time, so finding what is due costs what is due, not
/// what is open, in about a hundred bytes per open alarm.
///
/// Alarms fall on a few distinct instants (the start of a day), so each instant is a bucket and only the sorted
/// list of instants is searched. A store holds millions of alarms that repeat a workflow's few deadline names, so
/// each deadline-and-kind pair is kept once and an alarm holds its number; and nearly every case has one or two
/// alarms, so a case's alarms are held inline rather than in an array of their own.
struct AlarmIndex {
    /// A deadline and an alarm kind (`reminder`, `breach`), named once.
    private struct Name: Hashable {
        var deadline: String
        var kind: String
    }

    /// One alarm in a time bucket: its case and its name's number.
    private struct Entry: Hashable {
        var caseID: String
        var name: UInt32
    }

    /// One alarm of a case: when, and its name's number.
    private struct Slot {
        var time: Int64
        var name: UInt32
    }

    /// A case's alarms; the common single alarm needs no array.
    private enum CaseAlarms {
        case one(Slot)
        case many([Slot])

        var slots: [Slot] {
            switch self {
            case .one(let slot): [slot]
            case .many(let slots): slots
            }
        }
    }

    /// Every name seen, by number. Names are never removed: there are only as many as the definitions declare.
    private var names: [Name] = []
    private var numbers: [Name: UInt32] = [:]
    private var buckets: [Int64: Set<Entry>] = [:]
    private var times: [Int64] = []
    private var byCase: [String: CaseAlarms] = [:]

    /// Replaces every alarm of one case.
    mutating func replace(caseID: String, with alarms: [DeadlineAlarm]) {
        for slot in byCase.removeValue(forKey: caseID)?.slots ?? [] {
            buckets[slot.time]?.remove(Entry(caseID: caseID, name: slot.name))
            if buckets[slot.time]?.isEmpty == true {
                buckets[slot.time] = nil
                times.remove(at: position(of: slot.time))
            }
        }
        var slots: [Slot] = []
        for alarm in alarms {
            let slot = Slot(time: Self.milliseconds(alarm.dueAt), name: number(of: Name(deadline: alarm.deadline, kind: alarm.kind)))
            if buckets[slot.time] == nil { times.insert(slot.time, at: position(of: slot.time)) }
            buckets[slot.time, default: []].insert(Entry(caseID: caseID, name: slot.name))
            slots.append(slot)
        }
        switch slots.count {
        case 0: break
        case 1: byCase[caseID] = .one(slots[0])
        default: byCase[caseID] = .many(slots)
        }
    }

    /// One case's alarms, in no particular order.
    func alarms(caseID: String) -> [DeadlineAlarm] {
        (byCase[caseID]?.slots ?? []).map { slot in alarm(caseID: caseID, name: slot.name, time: slot.time) }
    }

    /// The earliest alarms at or before `now` that sort after `after`, ordered by time, then case, deadline and kind.
    func due(at now: Date, after: DeadlineAlarm.PageKey?, limit: Int) -> [DeadlineAlarm] {
        let cutoff = Self.milliseconds(now)
        var result: [DeadlineAlarm] = []
        for time in times[(after.map { position(of: $0.time) } ?? 0)...] {
            guard time <= cutoff, result.count < limit else { break }
            let ordered = (buckets[time] ?? []).map { alarm(caseID: $0.caseID, name: $0.name, time: time) }.sorted { $0.pageKey < $1.pageKey }
            for alarm in ordered where result.count < limit {
                if let after, alarm.pageKey <= after { continue }
                result.append(alarm)
            }
        }
        return result
    }

    private func alarm(caseID: String, name: UInt32, time: Int64) -> DeadlineAlarm {
        let name = names[Int(name)]
        return DeadlineAlarm(caseID: caseID, deadline: name.deadline, kind: name.kind, dueAt: Date(timeIntervalSince1970: Double(time) / 1000))
    }

    private mutating func number(of name: Name) -> UInt32 {
        if let number = numbers[name] { return number }
        let number = UInt32(names.count)
        names.append(name)
        numbers[name] = number
        return number
    }

    /// The index keeps times as whole milliseconds, as every store's due index does.
    private static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    private func position(of time: Int64) -> Int {
        var low = 0
        var high = times.count
        while low < high {
            let middle = (low + high) / 2
            if times[middle] < time { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
