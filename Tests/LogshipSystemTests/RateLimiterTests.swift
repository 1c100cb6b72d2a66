import Testing
@testable import LogshipSystem

@Suite struct RateLimiterTests {
    @Test func oneEventPerIntervalAndTheRestCounted() {
        let limiter = RateLimiter(intervalNanoseconds: 10_000)
        #expect(limiter.admit(now: 1_000) == 0)
        #expect(limiter.admit(now: 2_000) == nil)
        #expect(limiter.admit(now: 10_999) == nil)
        // The next one through says how many were held back meanwhile.
        #expect(limiter.admit(now: 11_000) == 2)
        #expect(limiter.admit(now: 11_001) == nil)
        #expect(limiter.admit(now: 21_000) == 1)
        #expect(limiter.admit(now: 40_000) == 0)
    }
}
