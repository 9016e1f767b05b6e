// Aligned plain-text tables for what commands print: columns two spaces apart, each as wide as its
// widest cell, left-aligned unless the caller asks for right; a line has no trailing blanks.

export interface TextTable {
  /** The width of each column: its widest cell among the rows the table was made from. */
  readonly widths: readonly number[];
  /** One row as a line, ending in a newline. */
  line(cells: readonly string[]): string;
}

/** A table sized for `rows` (the header among them); `right(c)` right-aligns column c. */
export function textTable(rows: readonly (readonly string[])[], right: (column: number) => boolean = () => false): TextTable {
  const columns = Math.max(0, ...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, c) => Math.max(0, ...rows.map((r) => r[c]?.length ?? 0)));
  return {
    widths,
    line: (cells) =>
      cells
        .map((cell, c) => (right(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
        .join('  ')
        .trimEnd() + '\n',
  };
}
