import MedStoreProtocol

extension ContainerInfo {
    /// The container as a key-value block for people.
    var humanText: String {
        var block = KeyValueWriter()
        block.add("name", name)
        block.add("created", createdAt)
        return block.render()
    }
}

/// The NAME argument shared by the container commands.
enum ContainerArgument {
    /// Help for the container name.
    static let name = PositionalSpec("NAME", "container name: 3-63 lowercase letters, digits and single hyphens")
}
