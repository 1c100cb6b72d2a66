import LogshipConfig
import LogshipSystem
import Synchronization

/// The route table in force, numbered by generation, and how loading the routes file
/// last went. The routes watcher publishes; every stream reads: its reader compares the
/// generation after each read (one atomic load, nothing more while nothing changes) and
/// resolves its settings again when it moved on.
public final class RouteTableStore: Sendable {
    private struct State {
        var table: RouteTable
        var generation: Int
        var loadedAtSeconds: Double
        var reloads = 0
        var lastError: String?
        var errors = 0
    }

    private let published = Atomic<Int>(1)
    private let state: Mutex<State>
    /// The routes file (whether or not it exists); nil when there is none to watch.
    public let file: String?

    /// Generation 1 is `initial`, the table loaded when the plugin started.
    public init(file: String? = nil, initial: RouteTable = .none) {
        self.file = file
        state = Mutex(State(table: initial, generation: 1, loadedAtSeconds: WallClock.secondsSinceEpoch()))
    }

    /// The generation in force.
    var generation: Int { published.load(ordering: .acquiring) }

    /// The table in force and its generation.
    public var current: (table: RouteTable, generation: Int) {
        state.withLock { ($0.table, $0.generation) }
    }

    /// Puts `table` in force as the next generation, which it returns; a problem recorded
    /// before is over.
    @discardableResult
    public func publish(_ table: RouteTable) -> Int {
        state.withLock { state in
            state.table = table
            state.generation += 1
            state.loadedAtSeconds = WallClock.secondsSinceEpoch()
            state.reloads += 1
            state.lastError = nil
            // Stored under the lock, so a reader that sees the new number reads the new table.
            published.store(state.generation, ordering: .releasing)
            return state.generation
        }
    }

    /// The file was read again and says what the table in force says: a problem recorded
    /// before is over.
    public func confirm() {
        state.withLock { $0.lastError = nil }
    }

    /// The file could not be used: the table in force stays, and `message` is shown until
    /// a load succeeds.
    public func recordFailure(_ message: String) {
        state.withLock { state in
            state.lastError = message
            state.errors += 1
        }
    }

    public var status: RoutesStatus {
        state.withLock { state in
            RoutesStatus(file: file, exists: state.table.file != nil, generation: state.generation, routeNames: state.table.names,
                         loadedAtSeconds: state.loadedAtSeconds, reloads: state.reloads, reloadErrors: state.errors,
                         error: state.lastError ?? state.table.refusal)
        }
    }
}

/// How the routes stand, for `/metrics` and `/health`.
public struct RoutesStatus: Sendable {
    /// The routes file the plugin reads; nil when it reads none.
    public var file: String?
    /// Whether the table in force came from that file (false: there was no file, so no routes).
    public var exists: Bool
    public var generation: Int
    public var routeNames: [String]
    /// When the generation in force was loaded (Unix time).
    public var loadedAtSeconds: Double
    /// Loads that put a changed table in force since the plugin started.
    public var reloads: Int
    /// Loads that failed since the plugin started (the previous table stayed in force).
    public var reloadErrors: Int
    /// Why the file as it is now is not in force; nil when it is.
    public var error: String?
}
