// The pictures of the README's "Plotting a run" are what dlf draws today: scripts/docs-plots.mjs
// trains its two iris runs again and draws them into a temporary folder through bin/dlf.js, and
// the SVGs must equal those committed under docs/ (run the script to redraw them after changing
// the charts). The example report is drawn too, and must be a whole page.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repo, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('docs/plot-iris*.svg', () => {
  it('are drawn again byte for byte by scripts/docs-plots.mjs', () => {
    const r = spawnSync(process.execPath, [repo('scripts', 'docs-plots.mjs'), tmp.dir], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    for (const name of ['plot-iris.svg', 'plot-iris-schedules.svg']) {
      expect(readFileSync(join(tmp.dir, name), 'utf8'), name).toBe(readFileSync(repo('docs', name), 'utf8'));
    }
    const page = readFileSync(join(tmp.dir, 'report-iris.html'), 'utf8');
    expect(page).toMatch(/^<!DOCTYPE html>[\s\S]*<\/html>\n$/);
  });
});
