import LogshipConfig
import LogshipDelivery
import LogshipDestinations
import LogshipFormat

/// One destination of a stream as its settings ask for it: which destination (the
/// addresses and how messages are framed on its connection), and the output that
/// formats lines into it.
///
/// The one place where a stream's settings turn into destinations and formatters:
/// the formatter's type is chosen here, once per stream, and the output keeps it in
/// place (a generic `FormattedOutput`), so the per-line path has no switch.
struct DestinationPlan {
    let key: DestinationKey
    let makeOutput: (Destination) -> DestinationOutput

    static func plans(for settings: StreamSettings) -> [DestinationPlan] {
        var plans: [DestinationPlan] = []
        if let syslog = settings.syslog {
            let formatter = SyslogFormatter(format: syslog.format, facility: syslog.facility, delimiting: syslog.delimiting,
                                            structuredDataID: syslog.structuredDataID, context: settings.context)
            let framing: WireFraming
            switch (syslog.delimiting, syslog.destination.isDatagram) {
            case (.none, _): framing = .syslogRELP
            case (_, true): framing = .syslogDatagram
            case (.octetCounted, false): framing = .syslogOctetCounted
            case (.lineFeed, false): framing = .syslogLineFeed
            }
            plans.append(DestinationPlan(key: DestinationKey(syslog.destination, framing: framing)) {
                output($0, formatter, settings)
            })
        }
        if let tcp = settings.tcp {
            let context = settings.context
            let levelKey = settings.events.levelFrom != .stream
            switch tcp.format {
            case .json:
                plans.append(DestinationPlan(key: DestinationKey(tcp.destination, framing: .jsonLines)) {
                    output($0, JSONLineFormatter(context: context, levelKey: levelKey), settings)
                })
            case .gelf:
                plans.append(DestinationPlan(key: DestinationKey(tcp.destination, framing: .gelf)) {
                    output($0, GELFFormatter(context: context), settings)
                })
            case .raw:
                plans.append(DestinationPlan(key: DestinationKey(tcp.destination, framing: .rawLines)) {
                    output($0, RawFormatter(), settings)
                })
            }
        }
        return plans
    }
}
