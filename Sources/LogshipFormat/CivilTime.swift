/// A UTC calendar date and time of day, from seconds since the Unix epoch.
///
/// Uses Howard Hinnant's days-from-civil inverse, exact for the proleptic Gregorian
/// calendar; no time zone database is needed because logship stamps in UTC (the
/// plugin's rootfs has none, and UTC is unambiguous for receivers).
struct CivilTime: Equatable {
    var year: Int
    var month: Int  // 1...12
    var day: Int    // 1...31
    var hour: Int
    var minute: Int
    var second: Int

    init(epochSeconds: Int64) {
        let seconds = Int(epochSeconds)
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        hour = secondOfDay / 3600
        minute = secondOfDay / 60 % 60
        second = secondOfDay % 60

        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }
}
