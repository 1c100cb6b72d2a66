import Testing
@testable import LogshipConfig

private func attributes(_ options: [String: String], info: ContainerInfo = sampleInfo) throws -> [String] {
    var info = info
    info.config = options.merging(["syslog-address": "udp://h"]) { a, _ in a }
    return try OptionResolver(environment: [:], hostname: "vm").resolve(info).context.attributes.map { "\($0.key)=\($0.value)" }
}

@Suite struct ExtraAttributesTests {
    @Test func labelsByName() throws {
        #expect(try attributes(["labels": "app,missing"]) == ["app=shop"])
        // Names are not trimmed, as in Docker.
        #expect(try attributes(["labels": "app, com.example.team"]) == ["app=shop"])
    }

    @Test func labelsByUnanchoredRegex() throws {
        #expect(try attributes(["labels-regex": "example"]) == ["com.example.team=core"])
        #expect(try attributes(["labels-regex": "^a"]) == ["app=shop"])
    }

    @Test func envByNameAndRegex() throws {
        #expect(try attributes(["env": "APP_MODE,NOVALUE,EMPTY"]) == ["APP_MODE=prod", "EMPTY="])
        #expect(try attributes(["env-regex": "^APP_"]) == ["APP_MODE=prod"])
    }

    @Test func everythingTogetherSortedByKey() throws {
        #expect(try attributes(["labels": "app", "env": "PATH", "labels-regex": "team"]) == ["PATH=/bin", "app=shop", "com.example.team=core"])
    }

    @Test func envIsSkippedWhenTheContainerHasNone() throws {
        var info = sampleInfo
        info.containerEnv = []
        #expect(try attributes(["env-regex": "."], info: info) == [])
    }
}
