// The backward trace of autodiff: every node between the parameters and the loss gets its gradient
// node, the gradient of a value used twice is the sum node of its two contributions, and every
// node the backward pass added is attributed to the seed, a fan-in sum or the VJP of the forward
// node whose op made it, which is also the scope its name says.
import { describe, expect, it } from 'vitest';
import { appendBackward, appendBackwardTraced } from '../../src/graph/autodiff.js';
import { GraphBuilder } from '../../src/graph/builder.js';

/** loss = mean(h · h + h) with h = x·w: h has two consumers (mul reads it twice, add once). */
function build() {
  const g = new GraphBuilder();
  const x = g.input('x', [2, 3]);
  const w = g.param('w', [3, 1]);
  const h = g.apply('matmul', [x, w], {}, 'h');
  const sq = g.apply('mul', [h, h], {}, 'sq');
  const s = g.apply('add', [sq, h], {}, 's');
  const loss = g.apply('mean', [s], {}, 'loss');
  return { g, x, w, h, sq, s, loss };
}

describe('appendBackwardTraced', () => {
  it('gives every node on the way from w to the loss a gradient, and x none', () => {
    const { g, x, w, h, sq, s, loss } = build();
    const t = appendBackwardTraced(g, loss, [w]);
    expect([...t.gradOf.keys()].sort((a, b) => a - b)).toEqual([w, h, sq, s, loss]);
    expect(t.gradOf.has(x)).toBe(false);
    expect(t.grads.get(w)).toBe(t.gradOf.get(w));
    for (const [node, grad] of t.gradOf) expect(g.shapeOf(grad)).toEqual(g.shapeOf(node));
  });

  it('names the seed, the fan-in sums and the VJP behind every backward node', () => {
    const { g, w, h, loss } = build();
    const before = g.graph.nodes.length;
    const t = appendBackwardTraced(g, loss, [w]);
    const added = g.graph.nodes.slice(before);
    // Every added node has an origin, and nothing else has.
    expect([...t.origin.keys()].sort((a, b) => a - b)).toEqual(added.map((n) => n.id));
    const seeds = added.filter((n) => t.origin.get(n.id)!.kind === 'seed');
    expect(seeds.map((n) => n.name)).toEqual(['grad/const:0']);
    expect(t.gradOf.get(loss)).toBe(seeds[0].id);
    // h feeds mul twice and add once: its gradient sums three contributions with two adds.
    const sums = added.filter((n) => {
      const o = t.origin.get(n.id)!;
      return o.kind === 'sum' && o.of === h;
    });
    expect(sums.map((n) => n.op)).toEqual(['add', 'add']);
    expect(t.gradOf.get(h)).toBe(sums[1].id);
    for (const n of added) {
      const o = t.origin.get(n.id)!;
      if (o.kind === 'seed') continue;
      // A node made while handling forward node F is named under grad/F/.
      expect(n.name.startsWith(`grad/${g.node(o.of).name}/`)).toBe(true);
    }
    // w's gradient comes from matmul's rule.
    expect(t.origin.get(t.gradOf.get(w)!)).toEqual({ kind: 'vjp', of: h });
  });

  it('builds the same graph as appendBackward', () => {
    const a = build();
    const b = build();
    const ga = appendBackward(a.g, a.loss, [a.w]);
    const gb = appendBackwardTraced(b.g, b.loss, [b.w]).grads;
    expect(b.g.graph.nodes).toEqual(a.g.graph.nodes);
    expect([...gb]).toEqual([...ga]);
  });
});
