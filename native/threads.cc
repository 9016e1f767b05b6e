// The addon's worker threads: parallel_for runs a fixed list of tasks on the calling thread and
// the workers. Kernels split their work so that each task writes its own outputs and computes
// every value the same way whichever thread runs it, so results never depend on the thread count.
// One caller at a time owns the workers; a second caller (another Node worker thread loading the
// addon) runs its tasks alone, with the same results.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define DLF_PAUSE() _mm_pause()
#else
#define DLF_PAUSE() ((void)0)
#endif

#include "dlf.h"

namespace dlf {
namespace {

/** The most threads parallel_for uses, whatever is asked. */
constexpr int kMaxThreads = 16;

/**
 * How long a worker keeps polling for the next job before it sleeps, and the caller for its
 * job's last task before it sleeps. A training step calls one threaded kernel after another with
 * a few microseconds of JavaScript between them; waking a sleeping thread takes tens of
 * microseconds on a virtual machine, longer than many of those kernels take, so a worker that
 * slept between them would make the second thread a loss.
 */
constexpr std::chrono::microseconds kSpin{200};

struct Pool {
  std::mutex owner;  // held by the one caller using the workers
  std::mutex m;
  std::condition_variable wake;
  std::condition_variable done;
  std::vector<std::thread> workers;
  // The current job, written under m before generation moves on.
  TaskFn fn = nullptr;
  void* ctx = nullptr;
  int tasks = 0;
  std::atomic<unsigned long> generation{0};
  // The job's low 32 generation bits, then the next task to hand out: a task is claimed only by
  // whoever still sees its job's generation, so a worker that wakes after its job has ended
  // takes nothing from the next one.
  std::atomic<uint64_t> ticket{0};
  std::atomic<int> finished{0};  // tasks of the current job that have returned
};

/** Never destroyed: workers may still wait on it while the process exits. */
Pool& pool() {
  static Pool* p = new Pool();
  return *p;
}

/** Threads parallel_for uses (the caller and wanted − 1 workers); changed only while holding owner. */
std::atomic<int> wanted{1};

/** The next task of job `gen` for the caller to run, or −1 when it has none left (or has ended). */
int claim(Pool& p, unsigned long gen, int tasks) {
  uint64_t t = p.ticket.load(std::memory_order_relaxed);
  for (;;) {
    if ((uint32_t)(t >> 32) != (uint32_t)gen || (int)(uint32_t)t >= tasks) return -1;
    if (p.ticket.compare_exchange_weak(t, t + 1, std::memory_order_acq_rel, std::memory_order_relaxed)) return (int)(uint32_t)t;
  }
}

/** Runs tasks of job `gen` until none is left; wakes the caller when it ran the job's last one. */
void drain(Pool& p, unsigned long gen, TaskFn fn, void* ctx, int tasks, bool caller) {
  for (int t; (t = claim(p, gen, tasks)) >= 0;) {
    fn(ctx, t);
    if (p.finished.fetch_add(1, std::memory_order_acq_rel) + 1 == tasks && !caller) {
      std::lock_guard<std::mutex> lock(p.m);
      p.done.notify_one();
    }
  }
}

/** Polls `ready` for up to kSpin; true when it became so. */
template <class Ready>
bool spin_until(Ready ready) {
  const auto until = std::chrono::steady_clock::now() + kSpin;
  for (int i = 1;; i++) {
    if (ready()) return true;
    DLF_PAUSE();
    if ((i & 63) == 0 && std::chrono::steady_clock::now() > until) return false;
  }
}

/** A worker's loop; `seen0` is the generation when it was made (no job was running then). */
void worker_main(int index, unsigned long seen0) {
  Pool& p = pool();
  // The mode is per thread: workers keep FTZ/DAZ for good, as the calling thread has it during
  // each kernel call (KernelFpMode), so that every task computes alike wherever it runs.
  set_flush_to_zero();
  unsigned long seen = seen0;
  for (;;) {
    // Workers beyond the thread count neither poll nor run tasks.
    if (index < wanted.load(std::memory_order_relaxed) - 1)
      spin_until([&] { return p.generation.load(std::memory_order_acquire) != seen; });
    TaskFn fn;
    void* ctx;
    int tasks;
    unsigned long gen;
    {
      std::unique_lock<std::mutex> lock(p.m);
      p.wake.wait(lock, [&] { return p.generation.load(std::memory_order_relaxed) != seen; });
      gen = seen = p.generation.load(std::memory_order_relaxed);
      fn = p.fn;
      ctx = p.ctx;
      tasks = p.tasks;
    }
    if (index < wanted.load(std::memory_order_relaxed) - 1) drain(p, gen, fn, ctx, tasks, false);
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
    p.workers.emplace_back(worker_main, (int)p.workers.size(), p.generation.load());
    p.workers.back().detach();
  }
  wanted.store(n);
  return n;
}

int threads() { return wanted.load(std::memory_order_relaxed); }

int hardware_threads() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n > (unsigned)kMaxThreads ? kMaxThreads : (int)n;
}

void parallel_for(int tasks, TaskFn fn, void* ctx) {
  if (tasks <= 0) return;
  Pool& p = pool();
  std::unique_lock<std::mutex> own(p.owner, std::try_to_lock);
  const int helpers = std::min(wanted.load(std::memory_order_relaxed) - 1, tasks - 1);
  if (!own.owns_lock() || helpers <= 0) {
    for (int t = 0; t < tasks; t++) fn(ctx, t);
    return;
  }
  // Every worker wakes for a job (they are few); those without a task find none left at once.
  // A task goes to whoever claims it first, the caller included: tasks compute alike anywhere.
  unsigned long gen;
  {
    std::lock_guard<std::mutex> lock(p.m);
    p.fn = fn;
    p.ctx = ctx;
    p.tasks = tasks;
    p.finished.store(0, std::memory_order_relaxed);
    gen = p.generation.load(std::memory_order_relaxed) + 1;
    p.ticket.store((uint64_t)(uint32_t)gen << 32, std::memory_order_relaxed);
    p.generation.store(gen, std::memory_order_release);
  }
  p.wake.notify_all();
  drain(p, gen, fn, ctx, tasks, true);
  // The job ends when its every task has returned; a worker that has not woken yet takes none.
  if (spin_until([&] { return p.finished.load(std::memory_order_acquire) == tasks; })) return;
  std::unique_lock<std::mutex> lock(p.m);
  p.done.wait(lock, [&] { return p.finished.load(std::memory_order_acquire) == tasks; });
}

}  // namespace dlf
