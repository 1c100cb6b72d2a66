import Testing
@testable import LogshipConfig

let sampleInfo = ContainerInfo(
    config: [:],
    containerID: "7d6ac83a89a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6",
    containerName: "/testlog",
    containerEntrypoint: "sh",
    containerArgs: ["-c", "echo <hi> & bye"],
    containerImageID: "sha256:ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12",
    containerImageName: "busybox",
    containerCreated: "2024-05-01T12:00:00.123456789Z",
    containerEnv: ["PATH=/bin", "APP_MODE=prod", "NOVALUE", "EMPTY="],
    containerLabels: ["com.example.team": "core", "app": "shop"])

private func render(_ template: String, _ info: ContainerInfo = sampleInfo) throws -> String {
    try TagTemplate(template).render(info, hostname: "vm")
}

@Suite struct TagTemplateTests {
    @Test func dockerDocumentedFields() throws {
        #expect(try render("{{.ID}}") == "7d6ac83a89a0")
        #expect(try render("{{.FullID}}") == sampleInfo.containerID)
        #expect(try render("{{.Name}}") == "testlog")
        #expect(try render("{{.ImageID}}") == "ab12cd34ef56")
        #expect(try render("{{.ImageFullID}}") == sampleInfo.containerImageID)
        #expect(try render("{{.ImageName}}") == "busybox")
        #expect(try render("{{.DaemonName}}") == "docker")
        #expect(try render("{{.Command}}") == "sh -c echo <hi> & bye")
        #expect(try render("{{.Hostname}}") == "vm")
    }

    @Test func textAroundActionsAndDockersFamousExample() throws {
        #expect(try render("{{.ImageName}}/{{.Name}}/{{.ID}}") == "busybox/testlog/7d6ac83a89a0")
        #expect(try render("docker.{{ .Name }}.log") == "docker.testlog.log")
        #expect(try render("plain") == "plain")
    }

    @Test func labelLookups() throws {
        #expect(try render("{{index .ContainerLabels \"com.example.team\"}}") == "core")
        #expect(try render("{{.ContainerLabels.app}}") == "shop")
        #expect(try render("{{index .ContainerLabels \"missing\"}}") == "")
    }

    @Test func functionsAndPipelines() throws {
        #expect(try render("{{.Name | upper}}") == "TESTLOG")
        #expect(try render("{{upper .Name}}") == "TESTLOG")
        #expect(try render("{{truncate .FullID 4}}") == "7d6a")
        #expect(try render("{{join (split .ImageName \"b\") \"-\"}}") == "-usy-ox")
        #expect(try render("{{pad .Name 1 2}}|") == " testlog  |")
        #expect(try render("{{title \"hello world\"}}") == "Hello World")
        #expect(try render("{{json .ContainerArgs}}") == "[\"-c\",\"echo <hi> & bye\"]")
        #expect(try render("{{len .ContainerArgs}}") == "2")
        #expect(try render("{{.ContainerArgs}}") == "[-c echo <hi> & bye]")
        #expect(try render("{{.ContainerCreated}}") == "2024-05-01 12:00:00.123456789 +0000 UTC")
    }

    @Test func trimMarkersAndComments() throws {
        #expect(try render("a  {{- .Name -}}  b") == "atestlogb")
        #expect(try render("x{{/* a comment */}}y") == "xy")
    }

    @Test func unsupportedThingsAreClearErrors() {
        #expect(throws: TemplateError.self) { try render("{{if .Name}}x{{end}}") }
        #expect(throws: TemplateError.self) { try render("{{$x := 1}}") }
        #expect(throws: TemplateError.self) { try render("{{.Nope}}") }
        #expect(throws: TemplateError.self) { try render("{{printf \"%s\" .Name}}") }
        #expect(throws: TemplateError.self) { try render("{{.Name") }
        #expect(throws: TemplateError.self) { try render("{{\"unterminated}}") }
        #expect(throws: TemplateError.self) { try render("{{.}}") }
        #expect(throws: TemplateError.self) { try render("{{.Name .ID}}") }
        #expect(throws: TemplateError.self) { try render("{{upper}}") }
        do {
            _ = try render("{{.Nmae}}")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains(".Nmae"))
        }
    }
}
