// The table printed at the end of `npm run bench`: medians, peak RSS and dlf's speed ratio to
// every peer, workload by workload (W1 and W2 with dlf against PyTorch at each thread count and in
// peak RSS), then the notes (data source, reduced runs, skips, failures, disturbed measurements).

export function median(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const h = v.length >> 1;
  return v.length % 2 ? v[h] : (v[h - 1] + v[h]) / 2;
}

const fmt = (x, digits) => (Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a');

/** A value in its unit with sensible precision. */
export function formatValue(x, unit) {
  if (unit === 's') return fmt(x, x < 10 ? 2 : 1);
  if (unit === 'GFLOP/s') return fmt(x, x < 10 ? 2 : 1);
  return fmt(x, x < 100 ? 1 : 0);
}

const formatRss = (kb) => (Number.isFinite(kb) ? `${fmt(kb / 1024, 0)} MB` : 'n/a');

/**
 * dlf's speed relative to a peer: throughput dlf ÷ peer, or for wall times (W3) peer ÷ dlf.
 * Above 1, dlf is faster.
 */
export function speedRatio(dlf, peer, unit) {
  if (!Number.isFinite(dlf) || !Number.isFinite(peer) || dlf <= 0 || peer <= 0) return NaN;
  return unit === 's' ? peer / dlf : dlf / peer;
}

/** Rows of cells as aligned text; a column empty in every row is left out. */
function table(rows, align) {
  const keep = rows[0].map((_, c) => rows.some((r) => String(r[c]) !== ''));
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => (align[c] === 'l' ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c])))
        .filter((_, c) => keep[c])
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/**
 * The dlf record of `backend` a peer's ratio compares with: the one at the peer's thread count when
 * dlf ran at it, else the fastest (for W3, the quickest).
 */
export function dlfFor(records, backend, peer, unit) {
  const ok = records.filter((r) => r.framework === 'dlf' && r.backend === backend && r.status === 'ok');
  const same = peer.threads !== undefined ? ok.find((r) => r.threads === peer.threads) : undefined;
  if (same) return same;
  return ok.reduce((best, r) => (!best || speedRatio(r.median, best.median, unit) > 1 ? r : best), undefined);
}

const ratioText = (q) => (Number.isFinite(q) ? `${q < 0.1 ? q.toFixed(3) : q.toFixed(2)}x` : 'n/a');

/**
 * The lines under a W1 or W2 section: dlf's native kernels against PyTorch's best configuration at
 * its fastest thread count, and at each thread count both ran at, in speed and in peak RSS.
 */
export function threadSummary(records, unit) {
  const torch = records.filter((r) => r.framework === 'torch' && r.mode === 'best' && r.status === 'ok');
  const dlf = records.filter((r) => r.framework === 'dlf' && r.backend === 'native' && r.status === 'ok');
  if (!torch.length || !dlf.length) return [];
  const best = torch.reduce((a, r) => (r.median > a.median ? r : a));
  const fastest = dlf.reduce((a, r) => (r.median > a.median ? r : a));
  const t = (n) => `${n} thread${n === 1 ? '' : 's'}`;
  const lines = [
    `  dlf native vs PyTorch's best (${t(best.threads)}, ${formatValue(best.median, unit)} ${unit}): ` +
      dlf.map((r) => `${ratioText(speedRatio(r.median, best.median, unit))} on ${t(r.threads)}`).join(', ') +
      ` (fastest: ${t(fastest.threads)})`,
  ];
  const pairs = dlf.map((r) => ({ r, p: torch.find((x) => x.threads === r.threads) })).filter((x) => x.p);
  if (pairs.length) {
    lines.push(`  at equal threads: ${pairs.map(({ r, p }) => `${t(r.threads)} ${ratioText(speedRatio(r.median, p.median, unit))}`).join(', ')}`);
    lines.push(
      `  peak RSS, dlf native / PyTorch: ` +
        pairs.map(({ r, p }) => `${t(r.threads)} ${formatRss(r.peakRssKb)} / ${formatRss(p.peakRssKb)} = ${ratioText(r.peakRssKb / p.peakRssKb)}`).join(', '),
    );
  }
  return lines;
}

/**
 * One section per workload (GEMM: per shape). `sections` are {title, unit, records}; a record has
 * label, status (ok | unsupported | skipped | failed), median, runs, samples, threads, peakRssKb,
 * othersCores (cores other processes kept busy meanwhile), disturbed (history.mjs: a median far
 * below this machine's earlier ones, marked `!`) and message; `extra` ({head, value(record)}) adds
 * a column, `threadsColumn` shows the threads, `summary` adds threadSummary's lines. A peer's ratio
 * compares it with dlf at the same thread count when dlf ran at it (dlfFor).
 */
export function renderTable(sections, dlfBackends) {
  const out = [];
  for (const s of sections) {
    out.push('', s.title);
    const head = [
      '  implementation',
      s.threadsColumn ? 'threads' : '',
      s.samplesColumn ? 'samples/run' : '',
      'runs',
      `median ${s.unit}`,
      s.extra?.head ?? '',
      'peak RSS',
      'others',
      ...dlfBackends.map((b) => `dlf ${b} ratio`),
    ];
    const rows = [head];
    for (const r of s.records) {
      const ok = r.status === 'ok';
      const ratios = dlfBackends.map((b) => {
        if (!ok || r.framework === 'dlf') return '';
        return ratioText(speedRatio(dlfFor(s.records, b, r, s.unit)?.median, r.median, s.unit));
      });
      rows.push([
        `  ${r.label}`,
        s.threadsColumn ? String(r.threads ?? '') : '',
        s.samplesColumn ? (r.samples ? `${r.samples.toLocaleString('en-US')}${r.reduced ? '*' : ''}` : '') : '',
        ok ? String(r.runs) : '',
        ok ? `${formatValue(r.median, s.unit)}${r.disturbed ? '!' : ''}` : r.status,
        ok && s.extra ? s.extra.value(r) : '',
        formatRss(r.peakRssKb),
        Number.isFinite(r.othersCores) ? r.othersCores.toFixed(2) : '',
        ...ratios,
      ]);
    }
    out.push(table(rows, ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', ...dlfBackends.map(() => 'r')]));
    if (s.summary) out.push(...threadSummary(s.records, s.unit));
  }
  return out.join('\n');
}
