import LogshipConfig
import LogshipDelivery
import LogshipDestinations
import LogshipFormat
import LogshipWire

/// Everything between FIFO bytes and the destination queues, for one stream:
/// frame decoding, reassembly, then formatting into one batch per destination.
/// No I/O: the reader feeds it what it read (and the pipeline benchmark feeds it
/// frames from memory, so it measures exactly this code).
///
/// A class so the reassembler's callback can reach `outputs` without tripping
/// Swift's exclusivity rules on a struct.
public final class StreamPipeline {
    @exclusivity(unchecked) private var scanner: EntryScanner
    // Touched only by the stream's reader thread: no run-time exclusivity checks.
    @exclusivity(unchecked) private var reassembler: Reassembler
    // Replaced between reads when the stream follows a route change (`replaceOutputs`).
    @exclusivity(unchecked) private var outputs: [DestinationOutput]
    /// Entries decoded so far.
    @exclusivity(unchecked) public private(set) var entries = 0
    /// Lines handed to the outputs (or, without outputs, thrown away) so far.
    @exclusivity(unchecked) public private(set) var lines = 0
    /// `reassembler.changes` when the last checkpoint was taken.
    @exclusivity(unchecked) private var checkpointedChanges = 0
    @exclusivity(unchecked) private var checkpointOnDisk = CheckpointOnDisk.none

    private enum CheckpointOnDisk {
        case none
        /// Lines in progress (and possibly lines that ended).
        case lines
        /// Only lines that ended, kept for one more read.
        case tombstones
    }

    /// What one `consume` did with the bytes it was given.
    public struct Consumed {
        /// Bytes dealt with from the start (frames decoded, bytes skipped); the rest is
        /// the beginning of a frame that needs more bytes.
        public var bytes = 0
        /// At least this many bytes from `bytes` on are needed before the next frame can
        /// be decoded; nil when everything given was used.
        public var nextFrameBytes: Int?
        /// Bytes skipped because they were not frames, and the first reason why.
        public var skippedBytes = 0
        public var error: WireError?
    }

    /// A pipeline for `settings`, taking each destination they name from `acquire`;
    /// nil settings make a pipeline that reads and counts lines but delivers nothing
    /// (a stream whose settings cannot be resolved at all).
    public init(settings: StreamSettings?, decoder: FrameDecoder = FrameDecoder(),
                acquire: (DestinationKey) throws -> Destination) rethrows {
        scanner = EntryScanner(decoder: decoder)
        reassembler = Reassembler(maxLineBytes: settings?.maxLineBytes ?? StreamSettings.defaultMaxLineBytes)
        outputs = try Self.outputs(for: settings, acquire: acquire)
    }

    /// One output per destination `settings` name (none for nil settings).
    static func outputs(for settings: StreamSettings?, acquire: (DestinationKey) throws -> Destination) rethrows -> [DestinationOutput] {
        var outputs: [DestinationOutput] = []
        for plan in settings.map(DestinationPlan.plans(for:)) ?? [] {
            outputs.append(plan.makeOutput(try acquire(plan.key)))
        }
        return outputs
    }

    /// From the next line on, formats lines for `newOutputs` instead (a route change). The
    /// lines formatted so far are handed to the current destinations first; a line in
    /// progress (its earlier 16 KiB pieces) carries over and ends at the new destinations. False, with nothing changed, when a queue
    /// refused those lines (the plugin is stopping).
    func replaceOutputs(_ newOutputs: [DestinationOutput]) -> Bool {
        guard flush() else { return false }
        outputs = newOutputs
        return true
    }

    public var reassembledLines: Int { reassembler.reassembledLines }
    public var repeatedPieces: Int { reassembler.repeatedPieces }

    /// Decodes and handles every complete frame in `bytes`. Bytes that do not decode
    /// are skipped up to the next recognisable frame (`FrameResync`): a damaged frame
    /// costs that frame, not the rest of the stream.
    @inline(__always)
    public func consume(_ bytes: UnsafeRawBufferPointer) -> Consumed {
        var result = Consumed()
        var offset = 0
        scanning: while offset < bytes.count {
            switch scanner.step(in: bytes, from: offset) {
            case let .entry(entry, end):
                handle(entry)
                entries += 1
                offset = end
            case let .needMore(frameBytes):
                result.nextFrameBytes = frameBytes
                break scanning
            case let .skipped(to, error):
                result.skippedBytes += to - offset
                if result.error == nil { result.error = error }
                offset = to
            }
        }
        result.bytes = offset
        return result
    }

    @inline(__always)
    func handle(_ entry: LogEntry) {
        reassembler.push(entry) { line in
            lines += 1
            for output in outputs { output.append(line) }
        }
    }

    /// Hands everything formatted so far to the destination queues (after each read).
    /// False when a queue refused it (the plugin is stopping): the bytes it came from
    /// must then stay in the FIFO.
    public func flush() -> Bool {
        var accepted = true
        for output in outputs where !output.flush() { accepted = false }
        return accepted
    }

    /// At end of stream: emits unfinished lines as they are, then flushes.
    @discardableResult
    public func finish() -> Bool {
        reassembler.flush { line in
            lines += 1
            for output in outputs { output.append(line) }
        }
        return flush()
    }

    // MARK: Lines in progress across restarts

    /// The lines in progress to keep on disk before the FIFO bytes that carried them are
    /// consumed: nil when the file on disk is still right, an empty array when it can go.
    ///
    /// Call after the read's messages are spooled and before its bytes are consumed. A
    /// line that started and ended within one read needs nothing: all its pieces stay in
    /// the FIFO until then. Once lines in progress were written, the next checkpoint
    /// also names the lines that ended since (their last pieces may be read again if
    /// the plugin dies before consuming them); one read later that is no longer needed.
    public func checkpointIfChanged() -> [UInt8]? {
        switch checkpointOnDisk {
        case .tombstones where !reassembler.hasPending:
            checkpointOnDisk = .none
            checkpointedChanges = reassembler.changes
            return []
        case .none where !reassembler.hasPending:
            checkpointedChanges = reassembler.changes
            return nil
        default:
            guard reassembler.changes != checkpointedChanges else { return nil }
            let bytes = reassembler.checkpoint(sinceChanges: checkpointedChanges)
            checkpointedChanges = reassembler.changes
            checkpointOnDisk = reassembler.hasPending ? .lines : .tombstones
            return bytes
        }
    }

    /// Continues the lines a crashed or stopped run had in progress.
    public func restore(checkpoint bytes: [UInt8]) throws(CheckpointError) {
        try reassembler.restore(checkpoint: bytes)
        checkpointedChanges = reassembler.changes
        checkpointOnDisk = .lines
    }
}
