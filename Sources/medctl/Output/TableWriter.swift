/// Renders rows as aligned columns separated by two spaces; each column is as wide as its
/// widest cell. The last column is not padded, so lines carry no trailing spaces. Pure.
///
/// ```
/// NAME     CREATED
/// scans    2026-01-02T03:04:05Z
/// reports  2026-01-02T03:05:00Z
/// ```
struct TableWriter: Sendable {
    /// Column titles, printed first when present.
    var header: [String]?
    /// Rows of cells; short rows are padded with empty cells.
    private(set) var rows: [[String]] = []
    /// Spaces in front of every line.
    var indent: Int = 0

    /// A table with `header` (nil for none).
    init(header: [String]? = nil, indent: Int = 0) {
        self.header = header
        self.indent = indent
    }

    /// Appends a row.
    mutating func add(_ row: [String]) {
        rows.append(row)
    }

    /// The table as lines joined by newlines (no final newline); empty when there is nothing.
    func render() -> String {
        let all = ((header.map { [$0] } ?? []) + rows).map { $0.map(TerminalText.clean) }
        let columnCount = all.map(\.count).max() ?? 0
        guard columnCount > 0 else { return "" }
        var widths = [Int](repeating: 0, count: columnCount)
        for row in all {
            for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.count) }
        }
        let margin = String(repeating: " ", count: indent)
        return all.map { row in
            var line = margin
            for column in 0..<columnCount {
                let cell = column < row.count ? row[column] : ""
                if column == columnCount - 1 {
                    line += cell
                } else {
                    line += cell + String(repeating: " ", count: widths[column] - cell.count + 2)
                }
            }
            return String(line.reversed().drop { $0 == " " }.reversed())
        }.joined(separator: "\n")
    }
}
