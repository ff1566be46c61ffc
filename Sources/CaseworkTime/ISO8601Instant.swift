import Foundation

extension Date {
    /// The instant an ISO 8601 date and time names, exactly as Foundation's `.iso8601` parse strategy reads it; nil when
    /// that strategy reads none.
    ///
    /// The form Casework writes and shows, `YYYY-MM-DDTHH:MM:SSZ` on a day time is counted on (``CalendarDate/countedRange``),
    /// is read here directly; any other text (a zone offset, fractions of a second, an hour of 24 or a day beyond its
    /// month's, which Foundation rolls over, a year outside that range) goes to Foundation. Foundation's strategy makes a
    /// `Calendar` when first used, which loads the system's time zone through ICU: about a twelfth of a warm
    /// `casework decide`'s work, for the request's one instant.
    public init?(iso8601 text: String) {
        if let seconds = Self.canonicalSeconds(text) {
            self.init(timeIntervalSince1970: seconds)
            return
        }
        guard let instant = try? Date(text, strategy: .iso8601) else { return nil }
        self = instant
    }

    /// The seconds since 1970 of `YYYY-MM-DDTHH:MM:SSZ` naming a real day in the counted range and a time of day with
    /// hours below 24 and minutes and seconds below 60; nil for any other text.
    private static func canonicalSeconds(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        guard bytes.count == 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"),
            bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"), bytes[19] == UInt8(ascii: "Z")
        else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
            let minute = number(14..<16), let second = number(17..<19), hour < 24, minute < 60, second < 60,
            let date = CalendarDate(year: year, month: month, day: day), CalendarDate.countedRange.contains(date)
        else { return nil }
        return Double(date.daysSinceEpoch * 86_400 + hour * 3_600 + minute * 60 + second)
    }
}
