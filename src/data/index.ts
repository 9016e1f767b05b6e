// The public API of the data stage.
export { readCsvTable, parseCsv, type CsvTable } from './csv.js';
export {
  fromCsv,
  fromTable,
  selectRows,
  sampleShape,
  sampleSize,
  parseNumber,
  sortClasses,
  type Dataset,
  type Task,
  type CsvSpec,
  type CsvDataConfig,
} from './dataset.js';
export {
  readIdxImages,
  readIdxLabels,
  readIdxHeader,
  readIdxBytes,
  parseIdxImages,
  parseIdxLabels,
  checkIdxPair,
  isGzip,
  IDX_IMAGES_MAGIC,
  IDX_LABELS_MAGIC,
  type IdxImages,
  type IdxLabels,
  type IdxHeader,
  type IdxKind,
} from './idx.js';
export { fromIdx, idxClasses, imageShape, DIGIT_CLASSES, type IdxDataConfig, type ImageSetOptions } from './images.js';
export { generate, linear, xor, moons, spirals, SPIRAL_TURN, type SyntheticConfig, type GeneratorSpec } from './synthetic.js';
export { splitDataset, validationSize, type SplitSpec } from './split.js';
export {
  fitPreprocessing,
  fitImagePreprocessing,
  applyPreprocessing,
  isPreprocessing,
  parsePreprocessing,
  type Preprocessing,
  type TablePreprocessing,
  type ImagePreprocessing,
  type ImageScale,
} from './standardize.js';
export {
  loadData,
  loadDataset,
  loadTestSet,
  fitPreprocessingFor,
  idxTestFiles,
  DEFAULT_TEST_IMAGES,
  DEFAULT_TEST_LABELS,
  type LoadedData,
} from './load.js';
export { dataDims, type DataDims } from './dims.js';
