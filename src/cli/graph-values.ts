// What `dlf graph --values` prints and draws for one training step (train/step-values.ts): under
// each node its value and the gradient of the loss with respect to it; under each backward node
// the rule that made it (the VJP of which node's op, or the sum of the gradients a node's
// consumers sent it) and which gradient it is. Together they show the chain rule, dL/dx =
// dL/dy · dy/dx, one node at a time.
import { relative } from 'node:path';
import { isBackwardNode } from '../graph/dot.js';
import type { StepOfRun, ValueSummary } from '../train/step-values.js';
import { listingLine } from './graph-listing.js';

/** A number in at most five significant digits: 0.1 for float32's 0.100000001, 1.2346e-7. */
function num5(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(5))) : String(v);
}

/** A value: every element when it is small, else its statistics. */
function brief(v: ValueSummary): string {
  if (v.values) return `[${v.values.map(num5).join(', ')}]`;
  return `mean ${num5(v.mean)}, std ${num5(v.std)}, min ${num5(v.min)}, max ${num5(v.max)}`;
}

/** The lines shown under each node of the step. */
export function valueNotes(step: StepOfRun): (id: number) => string[] {
  const { program, values } = step;
  const nodes = program.graph.nodes;
  const trace = program.backward!;
  /** A node's short name in dL/d…: the loss is L, any other node the last part of its name. */
  const short = (id: number) => (id === program.loss ? 'L' : nodes[id].name.slice(nodes[id].name.lastIndexOf('/') + 1));
  const gradientOf = new Map<number, number[]>();
  for (const [node, grad] of trace.gradOf) gradientOf.set(grad, [...(gradientOf.get(grad) ?? []), node]);
  return (id) => {
    const v = values.get(id);
    if (!v) return [];
    if (!isBackwardNode(nodes[id].name)) {
      const g = trace.gradOf.get(id);
      const gv = g === undefined ? undefined : values.get(g);
      return [`value ${brief(v)}`, ...(gv ? [`dL/d${short(id)} ${brief(gv)}`] : [])];
    }
    const origin = trace.origin.get(id);
    const rule =
      origin?.kind === 'seed'
        ? 'the seed: dL/dL = 1'
        : origin?.kind === 'vjp'
          ? `VJP of ${nodes[origin.of].op} (${nodes[origin.of].name})`
          : origin?.kind === 'sum'
            ? `sum of the gradients sent to ${nodes[origin.of].name}`
            : undefined;
    const is = (gradientOf.get(id) ?? []).map((f) => ` = dL/d${short(f)}`).join('');
    return [...(rule ? [rule] : []), `value ${brief(v)}${is}`];
  };
}

/** The header of the listing and the title of the picture: what was run, on which batch, with which weights. */
export function stepHeader(step: StepOfRun, source: string): string[] {
  const { config, weights, rows } = step;
  const shown = rows.slice(0, 8).join(', ') + (rows.length > 8 ? ', …' : '');
  const lines = [
    `one training step of ${source}, ${weights.kind === 'initial' ? `initial weights (seed ${weights.seed})` : `weights of ${relative('.', weights.file) || weights.file} (epoch ${weights.epoch})`}`,
    `batch: the first ${rows.length} of ${step.trainSamples} training samples as epoch 1 feeds them (training-split indices ${shown})`,
    `loss (${step.program.lossName}) ${num5(step.loss)}`,
  ];
  const { l1, l2 } = config.train.regularization;
  if (l1 > 0 || l2 > 0 || config.train.clip.norm !== undefined || config.train.clip.value !== undefined) {
    lines.push('gradients are those of the loss alone: the penalties of train.regularization and train.clip act after the graph has run');
  }
  return lines;
}

/** The nodes the picture or listing shows: those the step ran, forward only unless `backward`. */
export function shownNodes(step: StepOfRun, backward: boolean): { shown: Set<number>; notRun: number } {
  const shown = new Set<number>();
  let notRun = 0;
  for (const n of step.program.graph.nodes) {
    if (!backward && isBackwardNode(n.name)) continue;
    if (step.values.has(n.id)) shown.add(n.id);
    else notRun++;
  }
  return { shown, notRun };
}

/** The footnote on the nodes autodiff built that the step did not need. */
export function notRunLine(notRun: number): string {
  const s = notRun === 1 ? '' : 's';
  return `not shown: ${notRun} node${s} of the graph that the step does not run, since neither the loss nor a parameter's gradient needs ${s ? 'them' : 'it'} (dlf graph --backward lists every node)`;
}

/** The text listing of `dlf graph --values`. */
export function valuesListing(step: StepOfRun, source: string, backward: boolean): string {
  const notes = valueNotes(step);
  const { shown, notRun } = shownNodes(step, backward);
  const out = [...stepHeader(step, source), ''];
  for (const id of [...shown].sort((a, b) => a - b)) {
    out.push(listingLine(step.program.graph, step.program.graph.nodes[id]));
    for (const line of notes(id)) out.push(`    ${line}`);
  }
  if (notRun) out.push('', notRunLine(notRun));
  if (!backward) out.push('', 'dlf graph --values --backward also shows the backward nodes, each with the rule that made it');
  return out.join('\n') + '\n';
}
