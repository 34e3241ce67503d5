import MedStoreProtocol

extension AccountInfo {
    /// The account as a key-value block for people.
    var humanText: String {
        var block = KeyValueWriter()
        block.add("name", name)
        block.add("created", createdAt)
        block.add("keys", imported ? "imported" : "generated here")
        block.add("key for tokens", keyForTokens.rawValue)
        block.add("blob endpoint", blobEndpoint)
        block.add("containers", String(containerCount))
        block.add("allowed IP rules", String(allowedIPCount))
        block.add("cluster networks", clusterNetworks.joined(separator: ", "))
        return block.render()
    }
}
