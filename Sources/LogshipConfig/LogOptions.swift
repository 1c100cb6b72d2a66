import LogshipDestinations

/// One `--log-opt` logship understands: its name, default, help text and the
/// plugin-environment name that sets it host-wide. The whitelist below is the only
/// list of options; README's table and config.json's env are checked against it.
public struct LogOption: Sendable, Hashable {
    public let name: String
    /// How the default reads in documentation; empty when there is none.
    public let defaultDescription: String
    public let summary: String

    /// `syslog-address` → `SYSLOG_ADDRESS` (`docker plugin set logship SYSLOG_ADDRESS=…`).
    public var environmentName: String {
        String(name.uppercased().map { $0 == "-" ? "_" : $0 })
    }
}

public enum LogOptions {
    public static let route = LogOption(
        name: "route", defaultDescription: "default",
        summary: "The route, from `routes.conf` in the configuration directory, whose options apply where the container sets none of its own (see [Routes](#routes-destinations-defined-once-per-host)). The container label `logship.route=NAME` chooses one too (this option wins over the label); a container that chooses none takes the route `default`, if the file defines it. Host-wide: the route of containers that choose none. An unknown name fails `docker run`.")
    public static let syslogAddress = LogOption(
        name: "syslog-address", defaultDescription: "",
        summary: "Syslog destination: `udp://host[:port]`, `tcp://host[:port]`, `tcp+tls://host[:port]` (port 514 by default, for TLS too, as in Docker: give RFC 5425's 6514 explicitly), `relp://host:port` or `relp+tls://host:port` (RELP: every message is kept until the receiver acknowledges it; no default port), `unix:///path` or `unixgram:///path` (a path inside the plugin, see below). Several, comma-separated: the first is used while it answers, the others are fail-overs. `none` turns off a host-wide default for one container.")
    public static let syslogFacility = LogOption(
        name: "syslog-facility", defaultDescription: "daemon",
        summary: "Facility name (`kern`, `user`, `mail`, `daemon`, `auth`, `syslog`, `lpr`, `news`, `uucp`, `cron`, `authpriv`, `ftp`, `local0`…`local7`) or number 0–23.")
    public static let syslogFormat = LogOption(
        name: "syslog-format", defaultDescription: "rfc5424micro",
        summary: "`rfc5424micro`, `rfc5424`, `rfc3164`, or `unix` (Docker's legacy layout without HOSTNAME).")
    public static let syslogFraming = LogOption(
        name: "syslog-framing", defaultDescription: "non-transparent",
        summary: "On stream transports: `non-transparent` (each message ends in LF) or `octet-counted` (RFC 6587 `LEN SP MSG`). On `tcp+tls` with `rfc5424micro` or `rfc5424` the default is `octet-counted` (RFC 5425, as Docker does), and so it is with a multi-line option, whose messages hold LFs (`non-transparent` is then refused). Ignored for udp and unixgram (one message per datagram) and for relp (each message is a RELP command that carries its length).")
    public static let syslogSDID = LogOption(
        name: "syslog-sd-id", defaultDescription: "logship@32473",
        summary: "SD-ID of the STRUCTURED-DATA element that carries `labels`/`env` attributes (RFC 5424 formats).")
    public static let syslogRELPWindow = LogOption(
        name: "syslog-relp-window", defaultDescription: String(RELPSettings.defaultWindow),
        summary: "For a `relp://` or `relp+tls://` `syslog-address`: how many messages may wait for the receiver's acknowledgement at once (1–65536). Larger keeps a distant receiver busier; everything waiting is sent again (and may arrive twice) after a broken connection.")
    public static let tag = LogOption(
        name: "tag", defaultDescription: "{{.ID}}",
        summary: "Docker tag template: APP-NAME and MSGID in syslog, `tag` in JSON.")
    public static let labels = LogOption(
        name: "labels", defaultDescription: "",
        summary: "Comma-separated container label names to attach as attributes.")
    public static let labelsRegex = LogOption(
        name: "labels-regex", defaultDescription: "",
        summary: "Regular expression; labels whose names match are attached as attributes.")
    public static let env = LogOption(
        name: "env", defaultDescription: "",
        summary: "Comma-separated environment variable names to attach as attributes.")
    public static let envRegex = LogOption(
        name: "env-regex", defaultDescription: "",
        summary: "Regular expression; environment variables whose names match are attached as attributes.")
    public static let tcpAddress = LogOption(
        name: "tcp-address", defaultDescription: "",
        summary: "Plain TCP destination `tcp://host:port`, or `tcp+tls://host:port` with TLS (Logstash, Vector, Fluent Bit, Graylog); several, comma-separated, for fail-over. `none` turns off a host-wide default for one container.")
    public static let tcpFormat = LogOption(
        name: "tcp-format", defaultDescription: "json",
        summary: "`json` (one object per line), `raw` (the line itself) or `gelf` (GELF 1.1, NUL-terminated).")
    public static let maxLineSize = LogOption(
        name: "max-line-size", defaultDescription: "1m",
        summary: "Longest line rebuilt from Docker's 16 KiB pieces (`k`, `m` = KiB, MiB); longer lines are sent in pieces of this size.")

