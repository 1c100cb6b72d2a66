import Testing
@testable import LogshipFormat

@Suite struct TimestampWriterTests {
    private func write(_ style: TimestampStyle, _ times: [Int64]) -> [String] {
        var writer = TimestampWriter(style: style)
        return times.map { t in
            var out: [UInt8] = []
            writer.append(timeNano: t, to: &out)
            return String(decoding: out, as: UTF8.self)
        }
    }

    @Test func styles() {
        #expect(write(.rfc3339Seconds, [sampleTime]) == ["2026-11-26T16:16:21Z"])
        #expect(write(.rfc3339Micro, [sampleTime]) == ["2026-11-26T16:16:21.143681Z"])
        #expect(write(.rfc3339Nano, [sampleTime]) == ["2026-11-26T16:16:21.143681123Z"])
        #expect(write(.bsd, [sampleTime]) == ["Nov 26 16:16:21"])
        #expect(write(.epochMicro, [sampleTime]) == ["1795709781.143681"])
    }

    @Test func cacheFollowsSecondChangesBothWays() {
        let t = sampleTime
        #expect(write(.rfc3339Micro, [t, t + 1_000, t + 1_000_000_000, t])
            == ["2026-11-26T16:16:21.143681Z", "2026-11-26T16:16:21.143682Z", "2026-11-26T16:16:22.143681Z", "2026-11-26T16:16:21.143681Z"])
    }

    @Test func calendarEdges() {
        #expect(write(.rfc3339Nano, [0]) == ["1970-01-01T00:00:00.000000000Z"])
        #expect(write(.rfc3339Seconds, [951_782_400 * 1_000_000_000]) == ["2000-02-29T00:00:00Z"])
        #expect(write(.rfc3339Seconds, [4_107_542_399 * 1_000_000_000]) == ["2100-02-28T23:59:59Z"])
        #expect(write(.rfc3339Nano, [-1]) == ["1969-12-31T23:59:59.999999999Z"])
        #expect(write(.bsd, [1_704_067_199 * 1_000_000_000]) == ["Dec 31 23:59:59"])
    }

    @Test func civilTimeMatchesAKnownTable() {
        // Every first of the month across a leap year against precomputed epoch days.
        let firsts: [(Int64, Int, Int)] = [(19723, 2024, 1), (19754, 2024, 2), (19783, 2024, 3), (19814, 2024, 4),
                                             (20089, 2025, 1), (20148, 2025, 3), (20423, 2025, 12)]
        for (days, year, month) in firsts {
            let t = CivilTime(epochSeconds: days * 86_400)
            #expect(t.year == year && t.month == month && t.day == 1)
        }
    }
}
