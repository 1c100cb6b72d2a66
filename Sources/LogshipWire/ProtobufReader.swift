/// A cursor over protobuf wire-format bytes that decodes in place: length-delimited
/// fields come back as slices of the input, never copies.
///
/// Only what a decoder for `LogEntry` needs: varints (up to 10 bytes), tags, and
/// skipping unknown fields by wire type. Groups (wire types 3 and 4) are rejected;
/// proto3 never produces them.
struct ProtobufReader {
    enum WireType: Int {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, startGroup = 3, endGroup = 4, fixed32 = 5
    }

    let bytes: UnsafeRawBufferPointer
    private(set) var offset: Int
    /// Where `bytes` starts within the enclosing frame, so errors report frame offsets.
    let base: Int

    init(_ bytes: UnsafeRawBufferPointer, base: Int = 0) {
        self.bytes = bytes
        self.offset = 0
        self.base = base
    }

    var isAtEnd: Bool { offset >= bytes.count }

    @inline(__always)
    mutating func readVarint() throws(WireError) -> UInt64 {
        // Fast path: most varints in a LogEntry are one byte (tags, lengths < 128, bools).
        if offset < bytes.count {
            let first = bytes[offset]
            if first < 0x80 {
                offset += 1
                return UInt64(first)
            }
        }
        let start = offset
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < bytes.count else { throw .truncatedVarint(offset: base + start) }
            guard shift < 70 else { throw .varintTooLong(offset: base + start) }
            let byte = bytes[offset]
            offset += 1
            // The tenth byte may only contribute bit 63; higher bits are dropped, as every
            // protobuf runtime does, so a sign-extended negative int32 decodes correctly.
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    /// Reads a field tag; returns the field number and wire type.
    @inline(__always)
    mutating func readTag() throws(WireError) -> (field: Int, wireType: Int, offset: Int) {
        let at = base + offset
        let tag = try readVarint()
        let field = tag >> 3
        guard field != 0 else { throw .invalidFieldNumber(offset: at) }
        guard field <= UInt64(Int32.max) else { throw .invalidFieldNumber(offset: at) }
        return (Int(field), Int(tag & 7), at)
    }

    @inline(__always)
    mutating func readLengthDelimited(field: Int, at tagOffset: Int) throws(WireError) -> UnsafeRawBufferPointer {
        let length = try readVarint()
        guard length <= UInt64(bytes.count - offset) else {
            throw .fieldOverrunsMessage(field: field, offset: tagOffset)
        }
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + Int(length))])
        offset += Int(length)
        return slice
    }

    /// Skips an unknown field's value.
    mutating func skip(field: Int, wireType: Int, at tagOffset: Int) throws(WireError) {
        switch WireType(rawValue: wireType) {
        case .varint:
            _ = try readVarint()
        case .fixed64:
            try advance(8, field: field, at: tagOffset)
        case .fixed32:
            try advance(4, field: field, at: tagOffset)
        case .lengthDelimited:
            _ = try readLengthDelimited(field: field, at: tagOffset)
        case .startGroup, .endGroup, nil:
            throw .invalidWireType(field: field, wireType: wireType, offset: tagOffset)
        }
    }

    private mutating func advance(_ count: Int, field: Int, at tagOffset: Int) throws(WireError) {
        guard count <= bytes.count - offset else { throw .fieldOverrunsMessage(field: field, offset: tagOffset) }
        offset += count
    }
}
