// Unit tests of medctl's pure parsing and formatting logic.
import XCTest
@testable import medctl
import MedStoreProtocol

final class DurationParserTests: XCTestCase {
    func testAcceptedForms() throws {
        XCTAssertEqual(try DurationParser.seconds("90s"), 90)
        XCTAssertEqual(try DurationParser.seconds("15m"), 900)
        XCTAssertEqual(try DurationParser.seconds("1h"), 3600)
        XCTAssertEqual(try DurationParser.seconds("7d"), 604_800)
        XCTAssertEqual(try DurationParser.seconds("1h30m"), 5400)
        XCTAssertEqual(try DurationParser.seconds("1d12h"), 129_600)
        XCTAssertEqual(try DurationParser.seconds("1d2h3m4s"), 93_784)
        XCTAssertEqual(try DurationParser.seconds("365d"), 31_536_000)
        XCTAssertEqual(try DurationParser.seconds("8760h"), 31_536_000)
    }

    func testRefusedForms() {
        for text in ["", "0s", "0d0h", "90", "1h30", "h", "1x", "30m1h", "1h1h", "366d", "365d1s", "1H", " 1h", "1h ",
                     "-1h", "+1h", "1.5h", "99999999999999999999999s", "18446744073709551615d", "١h"] {
            XCTAssertThrowsError(try DurationParser.seconds(text), "accepted '\(text)'")
        }
    }

    func testHumanDurationRoundTrips() throws {
        XCTAssertEqual(HumanDuration.format(0), "0s")
        XCTAssertEqual(HumanDuration.format(192), "3m12s")
        XCTAssertEqual(HumanDuration.format(3612), "1h12s")
        for seconds: UInt64 in [1, 59, 60, 61, 3599, 3600, 86_399, 86_400, 93_784, 31_536_000] {
            XCTAssertEqual(try DurationParser.seconds(HumanDuration.format(seconds)), seconds)
        }
    }
}

final class ArgumentScannerTests: XCTestCase {
    let scanner = ArgumentScanner(options: [.value("--name", "N", ""), .flag("--force", ""), .value("--file", "F", "")])

    func testForms() throws {
        let parsed = try scanner.scan(["a", "--name", "x", "--force", "--file=-", "b", "--", "--name", "-h"])
        XCTAssertEqual(parsed.positionals, ["a", "b", "--name", "-h"])
        XCTAssertEqual(try parsed.value("--name"), "x")
        XCTAssertEqual(try parsed.value("--file"), "-")
        XCTAssertTrue(parsed.flag("--force"))
        XCTAssertFalse(parsed.helpRequested)
    }

    func testLoneDashIsAValue() throws {
        XCTAssertEqual(try scanner.scan(["--file", "-"]).value("--file"), "-")
        XCTAssertEqual(try scanner.scan(["-"]).positionals, ["-"])
    }

    func testEqualsKeepsEverythingAfterFirstEquals() throws {
        XCTAssertEqual(try scanner.scan(["--name=a=b"]).value("--name"), "a=b")
        XCTAssertEqual(try scanner.scan(["--name="]).value("--name"), "")
        XCTAssertEqual(try scanner.scan(["--name=-x"]).value("--name"), "-x")
    }

    func testHelpAnywhereBeforeSeparator() throws {
        XCTAssertTrue(try scanner.scan(["a", "-h"]).helpRequested)
        XCTAssertTrue(try scanner.scan(["--help", "--name", "x"]).helpRequested)
        XCTAssertFalse(try scanner.scan(["--", "--help"]).helpRequested)
    }

    func testUsageErrors() {
        XCTAssertThrowsError(try scanner.scan(["--nope"]))
        XCTAssertThrowsError(try scanner.scan(["-x"]))
        XCTAssertThrowsError(try scanner.scan(["--name"]))             // missing value
        XCTAssertThrowsError(try scanner.scan(["--name", "--force"]))  // value looks like an option
        XCTAssertThrowsError(try scanner.scan(["--force=yes"]))        // flag with value
        XCTAssertThrowsError(try scanner.scan(["--name", "a", "--name", "b"]).value("--name")) // twice
    }
}

