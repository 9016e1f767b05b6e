// The pictures committed under docs/ (and the listing docs/chain-rule.md quotes and works through
// by hand) are what dlf draws now: scripts/docs-graphs.mjs --check draws them again with the built
// CLI and compares them byte for byte. A change to the graph, the drawing, the kernels' numbers or
// the pinned Graphviz fails here, with the command that redraws them; the hand-worked numbers of
// docs/chain-rule.md must then be checked again, which is why the comparison is exact rather than
// only a check that the pictures can still be drawn. And every flag `dlf graph --help` lists is in
// the README's row for dlf graph.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dlf, repo } from './helpers.js';

describe('docs/*.svg and docs/chain-rule.md', () => {
  it('are what dlf graph draws now', () => {
    const r = spawnSync(process.execPath, [repo('scripts', 'docs-graphs.mjs'), '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('the README documents every flag of dlf graph', async () => {
    const help = (await dlf('graph', '--help')).stdout;
    const flags = [...help.matchAll(/^\s+(?:-\w, )?(--[a-z-]+)/gm)].map((m) => m[1]).filter((f) => f !== '--help');
    expect(flags).toEqual(expect.arrayContaining(['--svg', '--values', '--out', '--checkpoint', '--backward']));
    const row = readFileSync(repo('README.md'), 'utf8')
      .split('\n')
      .find((l) => l.startsWith('| `dlf graph'))!;
    for (const f of flags) expect(row, f).toContain(f);
  });
});
