/**
 * A table of the page's cards: scrolls sideways on a narrow screen, a header row, a body of rows
 * or, when there are none, one row across every column saying why.
 */
import type { ComponentChildren } from 'preact';

export interface TableProps {
  /** The table's classes (the page's tables are `links …`). */
  class: string;
  id?: string;
  heads: string[];
  bodyId: string;
  /** The rows; when empty, the `empty` text is shown in their place. */
  rows: ComponentChildren[];
  empty: ComponentChildren;
  /** A class for the empty row itself. */
  emptyRowClass?: string;
}

export function Table({ class: cls, id, heads, bodyId, rows, empty, emptyRowClass }: TableProps) {
  return (
    <div class="scroll-x">
      <table class={cls} id={id}>
        <thead>
          <tr>
            {heads.map((t) => (
              <th key={t}>{t}</th>
            ))}
          </tr>
        </thead>
        <tbody id={bodyId}>
          {rows.length ? (
            rows
          ) : (
            <tr class={emptyRowClass}>
              <td colSpan={heads.length} class="muted empty">
                {empty}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