    public static let multilinePattern = LogOption(
        name: "multiline-pattern", defaultDescription: "",
        summary: "Joins multi-line messages: a line that matches this regular expression starts a new message, a line that does not is added to the message in progress (awslogs' meaning). RE2 (Go) syntax, matched anywhere in the line unless anchored with `^`; see [Multi-line messages](#multi-line-messages) for the dialect.")
    public static let multilineDatetimeFormat = LogOption(
        name: "multiline-datetime-format", defaultDescription: "",
        summary: "Joins multi-line messages: a line that begins with a timestamp in this strftime format (`%Y-%m-%d %H:%M:%S`, `%b %e %T`, ...) starts a new message, the others are added to it.")
    public static let multilinePreset = LogOption(
        name: "multiline-preset", defaultDescription: "",
        summary: "Joins the stack traces it recognises, comma-separated: `java`, `python`, `go`; every other line stays a message of its own.")
    public static let multilineTimeout = LogOption(
        name: "multiline-timeout", defaultDescription: "1s",
        summary: "A message in progress is sent after this long without a line joining it (`ms`, `s`, `m`).")
    public static let multilineMaxLines = LogOption(
        name: "multiline-max-lines", defaultDescription: "1000",
        summary: "A message of this many lines is sent at once (2–100000); `max-line-size` caps its bytes.")
    public static let levelFrom = LogOption(
        name: "level-from", defaultDescription: "stream",
        summary: "Where a message's severity comes from: `stream` (stdout info, stderr err), `prefix` (sd-daemon `<3>`, removed), `json` (a `level`/`severity`/`lvl` member), `auto` (prefix, JSON, a leading keyword such as `ERROR`, else the stream). Sets syslog's PRI, GELF's `level` and JSON's `level`.")
    public static let parseJSON = LogOption(
        name: "parse-json", defaultDescription: "false",
        summary: "`true`: a line that is a JSON object is sent as fields (JSON: under `fields`; GELF: `_name` fields; RFC 5424: SD-PARAMs) rather than as an escaped string.")

    /// The options that join lines into messages; at most one may be set.
    public static let multilineRules = [multilinePattern, multilineDatetimeFormat, multilinePreset]

    public static let syslogTLS = TLSOptionGroup(address: syslogAddress, schemes: ["tcp+tls", "relp+tls"])
    public static let tcpTLS = TLSOptionGroup(address: tcpAddress, schemes: ["tcp+tls"])

    /// Every option logship reads, in documentation order.
    public static let all: [LogOption] = [
        route,
        syslogAddress, syslogFacility, syslogFormat, syslogFraming, syslogSDID,
        syslogTLS.caCertificates, syslogTLS.certificate, syslogTLS.key, syslogTLS.skipVerify, syslogTLS.serverName,
        syslogRELPWindow,
        tcpAddress, tcpFormat,
        tcpTLS.caCertificates, tcpTLS.certificate, tcpTLS.key, tcpTLS.skipVerify, tcpTLS.serverName,
        tag, labels, labelsRegex, env, envRegex,
        maxLineSize,
        multilinePattern, multilineDatetimeFormat, multilinePreset, multilineTimeout, multilineMaxLines,
        levelFrom, parseJSON, rateLimit, rateBurst,
    ]

    /// Keys the daemon itself acts on (ring buffer, local cache for `docker logs`):
    /// they reach the plugin too and must pass untouched.
    public static let handledByDocker: [String] = [
        "mode", "max-buffer-size",
        "cache-disabled", "cache-max-size", "cache-max-file", "cache-compress",
        "max-size", "max-file", "compress",
    ]

    /// The container label that chooses a route, like `--log-opt route`.
    public static let routeLabel = "logship.route"

    public static func named(_ name: String) -> LogOption? {
        all.first { $0.name == name }
    }
}
