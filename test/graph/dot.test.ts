// toDot's boxes (clusters): a box per layer named by its scope, with the type added where the scope
// does not say it (a named layer); no box around a single node; the loss in a box; the backward
// pass in one box holding a box per layer; edges labelled with shapes when asked; a node subset,
// notes and a title.
import { afterAll, describe, expect, it } from 'vitest';
import { layoutProgram } from '../../src/compile/compile.js';
import { loadConfig } from '../../src/config/load.js';
import { dataDims } from '../../src/data/dims.js';
import { toDot } from '../../src/graph/dot.js';
import { locatorOf } from '../../src/train/session.js';
import { tempDir } from '../cli/helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** A residual MLP: named dense layers, an add layer (one node) and an activation layer (one node). */
function program() {
  const file = tmp.write(
    'res.yaml',
    `name: res
seed: 1
data: {source: xor, samples: 64}
model:
  layers:
    - {name: stem, type: dense, units: 4, activation: relu}
    - {name: h, type: dense, units: 4}
    - {name: res, type: add, inputs: [stem, h]}
    - {type: activation, activation: tanh}
    - {type: dense, units: 2}
train: {epochs: 1, batch_size: 8, optimizer: {type: sgd, lr: 0.1}}
`,
  );
  const rc = loadConfig(file);
  return layoutProgram(rc.config, dataDims(rc.config.data), 8, locatorOf(rc), 'train');
}

/** The labels of the clusters in the DOT, each with the labels of the clusters inside it. */
function boxes(dot: string): string[] {
  const out: string[] = [];
  const stack: string[] = [];
  for (const line of dot.split('\n')) {
    if (/subgraph cluster_\d+ \{/.test(line)) stack.push('');
    else if (stack.length && /^\s*label="([^"]*)";/.test(line) && stack[stack.length - 1] === '') {
      stack[stack.length - 1] = /label="([^"]*)"/.exec(line)![1];
      out.push(stack.join(' > '));
    } else if (/^\s*\}$/.test(line) && stack.length) stack.pop();
  }
  return out;
}

describe('toDot with layers', () => {
  it('boxes each layer of more than one node, named layers with their type, and the loss', () => {
    const p = program();
    const dot = toDot(p.graph, { layers: p.layers });
    expect(boxes(dot)).toEqual(['stem (dense)', 'h (dense)', 'layer4/dense', 'loss']);
    // A layer of one node (the add, the activation) is drawn without a box of its own.
    expect(dot).toMatch(/^ {2}n\d+ \[label="res\/add:0\\nadd \[8, 4\]"/m);
  });

  it('puts the backward pass in a dashed box with a box per layer whose gradients it computes', () => {
    const p = program();
    const dot = toDot(p.graph, { layers: p.layers, backward: true });
    const b = boxes(dot);
    expect(b.slice(0, 4)).toEqual(['stem (dense)', 'h (dense)', 'layer4/dense', 'loss']);
    expect(b).toEqual(
      expect.arrayContaining([
        'backward pass (autodiff)',
        'backward pass (autodiff) > gradients in loss',
        'backward pass (autodiff) > gradients in layer4/dense',
        'backward pass (autodiff) > gradients in stem (dense)',
        'backward pass (autodiff) > gradients in h (dense)',
      ]),
    );
    expect(dot).toMatch(/label="backward pass \(autodiff\)"; style="dashed,rounded"/);
    // Every backward node sits inside the backward box, no forward node does.
    const start = dot.indexOf('label="backward pass (autodiff)"');
    const inside = dot.slice(start, dot.indexOf('\n  }\n', start));
    for (const n of p.graph.nodes) {
      const declared = new RegExp(`^\\s*n${n.id} \\[label=`, 'm');
      expect(declared.test(inside), n.name).toBe(n.name.startsWith('grad/'));
    }
  });

  it('labels edges with shapes, draws only the nodes asked for, with notes and a title', () => {
    const p = program();
    const only = new Set(p.graph.nodes.filter((n) => n.name.startsWith('stem/')).map((n) => n.id));
    const dot = toDot(p.graph, { layers: p.layers, edgeShapes: true, only, notes: (id) => [`note ${id}`], title: 'one\ntwo' });
    const declared = [...dot.matchAll(/^\s*n(\d+) \[label="([^"]*)"/gm)];
    expect(declared.map((m) => Number(m[1])).sort((a, b) => a - b)).toEqual([...only].sort((a, b) => a - b));
    for (const m of declared) expect(m[2]).toMatch(new RegExp(`\\\\nnote ${m[1]}$`));
    const w = p.graph.byName.get('stem/w')!;
    expect(dot).toMatch(new RegExp(`n${w} -> n\\d+ \\[label="\\[2, 4\\]"\\]`));
    expect(dot).toContain('label="one\\ltwo\\l"');
    // Without layers, no boxes at all (the DOT as before).
    expect(boxes(toDot(p.graph))).toEqual([]);
  });
});
