// The public API of the data stage.
export { readCsvTable, parseCsv, type CsvTable } from './csv.js';
export {
  fromCsv,
  fromTable,
  selectRows,
  parseNumber,
  sortClasses,
  type Dataset,
  type Task,
  type CsvSpec,
  type CsvDataConfig,
} from './dataset.js';
export { generate, linear, xor, moons, spirals, SPIRAL_TURN, type SyntheticConfig, type GeneratorSpec } from './synthetic.js';
export { splitDataset, validationSize, type SplitSpec } from './split.js';
export { fitPreprocessing, applyPreprocessing, isPreprocessing, type Preprocessing } from './standardize.js';
export { loadData, loadDataset, type LoadedData } from './load.js';
