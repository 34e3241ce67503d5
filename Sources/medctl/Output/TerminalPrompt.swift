import Glibc

/// Asks a person on a terminal to confirm. Only when both stdin and stderr are terminals:
/// scripts never block on a question they cannot see.
enum TerminalPrompt {
    /// Whether a person can be asked (stdin and stderr are terminals).
    static var isInteractive: Bool { isatty(STDIN_FILENO) == 1 && isatty(STDERR_FILENO) == 1 }

    /// Writes `question` to stderr and reads one line; true only for `yes`. False without a
    /// terminal, at end of input, or for any other answer.
    static func confirm(_ question: String) -> Bool {
        guard isInteractive else { return false }
        Printer.standardError(question + " Type yes to continue:")
        guard let answer = readLine(strippingNewline: true) else { return false }
        return answer.trimmingCharacters(in: [" ", "\t", "\r"]) == "yes"
    }
}
