import MedStoreProtocol

extension IssuedToken {
    /// The token, its URL, its limits, the signing key and its registry id, for people; ends
    /// with a reminder that the daemon keeps no copy.
    var humanText: String {
        var block = KeyValueWriter()
        block.add("token", token)
        block.add("url", url)
        block.add("resource", resource)
        block.add("permissions", permissions)
        block.add("start", ifPresent: start)
        block.add("expiry", expiry)
        block.add("signed with", "\(signedWith.rawValue) key")
        block.add("version", version)
        block.add("id", ifPresent: id.map(String.init))
        block.add("fingerprint", ifPresent: fingerprint.map { String($0.prefix(16)) })
        let revoke = id.map { " `medctl token revoke \($0)` revokes it." } ?? ""
        return block.render() + "\n\nThe token is shown once and not stored by medstored; if it is lost, issue a new one.\(revoke)"
    }
}
