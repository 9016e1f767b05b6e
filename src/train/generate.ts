// Sampling text from a trained language model (`dlf generate`). The prompt is encoded with the
// run's tokeniser and vocabulary; then, token after token, the model (evaluation mode, batch 1)
// reads the last L tokens as a left-aligned window (padding after them), and the next token is
// drawn from its output at the last real position: logits divided by the temperature, cut to the
// top k, softmax, one draw from a seeded Rng (temperature 0: the argmax). The special tokens are
// never drawn. The same run, prompt, settings and seed give the same text.
//
// A model that can look ahead would see the padding after the window instead of the future it was
// trained to predict without: the run's config is read for the layers that do (a bidirectional
// recurrent layer, attention or a transformer block without causal: true), and the model itself is
// tried on two windows that differ only in their last token, which must not change the outputs
// before it.
import type { Config } from '../config/schema.js';
import { textSettings } from '../data/text.js';
import { decode, encode } from '../data/tokens.js';
import { PAD, SPECIAL_TOKENS, UNK } from '../data/tokens.js';
import { TrainingError, UsageError } from '../errors.js';
import type { Kernels } from '../kernels/kernels.js';
import { Rng, streamSeed } from '../tensor/rng.js';
import { loadRun } from './evaluate.js';
import { type Bound, ModelRuntime } from './runtime.js';

export interface GenerateOptions {
  /** Text the generation continues; default: a line break, when the vocabulary has one. */
  prompt?: string;
  /** Tokens to generate. */
  length: number;
  /** 0: always the most probable token; above 1 flatter, below 1 sharper. */
  temperature: number;
  /** Draw only among the k most probable tokens (undefined: all). */
  topK?: number;
  seed: number;
  checkpoint?: string;
  kernels: Kernels;
  maxMemory?: number;
  /** Called after each generated token (for progress). */
  onToken?: (done: number, total: number) => void;
}

export interface Generated {
  checkpoint: string;
  /** The prompt as the model read it: its tokens and ids (an unknown token is `<unk>`, id 1). */
  prompt: { text: string; tokens: string[]; ids: number[] };
  /** The tokens drawn, in order. */
  generated: { tokens: string[]; ids: number[] };
  /** Prompt and generated tokens decoded into text. */
  text: string;
  seed: number;
  temperature: number;
  topK?: number;
  warnings: string[];
}

/** The layers that let an output see later positions, from the run's config; one line each. */
export function lookAheadLayers(config: Config): string[] {
  const found: string[] = [];
  const check = (layer: Record<string, unknown>, where: string) => {
    const type = layer.type;
    if ((type === 'rnn' || type === 'lstm' || type === 'gru') && layer.bidirectional === true)
      found.push(`${where}: a bidirectional ${type} reads the sequence backwards too`);
    if ((type === 'attention' || type === 'transformer_block') && layer.causal !== true)
      found.push(`${where}: ${type} without causal: true attends to later tokens`);
  };
  const layers = config.model.layers as readonly Record<string, unknown>[] | undefined;
  layers?.forEach((l, i) => check(l, `model.layers.${i} (${String(l.type)})`));
  const nodes = (config.model.graph?.nodes ?? []) as readonly { name: string; layer?: Record<string, unknown> }[];
  for (const n of nodes) if (n.layer) check(n.layer, `model.graph node ${n.name} (${String(n.layer.type)})`);
  return found;
}

/** The task of text data (its default depends on the file), or undefined for other sources. */
function textTask(config: Config): string | undefined {
  return config.data.source === 'text' ? textSettings(config.data).task : undefined;
}

