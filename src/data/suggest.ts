// The hint for a column that is not in a file: the closest name, plus the columns there are.
import { closest } from '../suggest.js';

/** A one-line hint for a column that is not in `header`. */
export function columnHint(name: string, header: readonly string[], maxListed = 12): string {
  const guess = closest(name, header);
  const shown = header.slice(0, maxListed).map((h) => `'${h}'`);
  const list = shown.join(', ') + (header.length > maxListed ? `, ... (${header.length} in all)` : '');
  return (guess !== undefined ? `did you mean '${guess}'? ` : '') + `the columns are ${list}`;
}
