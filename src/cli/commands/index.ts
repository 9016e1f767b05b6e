// Every command as the top-level help lists it: name, arguments, whether it has options, and its
// one-line description. `dlf --help` (and a typo, for its suggestion) is answered from this table
// without importing any command module, which would load the compiler and data code of all of
// them. A test (test/cli/help-index.test.ts) checks that the table says what each command module
// registers, so the two cannot drift apart.

export interface CommandEntry {
  readonly name: string;
  /** Arguments as commander writes them: <required>, [optional], <variadic...>. */
  readonly args: readonly string[];
  readonly options: boolean;
  readonly description: string;
}

export const COMMAND_INDEX: readonly CommandEntry[] = [
  { name: 'train', args: ['[config]'], options: true, description: 'train the model a config describes and write a run directory' },
  { name: 'eval', args: ['<run-dir>'], options: true, description: "evaluate a run's checkpoint (best by default) on a data split" },
  {
    name: 'graph',
    args: ['[config|run-dir]'],
    options: true,
    description:
      'compile a config and print its graph as a listing, DOT or SVG (nothing is trained; a CSV table is read to fit its columns); --values runs one training step on one batch and shows every value and gradient',
  },
  { name: 'validate', args: ['<config>'], options: true, description: 'check a config: schema, shapes, memory and data; exit 0 when all is well' },
  { name: 'schema', args: [], options: false, description: 'print the JSON Schema of config files (for editors and CI)' },
  {
    name: 'summary',
    args: ['<config>'],
    options: true,
    description:
      'print a table of the layers of a config: shapes, parameters, multiply-adds, memory (nothing is trained; a CSV table is read to fit its columns)',
  },
  {
    name: 'gradcheck',
    args: ['<config>'],
    options: true,
    description:
      'check the compiled gradients of a config against finite differences (float64, the first training samples, the initial parameters); exit 1 when one is off',
  },
  {
    name: 'predict',
    args: ['<run-dir>'],
    options: true,
    description: "predict with a run's checkpoint (best by default): the class and a probability per class, or the value",
  },
  {
    name: 'generate',
    args: ['<run-dir>'],
    options: true,
    description: 'sample text from a trained language model (a run on text with task: language_model), seeded and reproducible',
  },
  {
    name: 'export',
    args: ['<run-dir>'],
    options: true,
    description: "write a run's model (best checkpoint by default) with its preprocessing as an ONNX file: raw feature values or pixels in, predictions out",
  },
  {
    name: 'info',
    args: [],
    options: true,
    description: 'print the dlf and Node versions, the kernel backends available here, the default, and what the native addon detected',
  },
  {
    name: 'cv',
    args: ['[config]'],
    options: true,
    description: 'k-fold cross-validation: train one run per fold and report mean ± std of the validation metrics',
  },
  {
    name: 'sweep',
    args: ['<sweep>'],
    options: true,
    description: 'run the trials of a sweep file (grid or random search) in parallel and rank them by a metric',
  },
  {
    name: 'plot',
    args: ['<run-dir...>'],
    options: true,
    description: 'draw the learning curves of runs as SVG (loss, each logged metric for train and validation, the learning rate) from their metrics.jsonl',
  },
  {
    name: 'report',
    args: ['<run-dir>'],
    options: true,
    description: 'write one self-contained HTML page about a run: curves, evaluation, model, data, config, environment (works offline, no scripts)',
  },
];
