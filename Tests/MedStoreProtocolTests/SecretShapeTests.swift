import Foundation
import Testing
@testable import MedStoreProtocol

@Suite("Secret-shaped text is removed from messages")
struct SecretShapeTests {
    let key = Data((0..<64).map { UInt8($0 * 7 % 256) })

    @Test func keysInEveryTextFormAreRemoved() {
        let forms = [key.base64EncodedString(), String(key.base64EncodedString().dropLast(2)),
                     key.map { String(format: "%02x", $0) }.joined(), key.map { String(format: "%02X", $0) }.joined(),
                     key.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")]
        for form in forms {
            let message = "key must be primary or secondary, got '\(form)'"
            let redacted = SecretShape.redact(message)
            #expect(!redacted.contains(form), "\(form)")
            #expect(redacted.hasPrefix("key must be primary or secondary, got '[") && redacted.hasSuffix(" characters removed]'"))
            #expect(!redacted.contains(String(form.prefix(40))))
        }
    }

    @Test func namesFingerprintsAndOrdinaryTextStay() {
        let ordinary = [
            "container 'patient-records-2026-archive-of-the-oncology-ward-0123456' already exists",  // 63 chars
            "the specified blob does not exist",
            "token fingerprint 0123456789abcdef was revoked",
            "ETag \"0x8DE1A2B3C4D5E6F\" does not match",
            "restore time 2026-12-01T10:15:00Z is before the retained window",
            String(repeating: "short words ", count: 20),
            "/tmp/pytest-of-root/pytest-65/test_notify_and_sighup_reload_0/medstored.conf:1: unknown key",
            "/home/Alice/Documents/Project2024/Data/Reports2025/Q1/medstored.conf",
            "path=/var/lib/medstore/blobs/ab/cd/abcdef0123456789abcdef0123456789",
        ]
        for text in ordinary { #expect(SecretShape.redact(text) == text) }
    }

    @Test func errorsKeepTheirCode() {
        let error = MedStoreError(.invalidArgument, "bad value '\(key.base64EncodedString())'")
        let redacted = SecretShape.redact(error)
        #expect(redacted.code == .invalidArgument && !redacted.message.contains(key.base64EncodedString()))
        let plain = MedStoreError(.containerNotFound, "container 'x' does not exist")
        #expect(SecretShape.redact(plain) == plain)
    }
}
