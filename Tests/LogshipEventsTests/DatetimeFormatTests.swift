import Testing
@testable import LogshipEvents

@Suite struct DatetimeFormatTests {
    @Test(arguments: [
        ("%Y-%m-%d %H:%M:%S", "2024-05-01 12:00:59 started", true),
        ("%Y-%m-%d %H:%M:%S", "2024-13-01 12:00:59 started", false),
        ("%Y-%m-%d %H:%M:%S", "2024-05-01 24:00:00", false),
        ("%Y-%m-%d %H:%M:%S", "\tat x", false),
        ("%Y-%m-%dT%H:%M:%S.%f%z", "2024-05-01T12:00:00.123456+02:00 x", true),
        ("%Y-%m-%dT%H:%M:%S.%f%z", "2024-05-01T12:00:00.1Z", true),
        ("%b %e %T", "Nov  6 01:02:03 host", true),
        ("%b %e %T", "Nov 16 01:02:03 host", true),
        ("%b %d %T", "Nov  6 01:02:03 host", false),
        ("[%d/%b/%Y:%H:%M:%S %z]", "[01/May/2024:12:00:00 +0200] GET /", true),
        ("%a, %d %B %Y", "Wed, 01 May 2024", true),
        ("%F %T%L", "2024-05-01 12:00:00.123 INFO", true),
        ("%I:%M %p", "09:30 PM", true),
        ("%Z %H", "CEST 12", true),
        ("%y%m%d %H%M%S", "240501 120000", true),
        ("100%% %Y", "100% 2024", true),
    ])
    func matchesTimestampsAtTheStartOfTheLine(format: String, line: String, expected: Bool) throws {
        #expect(matches(try DatetimeFormat.compile(format), line) == expected)
    }

    @Test(arguments: [
        ("%Y-%m-%d %Q", "unknown conversion %Q"),
        ("%Y-%m-%d %", "a lone %"),
        ("YYYY-MM-DD", "no % conversion"),
        ("%%", "no % conversion"),
    ])
    func rejectsWhatItCannotMatch(format: String, reason: String) {
        do {
            _ = try DatetimeFormat.compile(format)
            Issue.record("\(format) was accepted")
        } catch {
            #expect(error.message.contains(reason), "\(error.message)")
        }
    }
}
