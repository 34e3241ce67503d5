#if MEDSTORE_LIBFUZZER
// Built by `make fuzz` with `-sanitize=fuzzer` and `-DMEDSTORE_LIBFUZZER`: libFuzzer's entry
// points. Without the flag this file is empty and ReplayCommand.swift is the program.
import Glibc
import MedStoreFuzzing

nonisolated(unsafe) private var selectedTarget: FuzzTarget?

/// Called by libFuzzer once, before any input: reads `--target=NAME`.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
) -> CInt {
    let arguments = (0..<Int(argc.pointee)).compactMap { index in argv.pointee?[index].map { String(cString: $0) } }
    guard let target = TargetSelection.target(in: arguments) else {
        writeToStandardError("medstore-fuzz: no valid --target=NAME\n" + TargetSelection.usage + "\n")
        exit(64)
    }
    selectedTarget = target
    return 0
}

/// Called by libFuzzer for every input. A broken promise aborts, which libFuzzer reports as a
/// crash and saves the input for.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let target = selectedTarget else { return 0 }
    let input = size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    do {
        _ = try target.run(input)
    } catch {
        writeToStandardError("medstore-fuzz: finding: \(error)\n")
        abort()
    }
    return 0
}

@_extern(c, "LLVMFuzzerRunDriver")
func llvmFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// The program's entry. SwiftPM links every executable with `--defsym main=<module>_main`, which
/// takes the place of libFuzzer's own `main`, so this does what that `main` does.
@_cdecl("medstore_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var vector = argv
    return llvmFuzzerRunDriver(&count, &vector, fuzzerTestOneInput)
}

private func writeToStandardError(_ text: String) {
    var bytes = Array(text.utf8)
    _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
}
#endif
