/// A `multiline-datetime-format` (strftime conversions, as awslogs documents them),
/// compiled into a `DatetimeMatcher`: a line that begins with a timestamp in that
/// format starts a new message.
///
/// Conversions: `%Y` (4 digits), `%y`, `%m`, `%d`, `%e` (day, space-padded), `%j`,
/// `%H`, `%I`, `%M`, `%S`, `%f` (fraction, 1–9 digits), `%L` (`.` and 3 digits),
/// `%p` (AM/PM), `%b`/`%h` (Jan…Dec), `%B` (January…), `%a` (Mon…Sun), `%A` (Monday…),
/// `%w` (0–6), `%u` (1–7), `%z` (`Z`, `+hh`, `+hhmm`, `+hh:mm`), `%Z` (2–5 capital
/// letters, such as UTC or CEST), `%T` (`%H:%M:%S`), `%F` (`%Y-%m-%d`), `%D`
/// (`%m/%d/%y`), `%R` (`%H:%M`), `%%`. Everything else is a literal that must be there
/// as written; numbers must be in range (`%m` 01–12, `%H` 00–23…).
public enum DatetimeFormat {
    public static func compile(_ format: String) throws(PatternError) -> DatetimeMatcher {
        var tokens: [DatetimeMatcher.Token] = []
        var conversions = 0
        let bytes = Array(format.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            guard byte == UInt8(ascii: "%") else {
                tokens.append(.literal(byte))
                continue
            }
            guard index < bytes.count else { throw PatternError("a lone % at the end (write %% for a percent sign)") }
            let letter = bytes[index]
            index += 1
            guard let expansion = conversion(letter) else {
                throw PatternError("unknown conversion %\(Character(Unicode.Scalar(letter))) at byte \(index - 1); known: %Y %y %m %d %e %j %H %I %M %S %f %L %p %b %h %B %a %A %w %u %z %Z %T %F %D %R %%")
            }
            if letter != UInt8(ascii: "%") { conversions += 1 }
            tokens.append(contentsOf: expansion)
        }
        guard conversions > 0 else {
            throw PatternError("no % conversion in it, so it matches no timestamp (such as %Y-%m-%d %H:%M:%S); for a fixed text use multiline-pattern")
        }
        return DatetimeMatcher(tokens: tokens)
    }

    private static func conversion(_ letter: UInt8) -> [DatetimeMatcher.Token]? {
        switch Character(Unicode.Scalar(letter)) {
        case "Y": return [.number(digits: 4, 0...9999)]
        case "y": return [.number(digits: 2, 0...99)]
        case "m": return [.number(digits: 2, 1...12)]
        case "d": return [.number(digits: 2, 1...31)]
        case "e": return [.spacePaddedDay]
        case "j": return [.number(digits: 3, 1...366)]
        case "H": return [.number(digits: 2, 0...23)]
        case "I": return [.number(digits: 2, 1...12)]
        case "M": return [.number(digits: 2, 0...59)]
        case "S": return [.number(digits: 2, 0...60)]
        case "f": return [.fraction]
        case "L": return [.literal(UInt8(ascii: ".")), .number(digits: 3, 0...999)]
        case "p": return [.words(["AM", "PM", "am", "pm"])]
        case "b", "h": return [.words(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"])]
        case "B": return [.words(["January", "February", "March", "April", "May", "June", "July", "August", "September",
                                  "October", "November", "December"])]
        case "a": return [.words(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])]
        case "A": return [.words(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"])]
        case "w": return [.number(digits: 1, 0...6)]
        case "u": return [.number(digits: 1, 1...7)]
        case "z": return [.zoneOffset]
        case "Z": return [.zoneName]
        case "T": return conversion(UInt8(ascii: "H"))! + [.literal(UInt8(ascii: ":"))] + conversion(UInt8(ascii: "M"))!
            + [.literal(UInt8(ascii: ":"))] + conversion(UInt8(ascii: "S"))!
        case "F": return conversion(UInt8(ascii: "Y"))! + [.literal(UInt8(ascii: "-"))] + conversion(UInt8(ascii: "m"))!
            + [.literal(UInt8(ascii: "-"))] + conversion(UInt8(ascii: "d"))!
        case "D": return conversion(UInt8(ascii: "m"))! + [.literal(UInt8(ascii: "/"))] + conversion(UInt8(ascii: "d"))!
            + [.literal(UInt8(ascii: "/"))] + conversion(UInt8(ascii: "y"))!
        case "R": return conversion(UInt8(ascii: "H"))! + [.literal(UInt8(ascii: ":"))] + conversion(UInt8(ascii: "M"))!
        case "%": return [.literal(UInt8(ascii: "%"))]
        default: return nil
        }
    }
}
