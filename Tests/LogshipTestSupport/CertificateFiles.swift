import Glibc

/// A directory of certificate and key files for one test, standing in for the plugin's
/// `certs` mount: a certificate, its key, an unrelated key, an encrypted key, a file
/// that is not PEM, and a subdirectory. Removed when the object goes.
public final class CertificateFiles {
    public let directory: String

    public init() {
        var template = Array("/tmp/logship-certs-XXXXXX".utf8CString)
        directory = String(cString: mkdtemp(&template)!)
        for (name, text) in Self.files {
            let file = fopen("\(directory)/\(name)", "w")!
            fputs(text, file)
            fclose(file)
        }
        mkdir("\(directory)/subdir", 0o755)
    }

    deinit {
        for (name, _) in Self.files { unlink("\(directory)/\(name)") }
        rmdir("\(directory)/subdir")
        rmdir(directory)
    }

    private static let files = [("cert.pem", certificatePEM), ("key.pem", keyPEM), ("other-key.pem", otherKeyPEM),
                                ("encrypted-key.pem", encryptedKeyPEM), ("garbage.pem", "not a certificate\n")]
}

let certificatePEM = """
-----BEGIN CERTIFICATE-----
MIIBojCCAUegAwIBAgIUEkeWjF5Ki7/iVkhPacObw+oyfqUwCgYIKoZIzj0EAwIw
GjEYMBYGA1UEAwwPbG9nc2hpcCBmaXh0dXJlMCAXDTI2MTEyNjE4MzM1OFoYDzIx
MjYxMTAyMTgzMzU4WjAaMRgwFgYDVQQDDA9sb2dzaGlwIGZpeHR1cmUwWTATBgcq
hkjOPQIBBggqhkjOPQMBBwNCAARnZnM5R1v2anpqCw98eYja9vshSgS0BZvQa4OE
oHMbKwG/p78rwCX5WHHTbE0OcbrA68XY8OVD4SvBTUg9i68Oo2kwZzAdBgNVHQ4E
FgQU+VrnzuwzOAu1CTB2i2YuLMEVQFUwHwYDVR0jBBgwFoAU+VrnzuwzOAu1CTB2
i2YuLMEVQFUwDwYDVR0TAQH/BAUwAwEB/zAUBgNVHREEDTALgglsb2NhbGhvc3Qw
CgYIKoZIzj0EAwIDSQAwRgIhAOZ+HHvvKcNtAkwGk+vuWFZLY5kK/jsSPsQDMHTa
V3ilAiEAyATFbV/OLjkaTyL6h/iFlsapzKsIfmMu0KbuXEevmmY=
-----END CERTIFICATE-----

"""

let keyPEM = """
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg5S93urKeSoi4qMkU
a2FlMyKgd0IJZ9ovh5o+YBPO5cehRANCAARnZnM5R1v2anpqCw98eYja9vshSgS0
BZvQa4OEoHMbKwG/p78rwCX5WHHTbE0OcbrA68XY8OVD4SvBTUg9i68O
-----END PRIVATE KEY-----

"""

let otherKeyPEM = """
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg+FjIvFQCstWzFGV9
vaX36wxeylf0Gu+9Rz/o/RVBRsmhRANCAASRttS1xpTOsddh+W7epdcRaRRzC1eF
BHUZDIS3W8KKpmFDGSmbP8XFxDLTvVNRLZYxbnV0o6rcMXKLsoD9Vp6m
-----END PRIVATE KEY-----

"""

/// The first key, encrypted with AES-256 (passphrase "secret").
let encryptedKeyPEM = """
-----BEGIN ENCRYPTED PRIVATE KEY-----
MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAiNZ34l+9GW1QICCAAw
DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEBfcypxPZD2+waGYAIBIFWoEgZAE
hedLaxxqWJ2Syb/DXVZKM+VWkCJ4TZJq5HlwXmEGmqKQZYAxMXN4jWpUsn2LX9d7
K5X+KGCUbN+IoH9Co0F5yIIWfu/nXJvPmMuMIyx3WLjDU5ZlHuREGWJq6aOqcGvT
EBeBKqCKeLIvD9RDgQp8yZkcW/UfNO7CzQ0gDHc/BWnke+5PiLfsCAqM347j8SE=
-----END ENCRYPTED PRIVATE KEY-----

"""
