import Foundation
import Testing
@testable import MedStoreProtocol

/// The spec in `Protocol/medstore-v1.md` lists every error code and method the code has, with the
/// same HTTP status, Azure code and exit code.
@Suite("Spec consistency")
struct SpecConsistencyTests {
    static func spec() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent("Protocol/medstore-v1.md"), encoding: .utf8)
    }

    @Test func everyErrorCodeIsInTheSpecTableWithItsMappings() throws {
        let rows = try Self.spec().split(separator: "\n").filter { $0.hasPrefix("| `") }
        for code in ErrorCode.allCases {
            guard let row = rows.first(where: { $0.hasPrefix("| `\(code.rawValue)` |") }) else {
                Issue.record("error code \(code.rawValue) is missing from the spec")
                continue
            }
            let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            let general = code.generalCode == code ? "—" : "`\(code.generalCode.rawValue)`"
            #expect(cells[1] == general, "\(code.rawValue) general code")
            #expect(cells[3].hasPrefix("\(code.httpStatus)"), "\(code.rawValue) status: \(cells[3])")
            if code != .notModified {
                #expect(cells[3].contains("`\(code.azureErrorCode)`"), "\(code.rawValue) Azure code: \(cells[3])")
            }
            #expect(cells[4] == "\(code.exitCode)", "\(code.rawValue) exit code")
        }
    }

    @Test func everyMethodHasASection() throws {
        let spec = try Self.spec()
        for name in MethodRegistry.names where name != Hello.name {
            #expect(spec.contains("### `\(name)`") || spec.contains("`\(name)`,") || spec.contains(", `\(name)`"),
                    "method \(name) has no section in the spec")
        }
    }
}
