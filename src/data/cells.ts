// What a CSV cell says as a number: dlf's one reading of decimal numbers (parseNumber), why a cell
// is not one (numberProblem), whether a cell is written as a number at all, finite or not
// (looksNumeric: how a column's kind is told), and the order of class and category names.
import { oneLine } from '../errors.js';

export const DECIMAL = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;
const NON_FINITE = /^\s*[+-]?(?:inf|infinity|nan)\s*$/i;

/** The largest finite float32: values beyond it would become Infinity when stored. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * A decimal number (optional sign and exponent, surrounding spaces allowed) that is finite as a
 * float32, or NaN: `1e400`, `-4e38`, `inf` and `nan` are NaN, so no cell becomes a non-finite input.
 */
export function parseNumber(cell: string): number {
  if (!DECIMAL.test(cell)) return NaN;
  const v = Number(cell);
  return Math.abs(v) <= FLOAT32_MAX ? v : NaN;
}

/** Why a cell that parseNumber refused is not a usable number, for a message. */
export function numberProblem(cell: string): string {
  if (cell.trim() === '') return 'empty cell';
  const shown = oneLine(cell.trim(), 40);
  if (DECIMAL.test(cell)) return `${shown} is beyond the float32 range (±${FLOAT32_MAX.toPrecision(8)})`;
  if (NON_FINITE.test(cell)) return `not a finite number: '${shown}'`;
  return `not a number: '${shown}'`;
}

/** Whether a cell is written as a number (finite or not, in the float32 range or not). */
export function looksNumeric(cell: string): boolean {
  return DECIMAL.test(cell) || NON_FINITE.test(cell);
}

/** Numeric labels sort by value (so "10" follows "9"), others by code unit; ties break by text. */
export function sortClasses(names: string[]): string[] {
  const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const values = names.map(parseNumber);
  if (values.every((v) => !Number.isNaN(v))) {
    const order = names.map((_, i) => i);
    order.sort((a, b) => values[a] - values[b] || byText(names[a], names[b]));
    return order.map((i) => names[i]);
  }
  return names.slice().sort(byText);
}
