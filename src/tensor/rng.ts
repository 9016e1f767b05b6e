// The seeded random number generator: xoshiro128** (Blackman and Vigna) seeded through
// splitmix32. It is the only source of randomness in dlf; its state is four uint32 words that
// can be saved into a checkpoint and restored, so a resumed run draws the same numbers.

export type RngState = [number, number, number, number];

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;

export class Rng {
  /**
   * The four state words. A typed array rather than four number fields: words of 2^31 and above
   * are not small integers to V8, so fields would allocate a heap number on every draw.
   */
  private readonly s = new Uint32Array(4);

  constructor(seed: number) {
    const next = splitmix32(seed);
    for (let i = 0; i < 4; i++) this.s[i] = next();
  }

  static fromState(state: RngState): Rng {
    const r = new Rng(0);
    r.setState(state);
    return r;
  }

  state(): RngState {
    return [this.s[0], this.s[1], this.s[2], this.s[3]];
  }

  setState(state: RngState): void {
    // Check the words as they will be stored: 2^32, NaN or a missing word all become 0.
    const words = Array.from(state, (w) => w >>> 0);
    if (words.length !== 4 || words.every((w) => w === 0)) throw new Error('invalid RNG state');
    this.s.set(words);
  }

  /** The next uint32. */
  nextU32(): number {
    const s = this.s;
    const s0 = s[0];
    const s1 = s[1];
    const result = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = s1 << 9;
    const s2 = s[2] ^ s0;
    const s3 = s[3] ^ s1;
    s[1] = s1 ^ s2;
    s[0] = s0 ^ s3;
    s[2] = s2 ^ t;
    s[3] = rotl(s3 >>> 0, 11);
    return result;
  }

  /** Uniform in [0, 1) with 32 random bits. */
  uniform(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [0, n), without modulo bias. */
  int(n: number): number {
    if (!(n > 0 && n <= 4294967296)) throw new Error(`Rng.int: bad bound ${n}`);
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const x = this.nextU32();
      if (x < limit) return x % n;
    }
  }

  /** Standard normal (Box-Muller; one value per call, so the stream is simple to resume). */
  normal(): number {
    let u = this.uniform();
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Fisher-Yates shuffle in place. */
  shuffle(a: { length: number; [i: number]: number }): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}

/**
 * A seed for one named stream of randomness (`data`, `init`, `shuffle`, ...), so that drawing more
 * numbers in one place never shifts another: FNV-1a of the name mixed with the run's seed.
 */
export function streamSeed(seed: number, stream: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < stream.length; i++) h = Math.imul(h ^ stream.charCodeAt(i), 0x01000193) >>> 0;
  return (h ^ Math.imul(seed >>> 0, 0x9e3779b1)) >>> 0;
}
