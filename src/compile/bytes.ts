// Byte sizes as people write and read them: parsing a size such as `512M`, `4G` or `2GiB`
// (--max-memory), and printing one with a binary unit in messages.

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
const PREFIXES = ['k', 'm', 'g', 't', 'p'];

/** `bytes` with a binary unit and three significant digits: `1000 B`, `1.50 KiB`, `64.0 MiB`, `512 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  if (v >= 1024) return `${v.toExponential(2)} ${UNITS[u]}`;
  return `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${UNITS[u]}`;
}

/** Bytes per unit, by lower-case unit: `b` and none; `k`, `ki`, `kib` binary; `kb` decimal; likewise m, g, t, p. */
function unitBytes(unit: string): number | undefined {
  if (unit === '' || unit === 'b') return 1;
  const p = PREFIXES.indexOf(unit[0]) + 1;
  if (p === 0) return undefined;
  const rest = unit.slice(1);
  if (rest === '' || rest === 'i' || rest === 'ib') return 1024 ** p;
  if (rest === 'b') return 1000 ** p;
  return undefined;
}

/**
 * A size in bytes from a number and an optional unit: plain bytes (`1048576`), binary `K`, `M`,
 * `G`, `T`, `P` (also written `KiB`, `MiB`, ...), or decimal `KB`, `MB`, `GB`, ... (case does not
 * matter); a fraction is allowed before a unit (`1.5G`). Undefined unless it is a whole number of
 * bytes from 1 to 2^53 - 1.
 */
export function parseByteSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([A-Za-z]*)$/.exec(text);
  if (!m) return undefined;
  const unit = unitBytes(m[2].toLowerCase());
  if (unit === undefined) return undefined;
  const bytes = Math.floor(Number(m[1]) * unit);
  return Number.isSafeInteger(bytes) && bytes >= 1 ? bytes : undefined;
}
