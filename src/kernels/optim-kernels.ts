// The optimizer part of the kernel interface: parameter updates in place over float32 buffers.
// Every method reads and writes only the buffers it is given (all of one parameter's length),
// allocates nothing, and computes each element in float64 before storing it as float32.

export interface OptimizerKernels {
  /** SGD in place: w -= lr·g. */
  sgdStep(w: Float32Array, g: Float32Array, lr: number): void;
  /**
   * SGD with momentum in place (PyTorch convention, no dampening): buf = mu·buf + g; then
   * w -= lr·(g + mu·buf) with Nesterov, else w -= lr·buf.
   */
  momentumStep(w: Float32Array, g: Float32Array, buf: Float32Array, lr: number, mu: number, nesterov: boolean): void;
  /** AdaGrad in place: sum += g²; w -= lr·g/(√sum + eps). */
  adagradStep(w: Float32Array, g: Float32Array, sum: Float32Array, lr: number, eps: number): void;
  /**
   * RMSProp in place: sq = rho·sq + (1-rho)·g²; then, with a momentum buffer,
   * buf = mu·buf + g/(√sq + eps) and w -= lr·buf; without one (`buf` null), w -= lr·g/(√sq + eps).
   */
  rmspropStep(w: Float32Array, g: Float32Array, sq: Float32Array, buf: Float32Array | null, lr: number, rho: number, mu: number, eps: number): void;
  /** Adam in place with bias correction folded into lrT (= lr * sqrt(1-b2^t) / (1-b1^t)) and epsT. */
  adamStep(w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, b1: number, b2: number, lrT: number, epsT: number): void;
  /** Decoupled weight decay in place: w -= rate·w (AdamW uses rate = lr·weight_decay). */
  decayStep(w: Float32Array, rate: number): void;
  /** Gradient of the L1 and L2 penalties added in place: g += l2·w + l1·sign(w) (sign(0) = 0). */
  penaltyGrad(w: Float32Array, g: Float32Array, l1: number, l2: number): void;
}
