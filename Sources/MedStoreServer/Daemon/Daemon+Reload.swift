import Foundation
import MedStoreCore
import MedStoreProtocol

extension Daemon {
    /// What `STATUS=` says: account, containers, requests served; nil once the database is closed.
    static func statusLine(service: AccountService, control: ControlServer, blobRequests: UInt64) -> String? {
        guard let counts = try? service.statusCounts() else { return nil }
        let account = counts.accountName.map { "account \($0)" } ?? "no account"
        return "Serving: \(account), \(counts.containers) containers, "
            + "\(control.requestsServed) control and \(blobRequests) blob requests served"
    }

    /// `SIGHUP`: re-reads flags, environment and config file and applies what can change live
    /// (log level, cluster networks, drain timeout, backup retention) without touching connections. A setting that
    /// needs a restart is logged and left as it is; an invalid configuration is logged and
    /// nothing changes. systemd hears `RELOADING=1` before and `READY=1` after either way.
    /// Returns whether the new configuration was valid.
    @discardableResult
    public func reload() -> Bool {
        notifier.reloading()
        defer { notifier.ready(status: Daemon.statusLine(service: service, control: control, blobRequests: blobRequestsServed)) }
        guard let reloadSource else { return true }
        let fresh: DaemonOptions
        do {
            fresh = try reloadSource()
        } catch {
            logger.error("reload refused: configuration invalid; keeping the running one", [("error", error.message)])
            return false
        }
        let old = options
        var changed: [String] = []
        var ignored: [String] = []
        for setting in DaemonSetting.allCases where setting.values(in: old) != setting.values(in: fresh) {
            if setting.isLive { changed.append(setting.key) } else { ignored.append(setting.key) }
        }
        applyLive(fresh)
        if !ignored.isEmpty {
            logger.warning("reload: these settings changed but need a restart", [("settings", ignored.joined(separator: ","))])
        }
        logger.notice("configuration reloaded", [("changed", changed.isEmpty ? "none" : changed.joined(separator: ",")),
                                                 ("log_level", "\(fresh.logLevel)"),
                                                 ("cluster_networks", fresh.clusterNetworks.joined(separator: ",")),
                                                 ("backup_retention_days", "\(fresh.backupRetentionDays)")])
        return true
    }
}
