// dlf graph --svg on every bundled config, with and without the backward pass: well-formed XML,
// one node group per node of the graph (as --dot and the listing count them), a box per layer
// (and one for the backward pass, dashed), every edge labelled with a shape, parameters drawn
// apart from activations. Plus --out and the usage errors of the new flags.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dlf, repo, tempDir } from './helpers.js';
import { type XmlElement, parseXml, textWithin } from './xml.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** Model configs (not sweep files); the full Fashion-MNIST is not in the repository, its bundled subset has the same image size. */
const CONFIGS = readdirSync(repo('configs')).filter((f) => f.endsWith('.yaml') && !f.includes('sweep'));
const extra = (config: string) => (/^fashion-(mlp|cnn)/.test(config) ? ['--set', 'data.dir=../datasets/fashion-mnist-small'] : []);

const groups = (els: readonly XmlElement[], cls: string) => els.filter((e) => e.name === 'g' && e.attrs.class === cls);
const titleOf = (els: readonly XmlElement[], g: XmlElement) => els.find((e) => e.parent === g && e.name === 'title')!.text;
const shapesOf = (els: readonly XmlElement[], g: XmlElement) => els.filter((e) => e.parent === g && e.name !== 'title' && e.name !== 'text');

/** The node names of the listing, in order (the lines before its blank line). */
async function listed(config: string, backward: boolean): Promise<string[]> {
  const r = await dlf('graph', repo('configs', config), ...extra(config), ...(backward ? ['--backward'] : []));
  expect(r.code).toBe(0);
  return r.stdout
    .split('\n\n')[0]
    .split('\n')
    .map((l) => l.split(/\s+/)[0]);
}

