// Writes datasets/diabetes.csv from the diabetes data of scikit-learn as Debian's python3-sklearn
// installs it: the raw (unscaled) features, space-separated, and the target, one value a line,
// joined under a header row. Usage: node scripts/make-diabetes-csv.mjs [source-dir] [output-file]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

const dir = process.argv[2] ?? '/usr/lib/python3/dist-packages/sklearn/datasets/data';
const out = process.argv[3] ?? 'datasets/diabetes.csv';
const lines = (name) =>
  gunzipSync(readFileSync(join(dir, name)))
    .toString('utf8')
    .trim()
    .split('\n');

const features = lines('diabetes_data_raw.csv.gz').map((l) => l.trim().split(/\s+/));
const target = lines('diabetes_target.csv.gz').map((l) => String(Number(l)));
if (features.length !== target.length || features.some((r) => r.length !== 10)) throw new Error('unexpected shape of the diabetes files');
const header = ['age', 'sex', 'bmi', 'bp', 's1', 's2', 's3', 's4', 's5', 's6', 'target'];
const rows = features.map((r, i) => [...r.map((v) => String(Number(v))), target[i]].join(','));
writeFileSync(out, [header.join(','), ...rows].join('\n') + '\n');
console.log(`wrote ${rows.length} rows to ${out}`);
