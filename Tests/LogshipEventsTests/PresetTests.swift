import Testing
@testable import LogshipEvents

@Suite struct PresetTests {
    static let javaTrace = [
        "2024-05-01 12:00:00 ERROR [main] com.example.App - request failed",
        "java.lang.IllegalStateException: boom",
        "\tat com.example.App.handle(App.java:42)",
        "\tat com.example.App.main(App.java:12)",
        "Caused by: java.io.IOException: disk full",
        "\tat java.base/java.io.FileOutputStream.write(FileOutputStream.java:1)",
        "\t... 5 more",
        "\tSuppressed: java.lang.Exception: cleanup",
        "\t\t... 12 common frames omitted",
    ]

    static let pythonTraceback = [
        "Traceback (most recent call last):",
        "  File \"/app/main.py\", line 8, in <module>",
        "    main()",
        "  File \"/app/main.py\", line 5, in main",
        "    raise ValueError(\"bad value\")",
        "ValueError: bad value",
    ]

    static let goPanic = [
        "panic: runtime error: index out of range [3] with length 3",
        "",
        "goroutine 1 [running]:",
        "main.main()",
        "\t/app/main.go:8 +0x1d",
        "",
        "goroutine 18 [chan receive]:",
        "main.(*Worker).run(0xc000010000, {0x4b1234, 0x5})",
        "\t/app/worker.go:20 +0x45",
        "created by main.start in goroutine 1",
        "\t/app/main.go:5 +0x3a",
    ]

    @Test func aJavaTraceBetweenOrdinaryLinesIsOneMessage() {
        let out = join(presets(.java), stdout(["starting"] + Self.javaTrace + ["next request", "done"]))
        #expect(texts(out) == ["starting", Self.javaTrace.joined(separator: "\n"), "next request", "done"])
        #expect(out[1].lines == Self.javaTrace.count && out[1].timeNano == 2)
    }

    @Test func anExceptionLineJoinsOnlyRightAfterTheHead() {
        let out = join(presets(.java), stdout(["a", "b", "java.lang.RuntimeException: x", "\tat A.b(A.java:1)", "java.lang.Error"]))
        #expect(texts(out) == ["a", "b\njava.lang.RuntimeException: x\n\tat A.b(A.java:1)", "java.lang.Error"])
        #expect(texts(join(presets(.java), stdout(["a", "com.example.Thing started"]))) == ["a", "com.example.Thing started"])
    }

    @Test func aPythonTracebackIsOneMessageAndItsOrdinaryNeighboursAreNotHeld() {
        var joiner = MultilineJoiner(classifier: presets(.python), maxLines: 1000, maxBytes: 1 << 20, timeoutNanoseconds: 1_000)
        var out: [String] = []
        let collect = { (m: JoinedMessage) in out.append(String(decoding: m.bytes, as: UTF8.self)) }
        for text in ["before"] + Self.pythonTraceback + ["after"] {
            Array(text.utf8).withUnsafeBytes { joiner.push($0, source: .stderr, timeNano: 0, severity: nil, now: 0, emit: collect) }
        }
        // "after" ended the traceback and, being ordinary, went out at once: nothing is held.
        #expect(out == ["before", Self.pythonTraceback.joined(separator: "\n"), "after"])
        #expect(!joiner.isHolding)
    }

    @Test func chainedPythonTracebacksAreOneMessageButATrailingBlankLineIsNot() {
        let chained = Self.pythonTraceback + ["", "During handling of the above exception, another exception occurred:", ""] + Self.pythonTraceback
        #expect(texts(join(presets(.python), stdout(chained + ["next"]))) == [chained.joined(separator: "\n"), "next"])
        #expect(texts(join(presets(.python), stdout(Self.pythonTraceback + ["", "next"]))) == [Self.pythonTraceback.joined(separator: "\n"), "", "next"])
        #expect(texts(join(presets(.python), stdout(Self.pythonTraceback + [""]))) == [Self.pythonTraceback.joined(separator: "\n"), ""])
    }

    @Test func aGoPanicWithItsGoroutinesIsOneMessage() {
        let out = join(presets(.go), stdout(["serving", "request ok"] + Self.goPanic + ["exit"]))
        #expect(texts(out) == ["serving", "request ok", Self.goPanic.joined(separator: "\n"), "exit"])
    }

    @Test func presetsCombineAndLeaveOtherLinesAlone() {
        let lines = ["a"] + Self.pythonTraceback + ["b"] + Self.goPanic + ["c"] + Self.javaTrace + ["d"]
        let out = join(presets(.java, .python, .go), stdout(lines))
        #expect(texts(out) == ["a", Self.pythonTraceback.joined(separator: "\n"), "b", Self.goPanic.joined(separator: "\n"), "c",
                               Self.javaTrace.joined(separator: "\n"), "d"])
    }

    @Test func onlyJavaHoldsOrdinaryLines() {
        for (preset, holds) in [(MultilinePreset.java, true), (.python, false), (.go, false)] {
            let c = Array("an ordinary line".utf8).withUnsafeBytes {
                PresetRecognizer([preset]).classify($0, context: .plain, linesInMessage: 0)
            }
            #expect(c == LineClassification(role: .start, holds: holds, context: .plain), "\(preset)")
        }
    }
}
