// Loss, task and output width must agree: a classification loss on a numeric target trains to NaN
// or a negative loss, and mse on class indices learns nothing useful, yet the graph builds either
// way. These checks run when the model is laid out (before any data row is read when the config
// tells the task and classes; again once the data has told the classes) and fail with a located
// ConfigError whose hint is a fix that works, spelt as `--set` arguments.
import type { Config, LossConfig } from '../config/schema.js';
import type { DataDims } from '../data/dims.js';
import { ConfigError, type Place } from '../errors.js';
import type { Locator } from './model.js';

type Path = (string | number)[];

/**
 * The loss a config trains with: its `loss` key, else mse for regression, and for classification
 * sigmoid_binary_cross_entropy when the model ends in one logit (a two-class model; the data must
 * then have two classes), softmax_cross_entropy otherwise.
 */
export function lossOf(config: Config, task: DataDims['task'], outWidth?: number): LossConfig {
  if (config.loss) return config.loss;
  if (task === 'regression') return 'mse';
  return outWidth === 1 ? 'sigmoid_binary_cross_entropy' : 'softmax_cross_entropy';
}

/** Layer types that keep the width of their input, so the width is the last dense layer's units. */
const WIDTH_KEEPING = new Set(['activation', 'dropout', 'layernorm', 'batchnorm']);

/** The key that sets the model's output width (the last dense layer's units), when the list form has one. */
function widthKey(config: Config): Path | undefined {
  const layers = config.model.layers;
  if (!layers) return undefined;
  for (let i = layers.length - 1; i >= 0; i--) {
    if (layers[i].type === 'dense') return ['model', 'layers', i, 'units'];
    if (!WIDTH_KEEPING.has(layers[i].type)) return undefined;
  }
  return undefined;
}

/** A fix as `--set` arguments, or undefined when no key of the config can make the width `want`. */
function fix(config: Config, sets: Record<string, string>, width: number | undefined, want: number): string | undefined {
  const all = { ...sets };
  if (width !== want) {
    const key = widthKey(config);
    if (!key) return undefined;
    all[key.join('.')] = String(want);
  }
  return Object.entries(all)
    .map(([k, v]) => `--set ${k}=${v}`)
    .join(' ');
}

/** The `--set` arguments that turn the config into a regression of a numeric target. */
function regressionFix(config: Config, width: number | undefined): string | undefined {
  const sets: Record<string, string> = {};
  if (config.data.source === 'csv' && config.data.task !== 'regression') sets['data.task'] = 'regression';
  if (config.loss && config.loss !== 'mse') sets.loss = 'mse';
  return fix(config, sets, width, 1);
}

/** The `--set` arguments that make a classification of `classes` classes agree. */
function classificationFix(config: Config, width: number | undefined, classes: number, loss: LossConfig): string | undefined {
  // A one-logit two-class model stays one logit (the sigmoid default); anything else gets one logit per class.
  if (classes === 2 && width === 1)
    return fix(config, loss === 'sigmoid_binary_cross_entropy' || !config.loss ? {} : { loss: 'sigmoid_binary_cross_entropy' }, width, 1);
  return fix(config, config.loss && config.loss !== 'softmax_cross_entropy' ? { loss: 'softmax_cross_entropy' } : {}, width, classes);
}

/** The model's output width in words: `3 units`, or what it is when not [batch, n]. */
const widthText = (width: number | undefined): string =>
  width === undefined ? 'an output that is not [batch, n]' : `${width} ${width === 1 ? 'unit' : 'units'}`;

const hintOf = (what: string, sets: string | undefined): string | undefined => (sets ? `${what}: ${sets}` : undefined);

/**
 * Throws a ConfigError when the loss does not fit the task, the number of classes (when known) or
 * the output width. `width` is the model output's last axis (undefined when the output is not [batch, n]).
 */
