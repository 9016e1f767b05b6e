// attention: multi-head scaled dot-product self-attention over x [B, L, D], composed from
// primitives (so the gradient check of those covers it).
//
//   q = x·Wq + bq, k = x·Wk + bk, v = x·Wv + bv          each [B, L, D], split into H heads of D/H
//   w = softmax(q·kᵀ / √(D/H) + bias)                     [H, B, L, L] (heads first, see below)
//   y = concat over heads of (w·v), then y·Wo + bo         [B, L, D]
//
// Parameters under the layer's scope: q/w, k/w, v/w, o/w ([D, D], applied as x·w, so PyTorch's
// Linear weight is their transpose) and q/b, k/b, v/b, o/b ([D]) with use_bias. The heads are
// the consecutive D/H-wide slices of the projections' outputs, as in PyTorch.
//
// Masks enter as an additive bias of 0 (allowed) or −1e9 (not allowed) on the scores: a key at
// padding (ctx.mask(), when the input is tokens) and, with causal, a key after the query. A masked
// score's weight is then exactly 0 in float32, and a row with every key masked (an all-padding
// sequence) gets finite weights instead of NaN. The heads axis comes first in the scores so that
// the bias ([B, L, L], or [L, L] for the causal mask alone) is a trailing block of the scores'
// shape: the add is a repeated row, not a general broadcast with offset tables.
import { ShapeError } from '../../errors.js';
import type { GraphBuilder } from '../../graph/builder.js';
import { shapeStr } from '../../tensor/shape.js';
import { drop } from './dropout.js';
import type { LayerBuilder, LayerCtx } from './types.js';

/** What a score gets where attention is not allowed. */
export const MASKED_SCORE = -1e9;

export interface AttentionOptions {
  readonly heads: number;
  readonly causal: boolean;
  readonly dropout: number;
  readonly useBias: boolean;
}

/**
 * The causal mask [L, L]: 1 where key j ≤ query i, i.e. step((i + ½) − j). Made from two constants
 * of L values rather than one of L², so that a long sequence is sized by the plan's memory check
 * (its [L, L] buffer) before anything of size L² is allocated.
 */
function causalAllowed(g: GraphBuilder, L: number): number {
  const positions = (offset: number) => Array.from({ length: L }, (_, i) => i + offset);
  const queries = g.apply('reshape', [g.constantValues(positions(0.5))], { shape: [L, 1] });
  const keys = g.apply('reshape', [g.constantValues(positions(0))], { shape: [1, L] });
  return g.apply('step', [g.apply('sub', [queries, keys])]);
}

/**
 * The additive bias on the scores ([B, L, L] with a padding mask, [L, L] with the causal mask
 * alone), or undefined when nothing is masked.
 */
function scoreBias(ctx: LayerCtx, B: number, L: number, causal: boolean): number | undefined {
  const { g } = ctx;
  const m = ctx.mask(L);
  if (m === undefined && !causal) return undefined;
  // The same for every attention layer of the model over this length: built once and shared.
  return ctx.shared(`score_bias:${L}:${causal}`, () => {
    let allowed: number;
    if (m !== undefined) {
      allowed = g.apply('reshape', [m], { shape: [B, 1, L] });
      if (causal) allowed = g.apply('mul', [allowed, causalAllowed(g, L)]);
      else allowed = g.apply('broadcast_to', [allowed], { shape: [B, L, L] });
    } else {
      allowed = causalAllowed(g, L);
    }
    return maskBias(g, allowed, `score_bias_${L}${causal ? '_causal' : ''}`);
  });
}

/** (allowed − 1)·1e9: 0 where `allowed` is 1, −1e9 where it is 0 (a masked score or value). */
export function maskBias(g: GraphBuilder, allowed: number, name?: string): number {
  return g.apply('mul', [g.apply('sub', [allowed, g.constant(1)]), g.constant(-MASKED_SCORE)], {}, name);
}

/** x·w (+ b) under scope `name`, with w [inF, out] and b [out]. */
function project(ctx: LayerCtx, name: string, x: number, inF: number, out: number, useBias: boolean): number {
  const { g } = ctx;
  return g.scope(name, () => {
    let y = g.apply('matmul', [x, ctx.param('w', [inF, out], 'glorot_uniform')]);
    if (useBias) y = g.apply('add', [y, ctx.param('b', [out], 'zeros')]);
    return y;
  });
}

/** Multi-head self-attention over x [B, L, D]; parameters under the current scope. */
export function selfAttention(ctx: LayerCtx, x: number, opts: AttentionOptions): number {
  const { g } = ctx;
  const s = g.shapeOf(x);
  if (s.length !== 3) throw new ShapeError(`attention needs input [batch, length, dim], got ${shapeStr(s)}`, ctx.place);
  const [B, L, D] = s;
  const H = opts.heads;
  if (D % H !== 0) throw new ShapeError(`${H} heads do not divide the input dim ${D}`, ctx.place, `use a number of heads that divides ${D}`);
  const dh = D / H;
  // [B, L, D] → [B, L, H, dh] → [H, B, L, dh]
  const split = (t: number) => g.apply('transpose', [g.apply('reshape', [t], { shape: [B, L, H, dh] })], { perm: [2, 0, 1, 3] });
  const q = split(g.apply('mul', [project(ctx, 'q', x, D, D, opts.useBias), g.constant(1 / Math.sqrt(dh))]));
  const k = split(project(ctx, 'k', x, D, D, opts.useBias));
  const v = split(project(ctx, 'v', x, D, D, opts.useBias));
  let scores = g.apply('matmul', [q, k], { transpose_b: true }, 'scores');
  const bias = scoreBias(ctx, B, L, opts.causal);
  if (bias !== undefined) scores = g.apply('add', [scores, bias]);
  let w = g.apply('softmax', [scores], {}, 'weights');
  w = drop(ctx, w, opts.dropout);
  // [H, B, L, dh] → [B, L, H, dh] → [B, L, D]
  const heads = g.apply('matmul', [w, v]);
  const joined = g.apply('reshape', [g.apply('transpose', [heads], { perm: [1, 2, 0, 3] })], { shape: [B, L, D] });
  return project(ctx, 'o', joined, D, D, opts.useBias);
}

export const attention: LayerBuilder<'attention'> = (ctx, cfg, [x]) =>
  selfAttention(ctx, x, { heads: cfg.heads, causal: cfg.causal, dropout: cfg.dropout, useBias: cfg.use_bias });
