// The in-memory data set every loader produces, and the types its fields are made of.

export type Task = 'classification' | 'regression';

export interface Dataset {
  /**
   * n × sampleSize(ds) values, row-major: sample i is x[i·size .. (i+1)·size). For a data set
   * stored as `pixels` this is a copy made on first read; gatherRows reads rows without it.
   */
  x: Float32Array;
  /** Images stored as bytes (see pixels.ts); absent for tables, whose values are `x`. */
  pixels?: Pixels;
  /**
   * n values: a class index (classification) or the target (regression); with `targetShape`,
   * n × size(targetShape) values, row-major (a label per position of a sequence).
   */
  y: Float32Array;
  /**
   * The shape of one sample's labels when it is not a single value: [L] for a label per token
   * (language models, the built-in sequence tasks). Label 0 there is padding, ignored by the
   * loss and the metrics. Absent: one label per sample.
   */
  targetShape?: number[];
  /**
   * Samples are token ids (data/tokens.ts): `x` holds ids as floats, 0 is padding, and `vocab`
   * names every id (index → token). Absent for tables and images.
   */
  tokens?: TokenInfo;
  /**
   * Samples are consecutive windows of one text (a language model): a split holds out the last
   * ones, never shuffled or stratified, since windows next to each other share their text.
   */
  ordered?: boolean;
  n: number;
  /** Names of the features of a table (empty for images, whose pixels have no names). */
  features: string[];
  /** The shape of one sample, e.g. [1, 28, 28]; absent means [features.length]. */
  shape?: number[];
  task: Task;
  /** Class names by index (classification only). */
  classes?: string[];
  /** Regression: `y` holds standardised targets, (value − mean) / std; absent: the values themselves. */
  target?: { mean: number; std: number };
  /**
   * A table as read, before encoding (data/columns.ts): per feature, the category names that the
   * codes in `x` index (null for a numeric column). Missing cells are NaN in `x`.
   */
  categories?: (string[] | null)[];
  /** Where each row was read from: the file and its row there (the header is row 1). */
  origin?: { file: string; rows: Int32Array };
  /** After encoding: the categories that went to a column's unknown bucket (data/columns.ts). */
  unseen?: UnseenCategories[];
}

/** The pixels of an image data set. Shared between data sets made from one another; never written. */
export interface Pixels {
  /** The source images, `size` bytes each, one after another. */
  readonly bytes: Uint8Array;
  /** The source image of each row: row i is image index[i]; absent, row i is image i. */
  readonly index?: Uint32Array;
  /** The float each byte value 0..255 stands for: the value itself before preprocessing. */
  readonly values: Float32Array;
}

/** Categories of one column that encoding put in the unknown bucket: how many rows, and the first. */
export interface UnseenCategories {
  column: string;
  rows: number;
  first: { category: string; file?: string; row?: number };
}

/** What a data set of token ids says about its tokens. */
export interface TokenInfo {
  /** Every token by id; ids 0–3 are the special tokens (SPECIAL_TOKENS in data/tokens.ts). */
  readonly vocab: readonly string[];
}