final class InvocationTests: XCTestCase {
    func command(_ words: [String]) throws -> (any Command, GlobalOptions) {
        guard case .run(let command, let options) = try Invocation.parse(words) else {
            XCTFail("not a run: \(words)")
            throw UsageError("")
        }
        return (command, options)
    }

    func failure(_ words: [String]) -> InvocationFailure? {
        do { _ = try Invocation.parse(words); return nil } catch { return error }
    }

    func testGlobalsBeforeAndAfter() throws {
        let (_, before) = try command(["--socket", "/s", "--json", "status"])
        let (_, after) = try command(["status", "--socket=/s", "--json"])
        let (_, between) = try command(["container", "--json", "list", "--socket", "/s"])
        XCTAssertEqual(before, after)
        XCTAssertEqual(before, between)
        XCTAssertEqual(before.socketPath, "/s")
        XCTAssertTrue(before.json)
    }

    func testBackupRestoreTakesRelativeTimesThatStartWithADash() throws {
        let (relative, _) = try command(["backup", "restore", "records", "--to", "-2h", "--into", "records-copy"])
        let restore = try XCTUnwrap(relative as? BackupRestoreCommand)
        XCTAssertEqual(restore.container, "records")
        XCTAssertEqual(restore.time, "-2h")
        XCTAssertEqual(restore.into, "records-copy")
        let (absolute, _) = try command(["backup", "restore", "records", "--to", "2026-12-01T10:15:00Z"])
        XCTAssertEqual((absolute as? BackupRestoreCommand)?.time, "2026-12-01T10:15:00Z")
        XCTAssertNil((absolute as? BackupRestoreCommand)?.into)
        XCTAssertNotNil(failure(["backup", "restore", "records"]), "--to is required")
        XCTAssertNotNil(failure(["backup", "restore", "records", "--to", "--json"]), "an option is not a value")
        XCTAssertNotNil(failure(["backup", "restore", "records", "--to", "-x"]), "-x is written like an option")
    }

    func testTokenOptions() throws {
        let (command, _) = try command(["token", "container", "scans", "--permissions", "rl", "--ttl", "1h30m", "--https-only",
                                        "--ip", "10.0.0.1-10.0.0.9"])
        let token = try XCTUnwrap(command as? TokenContainerCommand)
        XCTAssertEqual(token.container, "scans")
        XCTAssertEqual(token.token.tokenOptions,
                       .init(permissions: "rl", ttlSeconds: 5400, ip: "10.0.0.1-10.0.0.9", httpsOnly: true))
        let (blob, _) = try self.command(["token", "blob", "c", "--expiry", "2030-01-01", "--permissions", "r", "--", "-odd name"])
        XCTAssertEqual((blob as? TokenBlobCommand)?.blob, "-odd name")
        XCTAssertNil((blob as? TokenBlobCommand)?.token.tokenOptions.httpsOnly)
    }

    func testTokenRegistryCommands() throws {
        let (list, _) = try command(["token", "list", "--active", "--container", "ward-a"])
        let listing = try XCTUnwrap(list as? TokenListCommand)
        XCTAssertTrue(listing.activeOnly)
        XCTAssertEqual(listing.container, "ward-a")
        XCTAssertEqual((try command(["token", "revoke", "12"]).0 as? TokenRevokeCommand)?.params, .init(id: 12))
        XCTAssertEqual((try command(["token", "revoke", "--all-for-key", "secondary"]).0 as? TokenRevokeCommand)?.params,
                       .init(allForKey: .secondary))
        XCTAssertEqual((try command(["token", "revoke", "--container", "lab-b"]).0 as? TokenRevokeCommand)?.params,
                       .init(container: "lab-b"))
        let regenerate = try XCTUnwrap(try command(["keys", "regenerate", "primary", "--force", "--yes"]).0 as? KeysRegenerateCommand)
        XCTAssertTrue(regenerate.force && regenerate.yes && !regenerate.dryRun)
        XCTAssertTrue((try command(["keys", "regenerate", "secondary", "--dry-run"]).0 as? KeysRegenerateCommand)?.dryRun == true)
    }

