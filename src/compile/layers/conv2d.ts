// conv2d: 2-D convolution over NCHW input [batch, channels, height, width] with `filters` kernels
// w [filters, channels, kh, kw], a bias per output channel, then the activation. Padding `same`
// gives an output of ceil(input / stride) per spatial axis (an odd total puts the extra zero at the
// bottom or right), `valid` none, a number that many zeros on every side.
import { ShapeError } from '../../errors.js';
import { samePadding } from '../../graph/ops/_window.js';
import { type Shape, shapeStr } from '../../tensor/shape.js';
import { activate } from './activation.js';
import { type LayerBuilder, type LayerCtx, pair } from './types.js';

/** Input of a spatial layer: NCHW, or a ShapeError naming the layout. */
export function nchw(ctx: LayerCtx, layer: string, x: number): Shape {
  const s = ctx.g.shapeOf(x);
  if (s.length !== 4) {
    throw new ShapeError(
      `a ${layer} layer needs NCHW input [batch, channels, height, width], got ${shapeStr(s)}`,
      ctx.place,
      s.length === 2 ? 'reshape the features to [channels, height, width] first (a reshape layer)' : undefined,
    );
  }
  return s;
}

/**
 * [top, bottom, left, right] zeros for a window of `k` taps `dil` apart every `stride` cells over
 * an input of `hw`, from the config's padding.
 */
export function paddingOf(
  padding: 'same' | 'valid' | number,
  hw: readonly number[],
  k: readonly number[],
  stride: readonly number[],
  dil: readonly number[] = [1, 1],
): [number, number, number, number] {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (typeof padding === 'number') return [padding, padding, padding, padding];
  const [t, b] = samePadding(hw[0], k[0], stride[0], dil[0]);
  const [l, r] = samePadding(hw[1], k[1], stride[1], dil[1]);
  return [t, b, l, r];
}

/** Throws a ShapeError when a window spanning `span` cells does not fit the padded input. */
export function checkFits(ctx: LayerCtx, layer: string, hw: readonly number[], span: readonly number[], pad: readonly number[]): void {
  const ph = hw[0] + pad[0] + pad[1];
  const pw = hw[1] + pad[2] + pad[3];
  if (span[0] > ph || span[1] > pw) {
    throw new ShapeError(
      `the ${layer} window spans ${span[0]}×${span[1]} cells but the ${pad.some((p) => p > 0) ? 'padded ' : ''}input is ${ph}×${pw}`,
      ctx.place,
      'use a smaller kernel, padding: same, or fewer downsampling layers before this one',
    );
  }
}

export const conv2d: LayerBuilder<'conv2d'> = (ctx, cfg, [x]) => {
  const { g } = ctx;
  const [, channels, h, w] = nchw(ctx, 'conv2d', x);
  const kernel = pair(cfg.kernel_size);
  const stride = pair(cfg.stride);
  const dilation = pair(cfg.dilation);
  const padding = paddingOf(cfg.padding, [h, w], kernel, stride, dilation);
  checkFits(
    ctx,
    'conv2d',
    [h, w],
    kernel.map((k, i) => dilation[i] * (k - 1) + 1),
    padding,
  );
  const init = cfg.kernel_init ?? (cfg.activation === 'relu' ? 'he_uniform' : 'glorot_uniform');
  const wt = ctx.param('w', [cfg.filters, channels, kernel[0], kernel[1]], init);
  let y = g.apply('conv2d', [x, wt], { stride, padding, dilation });
  if (cfg.use_bias) {
    const b = ctx.param('b', [cfg.filters], cfg.bias_init);
    y = g.apply('add', [y, g.apply('reshape', [b], { shape: [cfg.filters, 1, 1] })]);
  }
  return activate(ctx, cfg.activation, y);
};
