/// `multiline-preset=python`: a traceback as the interpreter prints it, chained ones
/// included:
///
///     Traceback (most recent call last):                              <- starts it
///       File "app.py", line 3, in <module>                            <- indented lines
///         main()
///     ValueError: bad value                                           <- closes it
///                                                                     <- (blank, joins only if
///     During handling of the above exception, another exception occurred:   a chain follows)
///
///     Traceback (most recent call last):
///     ...
enum PythonTraceback {
    static func starts(_ line: UnsafeRawBufferPointer) -> Bool {
        LineText.equals(line, "Traceback (most recent call last):")
    }

    /// The role and next context of a line that continues a traceback in progress.
    static func continuation(_ line: UnsafeRawBufferPointer, context: MessageContext,
                             linesInMessage: Int) -> (LineClassification.Role, MessageContext)? {
        switch context {
        case .pythonTraceback:
            if LineText.indentation(line) > 0 { return (.continuation, .pythonTraceback) }
            // The closing line, once there was at least one frame.
            if linesInMessage >= 2 && !line.isEmpty { return (.continuation, .pythonClosed) }
            return nil
        case .pythonClosed:
            if line.isEmpty { return (.tentative, .pythonClosed) }
            if LineText.equals(line, "During handling of the above exception, another exception occurred:")
                || LineText.equals(line, "The above exception was the direct cause of the following exception:") {
                return (.continuation, .pythonChained)
            }
            return nil
        case .pythonChained:
            if line.isEmpty { return (.continuation, .pythonChained) }
            if starts(line) { return (.continuation, .pythonTraceback) }
            return nil
        default:
            return nil
        }
    }
}
