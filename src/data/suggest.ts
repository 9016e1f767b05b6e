// "Did you mean" hints for column names: the closest name by edit distance, plus the columns there are.

/** Levenshtein distance (insert, delete, substitute), with one reused row. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const m = b.length;
  const row = new Array<number>(m + 1);
  for (let j = 0; j <= m; j++) row[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0];
    row[0] = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= m; j++) {
      const up = row[j];
      const cost = ca === b.charCodeAt(j - 1) ? 0 : 1;
      row[j] = Math.min(up + 1, row[j - 1] + 1, diag + cost);
      diag = up;
    }
  }
  return row[m];
}

/** The candidate closest to `name` (case-insensitive), if it is close enough to be a likely typo. */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDist = Infinity;
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestDist) {
      bestDist = d;
      best = c;
    }
  }
  const limit = Math.max(2, Math.floor(name.length / 3));
  return bestDist <= limit ? best : undefined;
}

/** A one-line hint for a column that is not in `header`. */
export function columnHint(name: string, header: readonly string[], maxListed = 12): string {
  const guess = closestName(name, header);
  const shown = header.slice(0, maxListed).map((h) => `'${h}'`);
  const list = shown.join(', ') + (header.length > maxListed ? `, ... (${header.length} in all)` : '');
  return (guess !== undefined ? `did you mean '${guess}'? ` : '') + `the columns are ${list}`;
}
