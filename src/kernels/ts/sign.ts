// Reference absolute value and sign (the L1 penalty and its gradient).
import type { Buf } from '../../tensor/buffer.js';

export function abs(x: Buf, out: Buf): void {
  for (let i = 0; i < x.length; i++) out[i] = Math.abs(x[i]);
}

export function sign(x: Buf, out: Buf): void {
  // Math.sign would turn -0 into -0; a plain comparison gives 0 for both zeros and keeps NaN.
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    out[i] = v > 0 ? 1 : v < 0 ? -1 : v === 0 ? 0 : NaN;
  }
}