export function checkLossAgreement(config: Config, dims: DataDims, width: number | undefined, locate: Locator): void {
  // A label per token with an output of the wrong rank: compile/loss.ts says what the output must be.
  if (dims.targetShape && width === undefined) return;
  const loss = lossOf(config, dims.task, width);
  const explicit = config.loss !== undefined;
  const at = (fallback: Path): Place => locate(explicit ? ['loss'] : fallback);
  const wkey = widthKey(config) ?? (config.model.layers ? ['model', 'layers', config.model.layers.length - 1] : ['model', 'graph', 'output']);
  const fail = (place: Place, message: string, hint?: string): never => {
    throw new ConfigError([{ place, message, ...(hint ? { hint } : {}) }]);
  };
  if (dims.task === 'regression') {
    if (loss !== 'mse') {
      fail(at(['loss']), `${loss} is a classification loss, but the task is regression (a numeric target)`, hintOf('use mse', regressionFix(config, width)));
    }
    if (width !== 1)
      fail(locate(wkey), `a regression model must end in 1 unit, this one ends in ${widthText(width)}`, hintOf('make it 1 unit', fix(config, {}, width, 1)));
    return;
  }
  const k = dims.classes;
  if (loss === 'mse') {
    // Before the data has told the classes, a fix cannot be named: a one-unit model waits for them.
    if (k === undefined && width === 1) return;
    const hint =
      k === undefined
        ? 'use softmax_cross_entropy with one unit per class, or data.task: regression for a numeric target'
        : hintOf(`for ${k} classes`, classificationFix(config, width, k, loss));
    fail(at(['loss']), 'mse is a regression loss, but the task is classification (class labels)', hint);
  }
  if (loss === 'sigmoid_binary_cross_entropy') {
    if (width !== 1)
      fail(
        at(wkey),
        `sigmoid_binary_cross_entropy needs one logit, the model ends in ${widthText(width)}`,
        hintOf(k === undefined ? 'one logit' : `for ${k} classes`, k === undefined ? fix(config, {}, width, 1) : classificationFix(config, width, k, loss)),
      );
    if (k !== undefined && k !== 2) {
      const what = explicit ? 'sigmoid_binary_cross_entropy' : 'a model with one logit (sigmoid_binary_cross_entropy, the default for one logit)';
      fail(at(wkey), `${what} needs two classes, but the data has ${k}`, hintOf(`one logit per class`, classificationFix(config, width, k, loss)));
    }
    return;
  }
  if (k !== undefined && width !== k) {
    fail(
      at(wkey),
      `the model ends in ${widthText(width)} but the data has ${k} classes`,
      hintOf(`for ${k} classes`, classificationFix(config, width, k, loss)),
    );
  }
}

/** More distinct numeric labels than this, taken as classes, are taken to be a mistaken regression target. */
const MAX_NUMERIC_CLASSES = 20;

/**
 * A CSV label column of numbers read as classes: more than MAX_NUMERIC_CLASSES distinct values, or
 * any that is not an integer, is almost surely a numeric target (a price, a measurement) that
 * became one class per value. A ConfigError at data.label, unless the config says
 * `task: classification` itself (`explicitTask`).
 */
export function checkNumericClasses(config: Config, classes: readonly string[], explicitTask: boolean, width: number | undefined, locate: Locator): void {
  if (config.data.source !== 'csv' || config.data.task !== 'classification' || explicitTask) return;
  const numbers = classes.map((c) => (c.trim() === '' ? NaN : Number(c)));
  if (!numbers.every(Number.isFinite)) return;
  const fractional = numbers.some((v) => !Number.isInteger(v));
  if (classes.length <= MAX_NUMERIC_CLASSES && !fractional) return;
  const why = fractional ? 'numbers that are not all integers' : `${classes.length} distinct numbers`;
  const sets = regressionFix(config, width);
  throw new ConfigError([
    {
      place: locate(['data', 'label']),
      message: `column '${config.data.label}' holds ${why}, taken as ${classes.length} classes`,
      hint:
        (sets ? `for a numeric target: ${sets}` : 'for a numeric target set data.task: regression with a last layer of 1 unit') +
        '; write data.task: classification to keep one class per value',
    },
  ]);
}
