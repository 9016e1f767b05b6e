// The text `dlf eval` prints for a result: the metrics, the per-class table with its averages,
// the binary section (positive class, threshold, ROC-AUC, PR-AUC) and the confusion matrix.
import type { EvalResult } from '../train/evaluate.js';
import { num } from './output.js';

const short = (c: string) => (c.length > 14 ? c.slice(0, 13) + '…' : c);

export function metricsText(r: EvalResult): string {
  return Object.entries(r.metrics)
    .map(([k, v]) => `  ${k.padEnd(15)} ${num(v as number, 6)}\n`)
    .join('');
}

/** precision, recall, f1 and support per class, then the macro and weighted averages. */
export function reportText(r: EvalResult): string {
  const rep = r.report!;
  const rows: [string, { precision: number; recall: number; f1: number; support: number }][] = [
    ...rep.classes.map((c) => [short(c.class), c] as [string, typeof c]),
    ['macro avg', rep.macro],
    ['weighted avg', rep.weighted],
  ];
  const w = Math.max(12, ...rows.map(([n]) => n.length));
  const head = `${'class'.padEnd(w)} ${'precision'.padStart(9)} ${'recall'.padStart(9)} ${'f1'.padStart(9)} ${'support'.padStart(8)}`;
  const line = ([n, s]: (typeof rows)[number]) =>
    `${n.padEnd(w)} ${num(s.precision).padStart(9)} ${num(s.recall).padStart(9)} ${num(s.f1).padStart(9)} ${String(s.support).padStart(8)}`;
  const body = rows.map(line);
  body.splice(rep.classes.length, 0, '');
  return [head, ...body].join('\n') + '\n';
}

export function binaryText(r: EvalResult): string {
  const b = r.binary!;
  return (
    `binary: positive class '${b.positive}' (negative '${b.negative}'), decision threshold ${b.threshold}\n` +
    `  ${'roc_auc'.padEnd(15)} ${num(b.roc_auc, 6)}\n  ${'pr_auc'.padEnd(15)} ${num(b.pr_auc, 6)}\n`
  );
}

export function confusionText(r: EvalResult): string {
  const m = r.confusion!;
  const names = (r.classes ?? m.map((_, i) => String(i))).map((c) => (c.length > 10 ? c.slice(0, 9) + '…' : c));
  const width = Math.max(6, ...names.map((n) => n.length), ...m.flat().map((v) => String(v).length)) + 1;
  const pad = (s: string) => s.padStart(width);
  const lines = ['confusion matrix (rows: true class, columns: predicted)', pad('') + names.map(pad).join('')];
  m.forEach((row, i) => lines.push(pad(names[i]) + row.map((v) => pad(String(v))).join('')));
  return lines.join('\n') + '\n';
}
