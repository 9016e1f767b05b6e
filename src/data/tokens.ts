// Token ids: the special tokens every vocabulary starts with. Id 0 is padding, so a mask of real
// tokens is `id != 0` and a label 0 is ignored by the loss and the metrics.

/** The special tokens, at ids 0–3 of every vocabulary: padding, unknown, start and end of a sequence. */
export const SPECIAL_TOKENS = ['<pad>', '<unk>', '<s>', '</s>'] as const;
export const PAD = 0;
export const UNK = 1;
export const BOS = 2;
export const EOS = 3;
