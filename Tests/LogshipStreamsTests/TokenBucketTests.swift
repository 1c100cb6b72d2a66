import LogshipConfig
import Testing
@testable import LogshipStreams

@Suite struct TokenBucketTests {
    /// 10,000 lines stamped 0.1 ms apart (one second) at rate-limit=100: the burst of 100,
    /// then a line every 10 ms of the stamps, exactly.
    @Test func aBurstThenOneLinePerToken() {
        var bucket = TokenBucket(RateLimit(messagesPerSecond: 100, burst: 100))
        let t0: Int64 = 1_700_000_000_000_000_000
        var admitted: [Int] = []
        for i in 0..<10_000 where bucket.admit(at: t0 + Int64(i) * 100_000) { admitted.append(i) }
        #expect(admitted == Array(0..<100) + Array(stride(from: 100, to: 10_000, by: 100)))
        #expect(bucket.takeRefused() == 10_000 - 199)
        #expect(bucket.takeRefused() == 0)
    }

    /// A quiet spell refills the bucket up to the burst, never beyond.
    @Test func aQuietSpellRefillsUpToTheBurstOnly() {
        var bucket = TokenBucket(RateLimit(messagesPerSecond: 10, burst: 5))
        func admitted(_ count: Int, at time: Int64) -> Int {
            var passed = 0
            for _ in 0..<count where bucket.admit(at: time) { passed += 1 }
            return passed
        }
        let t0: Int64 = 1_000_000_000
        #expect(admitted(20, at: t0) == 5)
        let hourLater = t0 + 3_600_000_000_000
        #expect(admitted(20, at: hourLater) == 5)
        // Then one token per 100 ms.
        #expect([bucket.admit(at: hourLater + 100_000_000), bucket.admit(at: hourLater + 150_000_000)] == [true, false])
    }

    /// Stamps that go back (a clock stepped back) refill nothing until they pass the
    /// latest one seen again, so the limit cannot be dodged by a clock.
    @Test func stampsGoingBackRefillNothing() {
        var bucket = TokenBucket(RateLimit(messagesPerSecond: 1, burst: 1))
        let results = [10_000_000_000, 5_000_000_000, 10_500_000_000, 11_000_000_000].map { bucket.admit(at: $0) }
        #expect(results == [true, false, false, true])
    }

    /// The largest limits do not overflow the integer credit.
    @Test func theLargestValuesStayInRange() {
        var fast = TokenBucket(RateLimit(messagesPerSecond: 10_000_000, burst: 100_000_000))
        var slow = TokenBucket(RateLimit(messagesPerSecond: 1, burst: 100_000_000))
        let results = [fast.admit(at: 0), fast.admit(at: .max - 1), slow.admit(at: 1), slow.admit(at: .max)]
        #expect(results == [true, true, true, true])
    }
}
