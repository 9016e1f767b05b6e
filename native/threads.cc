// The addon's worker threads: parallel_for runs a fixed list of tasks on the calling thread and
// the workers. Kernels split their work so that each task writes its own outputs and computes
// every value the same way whichever thread runs it, so results never depend on the thread count.
// One caller at a time owns the workers; a second caller (another Node worker thread loading the
// addon) runs its tasks alone, with the same results.
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "dlf.h"

namespace dlf {
namespace {

/** The most threads parallel_for uses, whatever is asked. */
constexpr int kMaxThreads = 16;

struct Pool {
  std::mutex owner;  // held by the one caller using the workers
  std::mutex m;
  std::condition_variable wake;
  std::condition_variable done;
  std::vector<std::thread> workers;
  // The current job, published under m.
  TaskFn fn = nullptr;
  void* ctx = nullptr;
  int tasks = 0;
  unsigned long generation = 0;
  std::atomic<int> next{0};
  int busy = 0;  // workers still in the current job
};

/** Never destroyed: workers may still wait on it while the process exits. */
Pool& pool() {
  static Pool* p = new Pool();
  return *p;
}

/** Threads parallel_for uses (the caller and wanted − 1 workers); changed only while holding owner. */
int wanted = 1;

void drain(Pool& p, TaskFn fn, void* ctx, int tasks) {
  for (int t; (t = p.next.fetch_add(1)) < tasks;) fn(ctx, t);
}

/** A worker's loop; `seen0` is the generation when it was made (no job was running then). */
void worker_main(int index, unsigned long seen0) {
  Pool& p = pool();
  // The mode is per thread: workers keep FTZ/DAZ for good, as the calling thread has it during
  // each kernel call (KernelFpMode), so that every task computes alike wherever it runs.
  set_flush_to_zero();
  unsigned long seen = seen0;
  for (;;) {
    TaskFn fn;
    void* ctx;
    int tasks;
    {
      std::unique_lock<std::mutex> lock(p.m);
      p.wake.wait(lock, [&] { return p.generation != seen; });
      seen = p.generation;
      fn = p.fn;
      ctx = p.ctx;
      tasks = p.tasks;
    }
    if (index < wanted - 1) drain(p, fn, ctx, tasks);  // workers beyond the thread count sit out
    std::lock_guard<std::mutex> lock(p.m);
    if (--p.busy == 0) p.done.notify_one();
  }
}

}  // namespace

int set_threads(int n) {
  if (n < 1) n = 1;
  if (n > kMaxThreads) n = kMaxThreads;
  std::lock_guard<std::mutex> own(pool().owner);
  Pool& p = pool();
  while ((int)p.workers.size() < n - 1) {
    // The current generation, read here and not by the new thread: a job published before that
    // thread first runs must still count as new to it, and none before it as new.
    p.workers.emplace_back(worker_main, (int)p.workers.size(), p.generation);
    p.workers.back().detach();
  }
  wanted = n;
  return n;
}

int threads() { return wanted; }

int hardware_threads() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n > (unsigned)kMaxThreads ? kMaxThreads : (int)n;
}

void parallel_for(int tasks, TaskFn fn, void* ctx) {
  if (tasks <= 0) return;
  Pool& p = pool();
  std::unique_lock<std::mutex> own(p.owner, std::try_to_lock);
  const int helpers = std::min(wanted - 1, tasks - 1);
  if (!own.owns_lock() || helpers <= 0) {
    for (int t = 0; t < tasks; t++) fn(ctx, t);
    return;
  }
  // Every worker wakes for a job (they are few); those without a task find none left at once.
  {
    std::lock_guard<std::mutex> lock(p.m);
    p.fn = fn;
    p.ctx = ctx;
    p.tasks = tasks;
    p.next.store(0);
    p.busy = (int)p.workers.size();
    p.generation++;
  }
  p.wake.notify_all();
  drain(p, fn, ctx, tasks);
  std::unique_lock<std::mutex> lock(p.m);
  p.done.wait(lock, [&] { return p.busy == 0; });
}

}  // namespace dlf
