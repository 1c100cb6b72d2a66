/// Why a frame or message could not be decoded; the message says what was wrong and
/// where. The reader skips to the next frame it can recognise (`FrameResync`).
public enum WireError: Error, Equatable, CustomStringConvertible, Sendable {
    case frameTooLarge(length: Int, limit: Int)
    case truncatedVarint(offset: Int)
    case varintTooLong(offset: Int)
    case fieldOverrunsMessage(field: Int, offset: Int)
    case invalidWireType(field: Int, wireType: Int, offset: Int)
    case wrongWireType(field: String, wireType: Int, offset: Int)
    case invalidFieldNumber(offset: Int)

    public var description: String {
        switch self {
        case let .frameTooLarge(length, limit):
            return "frame of \(length) bytes exceeds the \(limit)-byte limit (stream corrupt or not a Docker log stream)"
        case let .truncatedVarint(offset):
            return "varint truncated at byte \(offset)"
        case let .varintTooLong(offset):
            return "varint longer than 10 bytes at byte \(offset)"
        case let .fieldOverrunsMessage(field, offset):
            return "field \(field) at byte \(offset) runs past the end of the message"
        case let .invalidWireType(field, wireType, offset):
            return "field \(field) at byte \(offset) has unsupported wire type \(wireType)"
        case let .wrongWireType(field, wireType, offset):
            return "field \(field) at byte \(offset) has wrong wire type \(wireType)"
        case let .invalidFieldNumber(offset):
            return "field number 0 at byte \(offset)"
        }
    }
}
