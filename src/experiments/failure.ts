// A child dlf that failed, as an error of dlf's own hierarchy with the same exit code, so that
// `dlf cv` and `dlf sweep` end the way the failed `dlf train` ended.
import { DlfError, type ErrorCode, InterruptedError, type Place } from '../errors.js';

const CODES: Record<number, ErrorCode> = { 1: 'TRAINING', 2: 'USAGE', 3: 'IO' };

export function childFailure(exitCode: number, message: string, place: Place = {}, hint?: string): DlfError {
  if (exitCode === 130 || exitCode === 143) return new InterruptedError(message, place, hint, exitCode === 143 ? 'SIGTERM' : 'SIGINT');
  return new DlfError(CODES[exitCode] ?? 'INTERNAL', message, place, hint);
}
