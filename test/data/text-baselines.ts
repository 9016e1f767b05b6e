// The baselines the shipped text configs must beat on their held-out splits (seed 1), recorded
// here for the tests that train those configs; test/data/text-baseline.test.ts recomputes them.

/** A bag-of-characters logistic regression on configs/names-classify.yaml's validation split: its accuracy. */
export const NAMES_BOW_BASELINE = 0.7258;
/** The unigram model of configs/moby-dick-lm.yaml's training text: its validation perplexity. */
export const MOBY_UNIGRAM_PERPLEXITY = 20.289;
