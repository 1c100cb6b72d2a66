/// Bytes of a spool segment that cannot be what the spool wrote there: a torn or
/// damaged record, a file shorter than the records indexed in it, or a position that
/// is not where a record starts. Thrown instead of using a size or an index read from
/// disk that does not fit, so damage costs the messages it hit and never the process.
struct SpoolDamage: Error, CustomStringConvertible, Equatable {
    /// The segment file.
    let path: String
    /// Where in it the record that cannot be read starts (or was expected to).
    let offset: Int
    let problem: String

    var description: String { "spool segment \(path) at offset \(offset): \(problem)" }
}
