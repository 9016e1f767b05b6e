// Checkpoints: one JSON file holding a format version, a digest of its contents, the config hash,
// where training was (epoch, step), every parameter and state tensor by name with its shape and
// data (base64 of little-endian float32, so values round-trip bit-exactly), the optimizer state,
// the RNG states, the monitors (best checkpoint, early stopping, reduce-on-plateau), the
// preprocessing and the last metrics: all that resuming needs to continue exactly where training
// stopped. docs/checkpoint.md describes every field and the digest.
//
// Writing checks the checkpoint (checkpoint-check.ts), digests it (checkpoint-digest.ts) and
// writes it durably in one file. Loading reads the file once, capped and only if it is a regular
// file, parses it strictly (checkpoint-json-read.ts), checks every member's type, verifies the
// digest and checks the checkpoint as writing does: whatever the file holds, the result is a
// valid checkpoint or a one-line CheckpointError naming the file, never NaN weights or another
// exception. Version-1 files (no digest) still load, with every check but the digest.
import { CheckpointError, TrainingError } from '../errors.js';
import { ReadFailure, readRegularFile, sizeText } from '../io/read.js';
import { writeFileDurable } from '../io/write.js';
import { checkpointProblem } from './checkpoint-check.js';
import { digestOf } from './checkpoint-digest.js';
import { CHECKPOINT_FORMAT, DocumentProblem, documentOf, readDocument } from './checkpoint-document.js';
import { type JsonLimits, JsonSyntaxError, lineColumn, parseJson } from './checkpoint-json-read.js';
import { jsonBytes, jsonLength } from './checkpoint-json-write.js';
import type { Checkpoint, Progress, Tensors } from './state.js';

export type { Checkpoint, Progress, Tensors };

/** The format version written; version 1 (no digest) is still read. */
const CHECKPOINT_VERSION = 2;
const READABLE_VERSIONS: readonly number[] = [1, 2];

/**
 * The largest checkpoint file dlf writes or reads: 4 GiB - 1 byte. A checkpoint is read into one
 * Buffer, which Node 20 caps at 4 GiB, and 4 GiB of checkpoint is the model dlf can still train
 * (about 268M parameters with Adam, 805M with plain SGD; see docs/checkpoint.md).
 */
export const CHECKPOINT_MAX_BYTES = 2 ** 32 - 1;

/**
 * Bounds on the JSON structure of a checkpoint apart from its tensor data: a checkpoint nests 5
 * deep and holds about 10 values per tensor plus 3 per input feature, and its names and class
 * names are short. Base64 data of more than 64 KiB do not count as text (they stay bytes).
 */
const CHECKPOINT_JSON_LIMITS: JsonLimits = {
  maxDepth: 32,
  maxValues: 4_000_000,
  maxTextBytes: 64 * 2 ** 20,
  longString: 64 * 2 ** 10,
};

/**
 * The bytes of the checkpoint file for `c` (version 2, digest included). Throws TrainingError
 * when a tensor or slot holds NaN or an infinity, CheckpointError when `c` is otherwise not a
 * valid checkpoint or its file would be larger than CHECKPOINT_MAX_BYTES; `file` is for messages.
 */
export function checkpointBytes(c: Checkpoint, file?: string): Buffer {
  const bad = checkpointProblem(c);
  if (bad?.nonFinite) {
    throw new TrainingError(`cannot write the checkpoint of epoch ${c.epoch}: ${bad.message}`, file ? { file } : {}, 'the checkpoint already on disk is kept');
  }
  if (bad) throw new CheckpointError(`cannot write the checkpoint of epoch ${c.epoch}: ${bad.message}`, file ? { file } : {});
  const doc = documentOf(c, CHECKPOINT_VERSION, digestOf(documentOf(c, CHECKPOINT_VERSION)));
  const length = jsonLength(doc);
  if (length > CHECKPOINT_MAX_BYTES) {
    throw new CheckpointError(
      `cannot write the checkpoint: it would be ${sizeText(length)}, more than the ${sizeText(CHECKPOINT_MAX_BYTES)} a checkpoint may have`,
      file ? { file } : {},
      'the model and its optimizer slots are too large for one checkpoint file',
    );
  }
  return jsonBytes(doc, length);
}

/** Writes `c` to `path` durably (a temporary file, synced, renamed over `path`). */
export function saveCheckpoint(path: string, c: Checkpoint): void {
  writeFileDurable(path, checkpointBytes(c, path));
}

/** The checkpoint held by the bytes of a checkpoint file, fully checked (see the header). */
export function parseCheckpoint(bytes: Uint8Array, file: string): Checkpoint {
  if (bytes.length === 0) throw new CheckpointError('checkpoint is empty', { file });
  let doc;
  try {
    doc = parseJson(bytes, CHECKPOINT_JSON_LIMITS);
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    const at = lineColumn(bytes, e.offset);
    const what = e.truncated ? `checkpoint is cut short: ${e.message}` : `checkpoint is not valid JSON: ${e.message}`;
    throw new CheckpointError(what, { file, ...at }, e.truncated ? 'the file was not written completely' : undefined);
  }
  if (!(doc instanceof Map) || doc.get('format') !== CHECKPOINT_FORMAT) throw new CheckpointError('not a dlf checkpoint', { file });
  const version = doc.get('version');
  if (typeof version !== 'number' || !READABLE_VERSIONS.includes(version)) {
    const shown = typeof version === 'number' ? String(version) : 'missing';
    throw new CheckpointError(`checkpoint format version ${shown} is not supported (this dlf reads versions ${READABLE_VERSIONS.join(' and ')})`, { file });
  }
  let read;
  try {
    read = readDocument(doc, version);
  } catch (e) {
    if (e instanceof DocumentProblem) throw new CheckpointError(`invalid checkpoint: ${e.message}`, { file });
    throw e;
  }
  const { ckpt, digest } = read;
  if (version >= 2) {
    if (!/^sha256:[0-9a-f]{64}$/.test(digest!))
      throw new CheckpointError('invalid checkpoint: the digest is not sha256: and 64 lowercase hex digits', { file });
    if (digestOf(documentOf(ckpt, version)) !== digest) {
      throw new CheckpointError('checkpoint does not match its digest: it was changed or damaged after it was written', { file });
    }
  }
  const bad = checkpointProblem(ckpt);
  if (bad) throw new CheckpointError(`invalid checkpoint: ${bad.message}`, { file });
  return ckpt;
}

/** Reads a checkpoint file once (a regular file of at most `maxBytes`) and parses it. */
export function loadCheckpoint(path: string, maxBytes = CHECKPOINT_MAX_BYTES): Checkpoint {
  let bytes: Buffer;
  try {
    bytes = readRegularFile(path, maxBytes);
  } catch (e) {
    if (!(e instanceof ReadFailure)) throw e;
    if (e.errno === 'ENOENT') throw new CheckpointError('checkpoint not found', { file: path });
    const what = /^(is|grew) /.test(e.reason) ? `checkpoint ${e.reason}` : `cannot read the checkpoint: ${e.reason}`;
    throw new CheckpointError(what, { file: path });
  }
  return parseCheckpoint(bytes, path);
}
