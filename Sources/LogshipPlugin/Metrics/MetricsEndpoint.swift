import LogshipStreams
import LogshipHTTP
import LogshipDelivery
import LogshipDestinations
import LogshipJSON
import LogshipSystem

/// The opt-in `/metrics` (Prometheus) and `/health` endpoints (`METRICS_ADDRESS`).
struct MetricsEndpoint: Sendable {
    let streams: StreamRegistry
    let destinations: DestinationRegistry
    let routes: RouteTableStore

    func handle(_ request: HTTPRequest) -> HTTPResponse {
        guard request.method == "GET" || request.method == "HEAD" else {
            return .error(405, "use GET")
        }
        switch request.path.split(separator: "?").first.map(String.init) ?? request.path {
        case "/metrics":
            return HTTPResponse(status: 200, body: Array(metrics().utf8), contentType: "text/plain; version=0.0.4; charset=utf-8")
        case "/health":
            let (healthy, body) = health()
            return .json(healthy ? 200 : 503, body)
        default:
            return .error(404, "not found: try /metrics or /health")
        }
    }

    func metrics() -> String {
        var out = PrometheusText()
        let all = destinations.allStats
        func perDestination(_ name: String, _ kind: PrometheusText.Kind, _ help: String, _ value: (DestinationStats) -> Int) {
            out.family(name, kind, help, all.map { (labels: [("destination", $0.destination), ("framing", $0.framing)], value: value($0)) })
        }
        perDestination("logship_destination_received_messages_total", .counter, "Messages formatted and queued for the destination.") { $0.queue.enqueuedMessages }
        perDestination("logship_destination_sent_messages_total", .counter, "Messages written to the destination's connection.") { $0.sentMessages }
        perDestination("logship_destination_sent_bytes_total", .counter, "Bytes written to the destination's connection.") { $0.sentBytes }
        perDestination("logship_destination_dropped_messages_total", .counter, "Messages dropped because the queue or spool was full.") { $0.queue.droppedMessages }
        perDestination("logship_destination_lost_messages_total", .counter, "Messages sent and lost for good: UDP datagrams the receiver's host refused (port unreachable), messages too large for a datagram.") { $0.lostMessages }
        perDestination("logship_destination_spooled_messages_total", .counter, "Messages written to the destination's spool on disk.") { $0.queue.spooledMessages }
        perDestination("logship_destination_unspooled_messages_total", .counter, "Messages kept in memory only because the spool could not take them (disk full or failing, SPOOL_TOTAL_SIZE reached).") { $0.queue.unspooledMessages }
        perDestination("logship_destination_pending_messages", .gauge, "Messages taken in and not yet delivered.") { $0.queue.pendingMessages }
        perDestination("logship_destination_queue_memory_bytes", .gauge, "Bytes of queued messages held in memory.") { $0.queue.memoryBytes }
        perDestination("logship_destination_spool_bytes", .gauge, "Bytes of the destination's spool files.") { $0.queue.spoolBytes }
        perDestination("logship_destination_connects_total", .counter, "Connections opened (the first one and every reconnect).") { $0.connects }
        perDestination("logship_destination_send_errors_total", .counter, "Writes that failed and led to a reconnect.") { $0.sendErrors }
        perDestination("logship_destination_joined_messages_total", .counter, "Messages made by joining two or more lines (multiline-pattern, -datetime-format, -preset).") { $0.joinedMessages }
        perDestination("logship_destination_joined_lines_total", .counter, "Lines sent as part of a message made by joining lines.") { $0.joinedLines }
        perDestination("logship_destination_streams", .gauge, "Container streams using the destination.") { $0.streams }
        // Only destinations whose receiver acknowledges messages (RELP) have these.
        let acknowledging = all.filter { $0.acknowledgements != nil }
        func perAcknowledging(_ name: String, _ kind: PrometheusText.Kind, _ help: String, _ value: (AcknowledgementStats) -> Int) {
            out.family(name, kind, help, acknowledging.map { (labels: [("destination", $0.destination), ("framing", $0.framing)], value: value($0.acknowledgements!)) })
        }
        perAcknowledging("logship_destination_acknowledged_messages_total", .counter, "Messages the receiver acknowledged (RELP rsp 200); only these leave the spool.") { $0.acknowledged }
        perAcknowledging("logship_destination_in_flight_messages", .gauge, "Messages written and waiting for the receiver's acknowledgement (RELP).") { $0.inFlight }
        perAcknowledging("logship_destination_resent_messages_total", .counter, "Messages written again because their session broke, or the receiver refused one of them, before they were acknowledged (RELP); the receiver may have stored them already.") { $0.resent }
        perAcknowledging("logship_destination_refused_messages_total", .counter, "Answers other than 200 (RELP): the message was kept and sent again after a pause.") { $0.refused }
        out.family("logship_destination_connected", .gauge, "1 while connected, with the address in use.",
                   all.map { (labels: [("destination", $0.destination), ("framing", $0.framing), ("address", $0.connectedTo ?? "")], value: $0.connectedTo == nil ? 0 : 1) })
        let c = streams.counts
        out.family("logship_streams_active", .gauge, "Container log streams being read.", streams.activeCount)
        out.family("logship_streams_started_total", .counter, "Streams started by StartLogging.", c.started)
        out.family("logship_streams_reattached_total", .counter, "Streams re-opened after a plugin restart.", c.reattached)
        out.family("logship_streams_ended_total", .counter, "Streams read to their end.", c.ended)
        out.family("logship_stream_entries_total", .counter, "Log entries read from streams that have ended.", c.entries)
        out.family("logship_decode_errors_total", .counter, "Places in streams where bytes did not decode as frames (each skipped to the next frame).", c.decodeErrors)
        out.family("logship_stream_skipped_bytes_total", .counter, "Bytes of streams skipped because they did not decode as frames.", c.skippedBytes)
        out.family("logship_stream_discarded_lines_total", .counter, "Lines of streams that had ended that were read and thrown away because their settings did not resolve at all.", c.discardedLines)
        out.family("logship_spool_bytes", .gauge, "Bytes of all spools together (limited by SPOOL_TOTAL_SIZE).", destinations.spoolBytesInUse)
        out.family("logship_reassembled_lines_total", .counter, "Lines rebuilt from Docker's 16 KiB pieces.", c.reassembledLines)
        let r = routes.status
        out.family("logship_routes", .gauge, "Routes defined by the routes file in force.", r.routeNames.count)
        out.family("logship_routes_generation", .gauge, "Generation of the routes in force (1 at start, one more at each change put in force).", r.generation)
        out.family("logship_routes_loaded_timestamp_seconds", .gauge, "When the routes in force were loaded (Unix time).", Int(r.loadedAtSeconds))
        out.family("logship_routes_reloads_total", .counter, "Changes of the routes file put in force since the plugin started.", r.reloads)
        out.family("logship_routes_reload_errors_total", .counter, "Loads of the routes file that failed (the routes in force stayed).", r.reloadErrors)
        out.family("logship_routes_file_valid", .gauge, "1 when the routes file as it is now is in force (or there is none), 0 while it is invalid.", r.error == nil ? 1 : 0)
        ContainerMetrics.write(streams.containers.snapshot(), to: &out)
        return out.text
    }

