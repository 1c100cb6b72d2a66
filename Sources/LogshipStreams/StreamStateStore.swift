import LogshipSystem

/// The open streams, one file each (the StartLogging request, its environment cut to
/// the variables the options select, and the settings it last resolved to), plus the
/// lines each had in progress (`.partial`),
/// so that a plugin that crashed or was restarted can re-open their FIFOs: Docker
/// never sends StartLogging again, and a FIFO nobody reads blocks its container.
struct StreamStateStore: Sendable {
    /// nil when there is nowhere to keep state (then there is no re-attaching).
    let directory: String?

    init(directory: String?, log: LogSink) {
        guard let directory else {
            self.directory = nil
            return
        }
        do {
            try FileSystem.makeDirectory(directory)
            self.directory = directory
        } catch {
            log.warn("cannot keep stream state in \(directory) (\(error)); streams will not be re-attached after a plugin restart")
            self.directory = nil
        }
    }

    /// The daemon's FIFO names are unique (64 hex characters); other paths (tests
    /// playing the daemon) are flattened into a file name.
    private func path(for file: String) -> String? {
        guard let directory else { return nil }
        let name = file.split(separator: "/").joined(separator: "_")
        return directory + "/" + name + ".json"
    }

    /// Where a stream's lines in progress are kept (see `StreamPipeline.checkpointIfChanged`).
    private func checkpointPath(for file: String) -> String? {
        path(for: file).map { String($0.dropLast(".json".count)) + ".partial" }
    }

    func save(file: String, request: [UInt8]) throws {
        guard let path = path(for: file) else { return }
        try FileSystem.writeAtomically(path, request)
    }

    /// Forgets the stream: its record and its checkpoint.
    func remove(file: String) {
        guard let path = path(for: file), let checkpoint = checkpointPath(for: file) else { return }
        CheckpointSlots.remove(at: checkpoint)
        FileSystem.remove(path)
    }

    /// Where the stream's reader keeps its lines and messages in progress; nil without
    /// a state directory (then there is nothing to keep, and no re-attaching).
    func checkpointSlots(file: String) -> CheckpointSlots? {
        checkpointPath(for: file).map(CheckpointSlots.init(path:))
    }

    /// Every saved request, with the path it is saved at, and how many records exist
    /// but could not be read now (out of descriptors, say): those are for a later try.
    /// Throws when the directory cannot be listed; that is not "no streams".
    func saved() throws -> (records: [(path: String, request: [UInt8])], unreadable: Int) {
        guard let directory else { return ([], 0) }
        let names = try FileSystem.listDirectory(directory)
        var records: [(path: String, request: [UInt8])] = []
        var unreadable = 0
        for name in names where name.hasSuffix(".json") {
            let path = directory + "/" + name
            if let request = try? FileSystem.read(path) {
                records.append((path, request))
            } else if FileSystem.exists(path) {
                unreadable += 1
            }
        }
        return (records, unreadable)
    }
}