    func testTokenImpactSummary() {
        XCTAssertEqual(TokenImpact(tokens: 0, callers: []).summaryText, "no unexpired tokens")
        XCTAssertEqual(TokenImpact(tokens: 1, callers: [.init(caller: "uid 0 (root)", uid: 0, tokens: 1)]).summaryText,
                       "1 unexpired token: uid 0 (root) ×1")
        let many = (0..<12).map { CallerTokenCount(caller: "uid \($0)", uid: UInt32($0), tokens: 2) }
        XCTAssertEqual(TokenImpact(tokens: 24, callers: many).summaryText,
                       "24 unexpired tokens: " + (0..<10).map { "uid \($0) ×2" }.joined(separator: ", ") + ", and 2 more callers")
    }

    func testUsageErrorsAreFoundBeforeConnecting() {
        for words in [[], ["account"], ["bogus"], ["account", "bogus"], ["status", "extra"], ["account", "delete"],
                      ["token", "container", "c", "--permissions", "r"],
                      ["token", "container", "c", "--permissions", "r", "--ttl", "1h", "--expiry", "2030-01-01"],
                      ["token", "container", "c", "--permissions", "", "--ttl", "1h"],
                      ["token", "container", "c", "--ttl", "1h"],
                      ["token", "container", "c", "--permissions", "r", "--ttl", "0s"],
                      ["token", "blob", "c", "--permissions", "r", "--ttl", "1h"],
                      ["keys", "regenerate"], ["keys", "regenerate", "third"], ["keys", "switch", "third"],
                      ["token", "revoke"], ["token", "revoke", "0"], ["token", "revoke", "x1"], ["token", "revoke", "1", "2"],
                      ["token", "revoke", "1", "--container", "c"], ["token", "revoke", "--all-for-key", "both"],
                      ["token", "revoke", "--all-for-key", "primary", "--container", "c"], ["token", "list", "extra"],
                      ["account", "import", "--name", "a", "--primary-key-file", "-", "--secondary-key-file", "-"],
                      ["account", "import", "--name", "a", "--primary-key-file", "f"],
                      ["--name", "x", "account", "create"], ["status", "--socket="], ["status", "--json=1"]] {
            XCTAssertNotNil(failure(words), "accepted \(words)")
        }
    }

    func testHelp() throws {
        for words in [["help"], ["-h"], ["--help"], ["help", "account", "create"], ["account", "create", "-h"],
                      ["token", "container", "--help"], ["account", "--help"], ["--json", "status", "--help"],
                      ["account", "bogus", "--help"]] {
            guard case .help = try Invocation.parse(words) else { return XCTFail("no help for \(words)") }
        }
        XCTAssertNotNil(failure(["help", "bogus"]))
    }

    func testEveryCommandHasHelpForEveryOption() {
        for type in CommandTree.root.commands {
            let help = HelpFormatter.command(type.spec)
            for option in type.spec.options { XCTAssertTrue(help.contains(option.name), "\(type.spec.commandName) \(option.name)") }
            XCTAssertFalse(type.spec.summary.isEmpty)
        }
    }
}

final class WriterTests: XCTestCase {
    func testTableAlignsAndHasNoTrailingSpaces() {
        var table = TableWriter(header: ["NAME", "CREATED"])
        table.add(["a", "x"])
        table.add(["longer-name", ""])
        XCTAssertEqual(table.render(), "NAME         CREATED\na            x\nlonger-name")
    }

    func testKeyValueAligns() {
        var block = KeyValueWriter()
        block.add("id", "1")
        block.add("network", "10.0.0.0/8")
        block.add("note", ifPresent: nil)
        XCTAssertEqual(block.render(), "id:       1\nnetwork:  10.0.0.0/8")
    }

    func testControlCharactersAreEscaped() {
        XCTAssertEqual(TerminalText.clean("a\u{1b}[31mb\nc"), "a\\u{1b}[31mb\\nc")
    }
}
