#if !MEDSTORE_LIBFUZZER
import Foundation
import MedStoreFuzzing

/// Without libFuzzer: runs saved inputs through a harness, to reproduce a crash file or check a
/// corpus with the normal build. `medstore-fuzz --target=NAME FILE_OR_DIR...`; exits 1 when an
/// input breaks a promise, 64 on a usage error.
@main
struct ReplayCommand {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let paths = arguments.filter { !$0.hasPrefix("-") }
        guard let target = TargetSelection.target(in: arguments), !paths.isEmpty else {
            FileHandle.standardError.write(Data((TargetSelection.usage + "\n").utf8))
            exit(64)
        }
        var findings = 0
        var count = 0
        for file in paths.flatMap(files(at:)) {
            guard let data = FileManager.default.contents(atPath: file) else {
                FileHandle.standardError.write(Data("medstore-fuzz: cannot read \(file)\n".utf8))
                exit(1)
            }
            count += 1
            do {
                let reached = try target.run(Array(data))
                print("ok \(file) [\(reached.map(\.rawValue).sorted().joined(separator: ","))]")
            } catch {
                findings += 1
                print("FINDING \(file): \(error)")
            }
        }
        print("\(target.rawValue): \(count) input(s), \(findings) finding(s)")
        exit(findings == 0 ? 0 : 1)
    }

    /// The file itself, or a directory's regular files in name order.
    private static func files(at path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return [path] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.sorted().map { "\(path)/\($0)" }
    }
}
#endif
