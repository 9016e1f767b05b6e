// The table printed at the end of `npm run bench`: medians, peak RSS and dlf's speed ratio to
// every peer, workload by workload, then the notes (data source, reduced runs, skips, failures).

export function median(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const h = v.length >> 1;
  return v.length % 2 ? v[h] : (v[h - 1] + v[h]) / 2;
}

const fmt = (x, digits) =>
  Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a';

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

function table(rows, align) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows
    .map((r) => r.map((cell, c) => (align[c] === 'l' ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c]))).join('  '))
    .join('\n');
}

/**
 * One section per workload (GEMM: per shape). `sections` are {title, unit, records}; a record has
 * label, status (ok | unsupported | skipped | failed), median, runs, samples, peakRssKb, othersCores
 * (cores other processes kept busy meanwhile) and message; `extra` ({head, value(record)}) adds a column.
 */
export function renderTable(sections, dlfBackends) {
  const out = [];
  for (const s of sections) {
    out.push('', s.title);
    const dlfMedians = new Map(
      dlfBackends.map((b) => [b, s.records.find((r) => r.framework === 'dlf' && r.backend === b && r.status === 'ok')?.median]),
    );
    const head = ['  implementation', s.samplesColumn ? 'samples/run' : '', 'runs', `median ${s.unit}`, s.extra?.head ?? '', 'peak RSS', 'others', ...dlfBackends.map((b) => `dlf ${b} ratio`)];
    const rows = [head];
    for (const r of s.records) {
      const ok = r.status === 'ok';
      const ratios = dlfBackends.map((b) => {
        if (!ok || r.framework === 'dlf') return '';
        const q = speedRatio(dlfMedians.get(b), r.median, s.unit);
        return Number.isFinite(q) ? `${q < 0.1 ? q.toFixed(3) : q.toFixed(2)}x` : 'n/a';
      });
      rows.push([
        `  ${r.label}`,
        s.samplesColumn ? (r.samples ? `${r.samples.toLocaleString('en-US')}${r.reduced ? '*' : ''}` : '') : '',
        ok ? String(r.runs) : '',
        ok ? formatValue(r.median, s.unit) : r.status,
        ok && s.extra ? s.extra.value(r) : '',
        formatRss(r.peakRssKb),
        Number.isFinite(r.othersCores) ? r.othersCores.toFixed(2) : '',
        ...ratios,
      ]);
    }
    out.push(table(rows, ['l', 'r', 'r', 'r', 'r', 'r', 'r', ...dlfBackends.map(() => 'r')]));
  }
  return out.join('\n');
}