/** Samples `opts.length` tokens from the language model of the run in `runDir`. */
export function generateFromRun(runDir: string, opts: GenerateOptions): Generated {
  if (!(opts.temperature >= 0 && Number.isFinite(opts.temperature))) throw new UsageError(`--temperature must be a number ≥ 0, got ${opts.temperature}`);
  const run = loadRun(runDir, opts.checkpoint, opts.maxMemory);
  const { config, prep } = run;
  const task = textTask(config);
  if (task !== 'language_model' || prep.kind !== 'tokens' || prep.labels !== 'tokens') {
    const what = task !== undefined ? `text data with task ${task}` : `data.source ${config.data.source}`;
    throw new UsageError(
      `${run.runDir} is not a language model (it was trained on ${what})`,
      'dlf generate samples from a run on data.source: text with task: language_model',
    );
  }
  const ahead = lookAheadLayers(config);
  if (ahead.length > 0) {
    throw new UsageError(
      `the model of ${run.runDir} can look ahead, so it cannot generate one token at a time: ${ahead.join('; ')}`,
      'a language model needs causal layers: causal: true on attention and transformer_block, no bidirectional recurrent layer',
    );
  }
  const L = prep.length;
  const vocab = prep.vocab;
  const settings = { tokenizer: prep.tokenizer, lowercase: prep.lowercase };
  const warnings: string[] = [];
  let promptText = opts.prompt ?? '';
  if (promptText === '') {
    if (!vocab.includes('\n')) {
      throw new UsageError(
        'give a --prompt: the vocabulary has no line break to start from',
        `for example --prompt ${JSON.stringify(vocab[SPECIAL_TOKENS.length] ?? 'a')}`,
      );
    }
    promptText = '\n';
  }
  const promptIds = encode(promptText, settings, vocab);
  if (promptIds.length === 0) throw new UsageError(`the prompt ${JSON.stringify(promptText)} has no tokens for the ${prep.tokenizer} tokeniser`);
  if (promptIds.every((id) => id === UNK)) warnings.push('every token of the prompt is unknown to the vocabulary: the model sees only <unk>');

  const rt = new ModelRuntime(run.model, opts.kernels, run.params);
  const b = rt.bind(1, 'eval');
  const V = b.cols;
  checkCausal(b, L, V, run.runDir);
  const rng = new Rng(streamSeed(opts.seed, 'generate'));
  const ids = promptIds.slice();
  const drawn: number[] = [];
  const scratch = { logits: new Float64Array(V), order: new Int32Array(V) };
  for (let i = 0; i < opts.length; i++) {
    const m = Math.min(ids.length, L);
    b.x.fill(PAD);
    for (let t = 0; t < m; t++) b.x[t] = ids[ids.length - m + t];
    b.ex.run();
    const next = sampleNext(b.output.subarray((m - 1) * V, m * V), opts.temperature, opts.topK, rng, scratch);
    ids.push(next);
    drawn.push(next);
    opts.onToken?.(i + 1, opts.length);
  }
  const tokenOf = (id: number) => vocab[id] ?? '<unk>';
  return {
    checkpoint: run.ckptPath,
    prompt: { text: promptText, tokens: promptIds.map(tokenOf), ids: promptIds },
    generated: { tokens: drawn.map(tokenOf), ids: drawn },
    text: decode(ids, vocab, prep.tokenizer),
    seed: opts.seed,
    temperature: opts.temperature,
    ...(opts.topK !== undefined ? { topK: opts.topK } : {}),
    warnings,
  };
}

/**
 * The next token from one position's logits: the argmax at temperature 0 (the lower id on a tie),
 * else a draw from softmax(logits / temperature) over the top `topK` ids (all when undefined; on a
 * tie at the cut the lower id is kept). The special tokens are left out. Draws one uniform number
 * from `rng` unless the temperature is 0.
 */
export function sampleNext(
  logits: ArrayLike<number>,
  temperature: number,
  topK: number | undefined,
  rng: Rng,
  scratch = { logits: new Float64Array(logits.length), order: new Int32Array(logits.length) },
): number {
  const V = logits.length;
  let n = 0;
  // The special tokens (padding, unknown, start, end: ids 0 to 3) are never drawn.
  for (let c = SPECIAL_TOKENS.length; c < V; c++) scratch.order[n++] = c;
  if (n === 0) throw new UsageError('the vocabulary has no token but the special ones');
  const order = scratch.order.subarray(0, n);
  for (const c of order)
    if (!Number.isFinite(logits[c])) throw new TrainingError(`the model's output for the next token is not finite (${logits[c]} for id ${c})`);
  if (temperature === 0 || topK === 1) {
    let best = order[0];
    for (const c of order) if (logits[c] > logits[best]) best = c;
    return best;
  }
  // Most probable first; the lower id first on a tie, so that the cut at k is deterministic.
  order.sort((a, b) => logits[b] - logits[a] || a - b);
  const k = topK === undefined ? n : Math.min(topK, n);
  const z = scratch.logits;
  // Differences to the largest logit, divided after subtracting: a tiny temperature gives -Infinity
  // (weight 0) for the others and 0 (weight 1) for the largest, never Infinity - Infinity.
  const top = logits[order[0]];
  let sum = 0;
  for (let i = 0; i < k; i++) {
    z[i] = Math.exp((logits[order[i]] - top) / temperature);
    sum += z[i];
  }
  let u = rng.uniform() * sum;
  for (let i = 0; i < k; i++) {
    u -= z[i];
    if (u < 0) return order[i];
  }
  return order[k - 1];
}

/**
 * Runs the model on two full windows of real tokens that differ only in their last token: the
 * outputs before it must be the same, or the model looks ahead (a layer the config check does not
 * know of, such as a dense layer over the flattened sequence).
 */
function checkCausal(b: Bound, L: number, V: number, runDir: string): void {
  if (L < 2 || V <= SPECIAL_TOKENS.length + 1) return;
  const first = SPECIAL_TOKENS.length;
  for (let t = 0; t < L; t++) b.x[t] = first + (t % (V - first));
  b.ex.run();
  const before = Float32Array.from(b.output.subarray(0, (L - 1) * V));
  b.x[L - 1] = b.x[L - 1] === first ? first + 1 : first;
  b.ex.run();
  const after = b.output.subarray(0, (L - 1) * V);
  for (let i = 0; i < before.length; i++) {
    if (before[i] !== after[i]) {
      throw new UsageError(
        `the model of ${runDir} can look ahead: its output at position ${Math.floor(i / V)} changes with the token at position ${L - 1}`,
        'a language model must predict each token from the tokens before it only (causal layers, no flatten over the sequence)',
      );
    }
  }
}
