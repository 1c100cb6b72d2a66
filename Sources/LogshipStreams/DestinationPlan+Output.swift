import LogshipConfig
import LogshipDelivery
import LogshipFormat

extension DestinationPlan {
    /// The output of a stream to `destination`: the container's lane of the
    /// destination's queue (with a copy of the formatter for its drop notices), and the
    /// formatter in place, behind the rate limit when the container has one.
    static func output<Formatter: LineFormatter>(_ destination: Destination, _ formatter: Formatter,
                                                 _ settings: StreamSettings) -> DestinationOutput {
        let lane = destination.openLane(container: settings.context.containerID, notices: FormatterNoticeWriter(formatter: formatter),
                                        rateLimit: settings.rateLimit?.optionText)
        if let limit = settings.rateLimit {
            return FormattedOutput(destination: destination, lane: lane, formatter: formatter, admission: TokenBucket(limit))
        }
        return FormattedOutput(destination: destination, lane: lane, formatter: formatter, admission: AdmitEveryLine())
    }
}
