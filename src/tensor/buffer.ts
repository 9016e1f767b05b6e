// The buffer type the kernels compute on and the graph's ops pass to them.

/** A buffer of numbers: float32 for training, float64 for gradient checks. */
export type Buf = Float32Array | Float64Array;
