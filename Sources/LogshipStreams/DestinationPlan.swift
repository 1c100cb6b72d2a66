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
                FormattedOutput(destination: $0, formatter: formatter)
            })
        }
        if let tcp = settings.tcp {
            let context = settings.context
            switch tcp.format {
            case .json:
                plans.append(DestinationPlan(key: DestinationKey(tcp.destination, framing: .jsonLines)) {
                    FormattedOutput(destination: $0, formatter: JSONLineFormatter(context: context))
                })
            case .gelf:
                plans.append(DestinationPlan(key: DestinationKey(tcp.destination, framing: .gelf)) {
                    FormattedOutput(destination: $0, formatter: GELFFormatter(context: context))
                })
            case .raw:
                plans.append(DestinationPlan(key: DestinationKey(tcp.destination, framing: .rawLines)) {
                    FormattedOutput(destination: $0, formatter: RawFormatter())
                })
            }
        }
        return plans
    }
}
