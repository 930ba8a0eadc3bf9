/** A plain text table: a header, a rule of dashes, rows; columns right-aligned unless told. */

export interface TableOptions {
  /** Columns (indices) aligned left (none). */
  left?: readonly number[];
  /** A line of dashes under the header (true). */
  rule?: boolean;
  /** Between columns (two spaces). */
  gap?: string;
}

/** Rows of cells as lines of a table; an empty row stays a blank line; no line ends in spaces. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], opts: TableOptions = {}): string {
  const { left = [], rule = true, gap = '  ' } = opts;
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (left.includes(i) ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number)))
      .join(gap)
      .trimEnd();
  return [line(header), ...(rule ? [line(widths.map((w) => '-'.repeat(w)))] : []), ...rows.map(line)].join('\n');
}