    /// Degraded when a destination has messages waiting and no connection, or when the
    /// routes file as it is now is not in force.
    func health() -> (Bool, JSONValue) {
        var problems: [JSONValue] = []
        let r = routes.status
        if let error = r.error { problems.append(.string(error)) }
        var list: [JSONValue] = []
        for stats in destinations.allStats {
            let stalled = stats.connectedTo == nil && stats.queue.pendingMessages > 0
            if stalled {
                let why = stats.acknowledgements?.unansweredSeconds.map { "no answer from the receiver for \($0) s" } ?? "not connected"
                problems.append(.string("\(stats.destination) (\(stats.framing)): \(why), \(stats.queue.pendingMessages) messages waiting"))
            }
            list.append(.object([
                "destination": .string(stats.destination),
                "framing": .string(stats.framing),
                "connected": .bool(stats.connectedTo != nil),
                "address": stats.connectedTo.map { .string($0) } ?? .null,
                "pending": .number(String(stats.queue.pendingMessages)),
                "dropped": .number(String(stats.queue.droppedMessages)),
            ].merging(stats.acknowledgements.map { acknowledgements in
                ["acknowledged": .number(String(acknowledgements.acknowledged)), "in_flight": .number(String(acknowledgements.inFlight))]
            } ?? [:]) { a, _ in a }))
        }
        let body: JSONValue = .object([
            "status": .string(problems.isEmpty ? "ok" : "degraded"),
            "streams": .number(String(streams.activeCount)),
            "destinations": .array(list),
            "routes": .object([
                "file": r.file.map { .string($0) } ?? .null,
                "loaded": .bool(r.exists),
                "generation": .number(String(r.generation)),
                "names": .array(r.routeNames.map { .string($0) }),
                "error": r.error.map { .string($0) } ?? .null,
            ]),
            "problems": .array(problems),
            "losing_lines": .array(ContainerMetrics.losingLines(streams.containers.snapshot())),
        ])
        return (problems.isEmpty, body)
    }
}
