import Foundation
import MedStoreFuzzing
import Testing

/// Every committed fuzz input, seeds (`Tests/Fuzz/corpus/<target>/`) and found crashes
/// (`Tests/Fuzz/regressions/<target>/`), through the same harness functions libFuzzer runs: a
/// crash file dropped into a regressions folder is a test from then on.
@Suite("Fuzz corpus and regressions")
struct FuzzCorpusTests {
    static let fuzzDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz")

    /// How deep the seeds of each target must get, so a harness (or a parser) that starts
    /// refusing everything fails here rather than fuzzing nothing.
    static let requiredDepth: [FuzzTarget: Set<FuzzMilestone>] = [
        .frame: [.frameDecoded, .cborDecoded, .requestEnvelopeDecoded, .responseEnvelopeDecoded, .methodTypeDecoded],
        .payload: [.cborDecoded, .requestEnvelopeDecoded, .responseEnvelopeDecoded, .methodTypeDecoded],
        .sas: [.sasParsed, .sasAuthenticated, .sasAuthenticatedAfterResigning],
        .http: [.httpRequestParsed, .httpBodyRead],
    ]

    /// The files of `Tests/Fuzz/<kind>/<target>/` (none when the folder does not exist).
    static func inputs(_ kind: String, _ target: FuzzTarget) throws -> [(name: String, bytes: [UInt8])] {
        let directory = fuzzDirectory.appendingPathComponent(kind).appendingPathComponent(target.rawValue)
        guard FileManager.default.fileExists(atPath: directory.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
            .filter { !$0.hasPrefix(".") }
            .map { name in (name, Array(try Data(contentsOf: directory.appendingPathComponent(name)))) }
    }

    @Test("seed corpus keeps every promise and reaches deep", arguments: FuzzTarget.allCases)
    func corpus(_ target: FuzzTarget) throws {
        let files = try Self.inputs("corpus", target)
        #expect(files.count >= 5, "Tests/Fuzz/corpus/\(target.rawValue) should hold the seeds (python3 Tests/Fuzz/make-seeds.py)")
        var reached = Set<FuzzMilestone>()
        for file in files {
            do {
                reached.formUnion(try target.run(file.bytes))
            } catch {
                Issue.record("corpus/\(target.rawValue)/\(file.name): \(error)")
            }
        }
        let missing = Self.requiredDepth[target, default: []].subtracting(reached)
        #expect(missing.isEmpty, "no seed of \(target.rawValue) reached \(missing.map(\.rawValue).sorted())")
    }

    @Test("found crashes stay fixed", arguments: FuzzTarget.allCases)
    func regressions(_ target: FuzzTarget) throws {
        for file in try Self.inputs("regressions", target) {
            do {
                _ = try target.run(file.bytes)
            } catch {
                Issue.record("regressions/\(target.rawValue)/\(file.name): \(error)")
            }
        }
    }
}