describe('dlf graph --svg', () => {
  expect(CONFIGS.length).toBeGreaterThanOrEqual(9);
  for (const config of CONFIGS) {
    for (const backward of [false, true]) {
      it(`${config}${backward ? ' --backward' : ''}`, async () => {
        const flags = [...extra(config), ...(backward ? ['--backward'] : [])];
        const svg = await dlf('graph', repo('configs', config), '--svg', ...flags);
        expect(svg.stderr).toBe('');
        expect(svg.code).toBe(0);
        const els = parseXml(svg.stdout);
        expect(els[0].name).toBe('svg');

        // One node group per node of the graph, each node once.
        const names = await listed(config, backward);
        const dot = (await dlf('graph', repo('configs', config), '--dot', ...flags)).stdout;
        const dotNodes = dot.split('\n').filter((l) => /^\s*n\d+ \[label=/.test(l));
        const nodes = groups(els, 'node');
        expect(nodes.length).toBe(names.length);
        expect(nodes.length).toBe(dotNodes.length);
        expect(new Set(nodes.map((g) => titleOf(els, g))).size).toBe(nodes.length);
        const nodeText = nodes.map((g) => textWithin(els, g));
        for (const name of names.filter((n) => !/(^|\/)const:\d+$/.test(n)))
          expect(
            nodeText.some((t) => t.split('\n')[0] === name),
            name,
          ).toBe(true);
        expect(names.some((n) => n.startsWith('grad/'))).toBe(backward);

        // A box per layer that holds more than one node, one for the loss, and one for the backward pass.
        const clusters = groups(els, 'cluster').map((g) => ({
          g,
          label: els
            .filter((e) => e.parent === g && e.name === 'text')
            .map((e) => e.text)
            .join(' '),
        }));
        const scopes = new Map<string, number>();
        for (const n of names) {
          const m = /^(layer\d+\/[a-z_0-9]+)\//.exec(n);
          if (m) scopes.set(m[1], (scopes.get(m[1]) ?? 0) + 1);
        }
        for (const [scope, count] of scopes)
          if (count > 1)
            expect(
              clusters.map((c) => c.label),
              scope,
            ).toContain(scope);
        expect(clusters.map((c) => c.label)).toContain('loss');
        const backwardBox = clusters.find((c) => c.label === 'backward pass (autodiff)');
        expect(backwardBox !== undefined).toBe(backward);
        if (backwardBox) expect(shapesOf(els, backwardBox.g).some((e) => e.attrs['stroke-dasharray'] !== undefined)).toBe(true);

        // Every edge carries the shape of its tensor; forward edges are solid, backward ones dashed or dotted.
        const edges = groups(els, 'edge').filter((g) => shapesOf(els, g).length > 0);
        expect(edges.length).toBeGreaterThan(0);
        for (const g of edges) {
          const label = els.filter((e) => e.parent === g && e.name === 'text').map((e) => e.text);
          expect(label.length).toBe(1);
          expect(label[0]).toMatch(/^\[(\d+(, \d+)*)?\]$/);
        }
        const dashed = edges.filter((g) => shapesOf(els, g).some((e) => e.attrs['stroke-dasharray'] !== undefined));
        expect(dashed.length > 0).toBe(backward);
        expect(dashed.length).toBeLessThan(edges.length);

        // Parameters are ellipses in their own colour; ops are boxes in another.
        const param = nodes.filter((_, i) => names.includes(nodeText[i].split('\n')[0]) && /\nparam \[/.test(nodeText[i]));
        expect(param.length).toBeGreaterThan(0);
        for (const g of param) expect(shapesOf(els, g).map((e) => `${e.name} ${e.attrs.fill}`)).toEqual(['ellipse #fde8c8']);
        const matmul = nodes.filter((_, i) => /\n(matmul|conv2d) \[/.test(nodeText[i]) && !nodeText[i].startsWith('grad/'));
        expect(matmul.length).toBeGreaterThan(0);
        for (const g of matmul) expect(shapesOf(els, g).map((e) => `${e.name} ${e.attrs.fill}`)).toEqual(['polygon #e3f2dc']);
      });
    }
  }

  it('labels the edges of iris with their shapes and names each layer box', async () => {
    const els = parseXml((await dlf('graph', repo('configs', 'iris.yaml'), '--svg')).stdout);
    const edgeLabels = groups(els, 'edge').map((g) => textWithin(els, g).trim());
    expect(edgeLabels).toEqual(expect.arrayContaining(['[16, 4]', '[4, 16]', '[16, 16]', '[16, 3]', '[16]']));
    const labels = groups(els, 'cluster').map((g) => textWithin(els, g).split('\n').filter(Boolean)[0]);
    expect(labels.sort()).toEqual(['layer0/dense', 'layer1/dense', 'loss']);
  });

  it('--out writes the picture to a file, and --dot with --out the DOT', async () => {
    const file = join(tmp.dir, 'iris.svg');
    const r = await dlf('graph', repo('configs', 'iris.yaml'), '--svg', '--out', file);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(readFileSync(file, 'utf8')).toBe((await dlf('graph', repo('configs', 'iris.yaml'), '--svg')).stdout);
    const dotFile = join(tmp.dir, 'iris.dot');
    expect((await dlf('graph', repo('configs', 'iris.yaml'), '--dot', '--out', dotFile)).code).toBe(0);
    expect(readFileSync(dotFile, 'utf8')).toMatch(/^digraph dlf \{/);
  });

  it('--out where no file can be written is an output error (exit 3) naming the path', async () => {
    const notADir = tmp.write('plain-file', 'x');
    const r = await dlf('graph', repo('configs', 'iris.yaml'), '--svg', '--out', join(notADir, 'g.svg'));
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('plain-file');
  });
});

describe('dlf graph --out never replaces what it reads', () => {
  it('refuses the config file itself (exit 2) and leaves it as it was', async () => {
    const config = tmp.write('own.yaml', readFileSync(repo('configs', 'linear.yaml'), 'utf8'));
    const before = readFileSync(config, 'utf8');
    const r = await dlf('graph', config, '--dot', '--out', config);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is the config file; writing to it would destroy it/);
    expect(readFileSync(config, 'utf8')).toBe(before);
  });
});

describe('dlf graph: flags that do not go together are usage errors (exit 2) saying why', () => {
  const linear = repo('configs', 'linear.yaml');
  const cases: [string, string[], RegExp][] = [
    ['--svg with --ops', ['--ops', '--svg'], /--ops lists the primitive ops and cannot go with --svg/],
    ['--values with --ops', ['--ops', '--values'], /--ops .* cannot go with --values/],
    ['a config with --ops', ['--ops', linear], /--ops .* cannot go with a config file/],
    ['--dot with --svg', [linear, '--dot', '--svg'], /--dot and --svg .* choose one/],
    ['--values with --optimized', [linear, '--values', '--optimized'], /--optimized cannot go with it/],
    ['--values with --dot', [linear, '--values', '--dot'], /--dot cannot go with it/],
    ['--checkpoint with a config file', [linear, '--values', '--checkpoint', 'x.json'], /--checkpoint picks the weights of a run directory/],
    ['a directory without --values', [repo('configs'), '--svg'], /is a directory: a run directory is drawn with --values/],
    ['no config', ['--svg'], /missing the config file/],
  ];
  for (const [what, args, message] of cases) {
    it(what, async () => {
      const r = await dlf('graph', ...args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
    });
  }
});
