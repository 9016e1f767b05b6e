// avgpool2d: mean over pool_size windows of NCHW input, every `stride` cells (default: the pool
// size); padded cells are not counted.
import { pool2d } from './maxpool2d.js';
import type { LayerBuilder } from './types.js';

export const avgpool2d: LayerBuilder<'avgpool2d'> = (ctx, cfg, [x]) => pool2d(ctx, 'avgpool2d', cfg, x);
