// Unit tests of `medctl audit list|verify` argument handling.
import XCTest
@testable import medctl
import MedStoreProtocol

final class AuditCommandTests: XCTestCase {
    /// 2026-05-28T20:26:40Z.
    let now: Int64 = 1_780_000_000

    func testSinceTakesDurationsAgoAndPassesTimesThrough() throws {
        XCTAssertEqual(try SinceArgument.resolve("-2h", now: now), "2026-05-28T18:26:40Z")
        XCTAssertEqual(try SinceArgument.resolve("2h", now: now), "2026-05-28T18:26:40Z")
        XCTAssertEqual(try SinceArgument.resolve("-1d30m", now: now), "2026-05-27T19:56:40Z")
        XCTAssertEqual(try SinceArgument.resolve("2026-12-01T10:00:00+01:00", now: now), "2026-12-01T10:00:00+01:00")
        XCTAssertEqual(try SinceArgument.resolve("2026-12-01", now: now), "2026-12-01")
        for bad in ["-2x", "-2", "90", "-0s"] {
            XCTAssertThrowsError(try SinceArgument.resolve(bad, now: now), "accepted \(bad)")
        }
    }

    func testListOptions() throws {
        guard case .run(let command, let options) = try Invocation.parse(
            ["audit", "list", "--since=2026-12-01", "--caller", "alice", "--method", "token.blob", "--limit", "5", "--json"]) else {
            return XCTFail("not a run")
        }
        let list = try XCTUnwrap(command as? AuditListCommand)
        XCTAssertEqual(list.params, AuditList.Params(since: "2026-12-01", caller: "alice", method: "token.blob"))
        XCTAssertEqual(list.limit, 5)
        XCTAssertTrue(options.json)
        guard case .run(let all, _) = try Invocation.parse(["audit", "list"]) else { return XCTFail("not a run") }
        XCTAssertNil((all as? AuditListCommand)?.limit)
        XCTAssertEqual((all as? AuditListCommand)?.params, AuditList.Params())
    }

    func testRelativeSinceNeedsNoEqualsSign() throws {
        guard case .run(let command, _) = try Invocation.parse(["audit", "list", "--since", "-2h"]) else { return XCTFail("not a run") }
        let since = try XCTUnwrap((command as? AuditListCommand)?.params.since)
        XCTAssertTrue(since.hasPrefix("20") && since.hasSuffix("Z"), "resolved to an absolute time: \(since)")
    }

    func testListUsageErrors() {
        for words in [["audit", "list", "--limit", "0"], ["audit", "list", "--limit", "x"], ["audit", "list", "--since", "-x"],
                      ["audit", "list", "--since=-2y"], ["audit", "verify", "extra"], ["audit"]] {
            XCTAssertThrowsError(try Invocation.parse(words), "accepted \(words)")
        }
    }

    func testVerifyTexts() {
        let good = AuditVerify.Result(ok: true, recordsChecked: 9, lastSeq: 9, headSeq: 9)
        XCTAssertEqual(good.humanText, "Audit chain intact: 9 records, seq 1–9; it reaches the daemon's head (seq 9).")
        let bad = AuditVerify.Result(ok: false, recordsChecked: 4, lastSeq: 3, headSeq: 9, firstBadSeq: 4, reason: "edited")
        XCTAssertEqual(bad.humanText, "Audit chain broken at seq 4: edited (4 records checked).")
    }
}
