import MedStoreClient
import MedStoreProtocol

/// medctl's top level: parse the command line, connect, run the command, map errors to exit
/// statuses (0 ok, 1 failed operation, 64 usage, 69 unreachable, 76 protocol).
enum MedCtl {
    /// medctl's release version, sent to the daemon at hello.
    static let version = "0.1.0"
    /// EX_USAGE.
    static let usageExitCode: Int32 = 64

    /// Runs medctl with `arguments` (without the program name) and returns the exit status.
    static func main(_ arguments: [String]) async -> Int32 {
        let invocation: Invocation
        do throws(InvocationFailure) {
            invocation = try Invocation.parse(arguments)
        } catch {
            Printer.standardError("medctl: \(error.error.message)\n\n\(HelpFormatter.text(for: error.topic))")
            return usageExitCode
        }
        switch invocation {
        case .help(let topic):
            Printer.standardOutput(HelpFormatter.text(for: topic))
            return 0
        case .run(let command, let options):
            return await run(command, options)
        }
    }

    /// Prepares a validated command, connects, and runs it.
    static func run(_ command: any Command, _ options: GlobalOptions) async -> Int32 {
        var command = command
        do throws(MedStoreError) {
            try command.prepare()
            let client = try await MedStoreClient.connect(socketPath: options.socketPath, clientName: "medctl/\(version)")
            defer { client.close() }
            try await command.run(CommandContext(client: client, printer: Printer(json: options.json)))
            return 0
        } catch {
            Printer.standardError("medctl: \(error.message)")
            return error.code.exitCode
        }
    }
}
