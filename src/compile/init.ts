// Parameter initialisers, drawing only from the RNG they are given.
import type { InitConfig } from '../config/schema.js';
import type { Rng } from '../tensor/rng.js';
import { type Shape, sizeOf } from '../tensor/shape.js';

/**
 * Fans of a parameter: [n, n] for a vector, [in, out] for a dense matrix [in, out], and for a
 * convolution kernel [F, C, ...window] fan_in = C·window and fan_out = F·window.
 */
function fans(shape: Shape): [number, number] {
  if (shape.length < 2) return [shape[0] ?? 1, shape[0] ?? 1];
  if (shape.length === 2) return [shape[0], shape[1]];
  const size = sizeOf(shape);
  return [size / shape[0], size / shape[1]];
}

/** Fills `out` (of `shape`) by the initialiser `init`; `fanOverride` replaces the default fans. */
export function initialise(init: InitConfig, shape: Shape, rng: Rng, out: Float32Array, fanOverride?: [number, number]): void {
  const [fanIn, fanOut] = fanOverride ?? fans(shape);
  const uniform = (limit: number) => {
    for (let i = 0; i < out.length; i++) out[i] = (2 * rng.uniform() - 1) * limit;
  };
  const normal = (mean: number, std: number) => {
    for (let i = 0; i < out.length; i++) out[i] = mean + std * rng.normal();
  };
  if (typeof init === 'string') {
    switch (init) {
      case 'zeros':
        return void out.fill(0);
      case 'ones':
        return void out.fill(1);
      case 'glorot_uniform':
      case 'xavier_uniform':
        return uniform(Math.sqrt(6 / (fanIn + fanOut)));
      case 'glorot_normal':
      case 'xavier_normal':
        return normal(0, Math.sqrt(2 / (fanIn + fanOut)));
      case 'he_uniform':
      case 'kaiming_uniform':
        return uniform(Math.sqrt(6 / fanIn));
      case 'he_normal':
      case 'kaiming_normal':
        return normal(0, Math.sqrt(2 / fanIn));
    }
  }
  switch (init.type) {
    case 'constant':
      return void out.fill(init.value);
    case 'normal':
      return normal(init.mean, init.std);
    case 'uniform':
      for (let i = 0; i < out.length; i++) out[i] = init.low + (init.high - init.low) * rng.uniform();
      return;
  }
}
