@testable import LogshipJSON

func parse(_ text: String, maxDepth: Int = 64) throws -> JSONValue {
    try JSONParser.parse(Array(text.utf8), maxDepth: maxDepth)
}

func parseError(_ bytes: [UInt8], maxDepth: Int = 64) -> JSONError? {
    do {
        _ = try JSONParser.parse(bytes, maxDepth: maxDepth)
        return nil
    } catch let error as JSONError {
        return error
    } catch {
        return nil
    }
}

func parseError(_ text: String, maxDepth: Int = 64) -> JSONError? {
    parseError(Array(text.utf8), maxDepth: maxDepth)
}

func escaped(_ bytes: [UInt8]) -> [UInt8] {
    var output: [UInt8] = []
    bytes.withUnsafeBytes { output.appendJSONString($0) }
    return output
}
