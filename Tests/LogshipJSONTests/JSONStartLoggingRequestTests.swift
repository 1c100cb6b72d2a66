import Testing
import LogshipJSON

/// The StartLogging body exactly as the daemon's Go encoder writes it
/// (docker-log-plugin-protocol.md §3.3.1), trailing newline included.
@Suite struct JSONStartLoggingRequestTests {
    static let body = #"{"File":"/run/docker/logging/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef","Info":{"Config":{"cache-disabled":"false","max-buffer-size":"4m","mode":"non-blocking","tag":"{{.Name}}"},"ContainerID":"7d6ac83a89a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6","ContainerName":"/testlog","ContainerEntrypoint":"sh","ContainerArgs":["-c","echo \u003chi\u003e \u0026 bye"],"ContainerImageID":"sha256:ab12…ab12","ContainerImageName":"busybox","ContainerCreated":"2024-05-01T12:00:00.123456789Z","ContainerEnv":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"ContainerLabels":null,"LogPath":"","DaemonName":"docker"}}"# + "\n"

    @Test func decodesEveryField() throws {
        let request = try parse(Self.body)
        #expect(request["File"]?.string == "/run/docker/logging/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
        let info = try #require(request["Info"])
        #expect(info["Config"]?.object == [
            "cache-disabled": "false", "max-buffer-size": "4m", "mode": "non-blocking", "tag": "{{.Name}}",
        ])
        #expect(info["ContainerID"]?.string == "7d6ac83a89a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6")
        #expect(info["ContainerName"]?.string == "/testlog")
        #expect(info["ContainerEntrypoint"]?.string == "sh")
        #expect(info["ContainerArgs"]?.array == ["-c", "echo <hi> & bye"])
        #expect(info["ContainerImageID"]?.string == "sha256:ab12…ab12")
        #expect(info["ContainerImageName"]?.string == "busybox")
        #expect(info["ContainerCreated"]?.string == "2024-05-01T12:00:00.123456789Z")
        #expect(info["ContainerEnv"]?.array == ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"])
        #expect(info["ContainerLabels"]?.isNull == true)
        #expect(info["LogPath"]?.string == "")
        #expect(info["DaemonName"]?.string == "docker")
        #expect(info.object?.count == 12)
    }

    @Test func nullArraysAndObjectsAreNullNotMissing() throws {
        let info = try #require(try parse(Self.body)["Info"])
        #expect(info["ContainerLabels"] == .null)
        #expect(info["ContainerLabels"]?.object == nil)
        #expect(info["NoSuchKey"] == nil)
    }

    @Test func matchesKeysCaseInsensitivelyLikeGo() throws {
        let request = try parse(Self.body)
        #expect(request["file"]?.string == request["File"]?.string)
        #expect(request["INFO"]?["daemonname"]?.string == "docker")
    }

    @Test func prefersTheExactKeyOverACaseInsensitiveOne() throws {
        let value = try parse(#"{"file":"lower","File":"exact"}"#)
        #expect(value["File"]?.string == "exact")
        #expect(value["file"]?.string == "lower")
        #expect(value["FILE"]?.string == "exact")
    }

    @Test func decodesTheReadLogsConfig() throws {
        let config = try parse(#"{"Since":"2024-05-01T12:00:00.0000005+02:00","Until":"0001-01-01T00:00:00Z","Tail":-1,"Follow":true}"#)
        #expect(config["Tail"]?.int == -1)
        #expect(config["Follow"]?.bool == true)
        #expect(config["Until"]?.string == "0001-01-01T00:00:00Z")
    }
}
