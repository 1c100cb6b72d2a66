/// The per-container facts that go into every formatted message. Built once per
/// stream (tag rendered, attributes selected), so formatters precompute their
/// constant header parts from it and the per-line work is only time and message.
public struct FormatContext: Sendable, Equatable {
    /// The Docker host's name (`gethostname()` inside the plugin).
    public var hostname: String
    /// The rendered `tag` option.
    public var tag: String
    public var containerID: String
    /// Without Docker's leading slash.
    public var containerName: String
    public var imageName: String
    /// `sha256:<64 hex>`.
    public var imageID: String
    /// Entrypoint and arguments joined with spaces, as `{{.Command}}` renders them.
    public var command: String
    /// Container creation time as the daemon sent it (RFC 3339).
    public var created: String
    /// From the `labels`, `labels-regex`, `env` and `env-regex` options, in a stable order.
    public var attributes: [(key: String, value: String)]

    public init(hostname: String, tag: String, containerID: String, containerName: String, imageName: String,
                imageID: String, command: String = "", created: String = "", attributes: [(key: String, value: String)] = []) {
        self.hostname = hostname
        self.tag = tag
        self.containerID = containerID
        self.containerName = containerName
        self.imageName = imageName
        self.imageID = imageID
        self.command = command
        self.created = created
        self.attributes = attributes
    }

    public static func == (lhs: FormatContext, rhs: FormatContext) -> Bool {
        lhs.hostname == rhs.hostname && lhs.tag == rhs.tag && lhs.containerID == rhs.containerID
            && lhs.containerName == rhs.containerName && lhs.imageName == rhs.imageName && lhs.imageID == rhs.imageID
            && lhs.command == rhs.command && lhs.created == rhs.created
            && lhs.attributes.map(\.key) == rhs.attributes.map(\.key) && lhs.attributes.map(\.value) == rhs.attributes.map(\.value)
    }
}
