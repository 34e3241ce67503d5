/// Byte counts for people: `0 B`, `512 B`, `1.5 KiB`, `3.2 GiB`. Pure.
enum ByteCount {
    /// Formats `bytes` with binary units and one decimal above 1 KiB.
    static func format(_ bytes: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }
}
