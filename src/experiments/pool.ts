// Running tasks at most `jobs` at a time, in order, launching no new task once `stop()` says so
// (an interrupt, a failure that makes the rest pointless). Tasks already running finish.

export async function runPool<T>(items: readonly T[], jobs: number, task: (item: T) => Promise<void>, stop: () => boolean = () => false): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !stop()) {
      const item = items[next++];
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
}

/** DLF_THREADS for each of `jobs` children sharing `cores`: an equal share, at least 1, no more than `cap` (a DLF_THREADS the user set). */
export function threadsPerJob(cores: number, jobs: number, cap?: string): number {
  const share = Math.max(1, Math.floor(cores / Math.max(1, jobs)));
  const user = cap !== undefined && /^\d+$/.test(cap) ? Number(cap) : 0;
  return user > 0 ? Math.min(share, user) : share;
}
