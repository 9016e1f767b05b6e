// The LAYERS table: a builder per layer type of the config schema. The mapped type makes the
// compiler reject a layer type without a builder.
import type { LayerConfig } from '../../config/schema.js';
import { activation } from './activation.js';
import { attention } from './attention.js';
import { avgpool2d } from './avgpool2d.js';
import { concat } from './concat.js';
import { conv2d } from './conv2d.js';
import { dense } from './dense.js';
import { dropout } from './dropout.js';
import { embedding } from './embedding.js';
import { global_avg_pool2d } from './global_avg_pool2d.js';
import { maxpool2d } from './maxpool2d.js';
import { positional_embedding } from './positional_embedding.js';
import { sequence_pool } from './sequence_pool.js';
import { batchnorm, layernorm } from './norm.js';
import { gru, lstm, rnn } from './recurrent.js';
import { add, flatten, reshape } from './shape-layers.js';
import { transformer_block } from './transformer_block.js';
import type { LayerBuilder } from './types.js';

export const LAYERS: { readonly [K in LayerConfig['type']]: LayerBuilder<K> } = {
  dense,
  activation,
  conv2d,
  maxpool2d,
  avgpool2d,
  global_avg_pool2d,
  flatten,
  dropout,
  batchnorm,
  layernorm,
  embedding,
  add,
  concat,
  reshape,
  rnn,
  lstm,
  gru,
  attention,
  positional_embedding,
  transformer_block,
  sequence_pool,
};
