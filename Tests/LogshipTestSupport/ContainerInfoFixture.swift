import LogshipConfig

/// A container as StartLogging describes it, with `options` as its --log-opt values.
public func containerInfo(_ options: [String: String]) -> ContainerInfo {
    ContainerInfo(config: options, containerID: String(repeating: "c0ffee", count: 10) + "abcd", containerName: "/app",
                  containerImageID: "sha256:" + String(repeating: "1", count: 64), containerImageName: "busybox")
}
