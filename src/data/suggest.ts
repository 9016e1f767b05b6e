// The hint for a column that is not in a file: the closest name, plus the columns there are.
// Headers come from outside, so the search is bounded: edit distances are computed only for short
// names of about the right length, and for at most a few thousand of them.
import { oneLine } from '../errors.js';
import { closest } from '../suggest.js';

/** Names longer than this are not compared (a typo of a column name is short). */
const MAX_NAME = 64;
/** Candidates compared at most. */
const MAX_CANDIDATES = 5000;

/** The column of `header` closest to `name` when it looks like a typo of it, else undefined. */
function closestColumn(name: string, header: readonly string[]): string | undefined {
  if (name.length > MAX_NAME) return undefined;
  // closest() accepts a distance of at most a third of the length; longer or shorter names are farther.
  const slack = Math.max(1, Math.floor(name.length / 3));
  const candidates: string[] = [];
  for (const h of header) {
    if (Math.abs(h.length - name.length) > slack) continue;
    candidates.push(h);
    if (candidates.length >= MAX_CANDIDATES) break;
  }
  return closest(name, candidates);
}

/** A one-line hint for a column that is not in `header`. */
export function columnHint(name: string, header: readonly string[], maxListed = 12): string {
  const guess = closestColumn(name, header);
  const shown = header.slice(0, maxListed).map((h) => `'${oneLine(h, 40)}'`);
  const list = shown.join(', ') + (header.length > maxListed ? `, ... (${header.length} in all)` : '');
  return (guess !== undefined ? `did you mean '${oneLine(guess, 60)}'? ` : '') + `the columns are ${list}`;
}
