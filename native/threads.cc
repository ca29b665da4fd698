// The second thread: a persistent helper that shares the chunks of a task with the calling thread. Chunks are handed
// out one at a time, the caller taking them from the front and the helper from the back: when both run, each gets the
// same chunks at every call (its half of a weight matrix stays in its own L2 cache from one time step to the next, which
// made the per-step recurrent products of config M about a tenth faster than taking chunks in turn), and when the
// operating system does not run the helper (other programs on the two cores), the caller simply does every chunk itself
// and waits at most for the one chunk the helper already holds.
// Between tasks the helper spins briefly, then sleeps, so back-to-back per-step calls do not pay a wake-up each time.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>

#include "threads.h"

namespace charlm {
namespace {

inline void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// The protocol. One 64-bit atomic word describes the task on offer: generation (bits 32-63) | end of the chunks not yet
// handed out (16-31) | their start (0-15). The caller claims chunk `start` by a compare-and-swap of that whole word from
// (gen, end, start) to (gen, end, start + 1), the helper chunk `end - 1` by one to (gen, end - 1, start), and either only
// when start < end read from that same word. So a claim is valid only for the generation and range it saw: a helper that
// read the word of an old task and was preempted cannot claim a chunk of the next task, because posting the next task
// changed the word and its compare-and-swap fails. (Reading the count from a separate variable, as this file once did,
// let exactly that happen: a stale all-taken word plus the new count looked like a free chunk.)
// The task pointer and context are plain fields: the caller writes them before it publishes the new word (release) and
// changes them again only after every chunk of the task has finished, and a claimer reads them only after its successful
// compare-and-swap (acquire) on that word, while its unfinished chunk keeps the caller waiting.
class Helper {
 public:
  static constexpr int kMaxChunks = 0xffff;

  Helper() : thread_([this] { loop(); }) { thread_.detach(); }

  // Runs chunks [0, chunks) of task (chunks ≤ kMaxChunks) on this thread and the helper; returns when all are done, with
  // the number of chunks the helper ran.
  int run(void (*task)(const void*, int), const void* ctx, int chunks) {
    task_ = task;
    ctx_ = ctx;
    finished_.store(0, std::memory_order_relaxed);
    byHelper_.store(0, std::memory_order_relaxed);
    const uint64_t gen = (state_.load(std::memory_order_relaxed) >> 32) + 1;
    {
      std::lock_guard<std::mutex> lock(mu_);
      state_.store(gen << 32 | uint64_t(chunks) << 16, std::memory_order_release);  // chunks [0, chunks) on offer
    }
    cv_.notify_one();
    work(gen);
    for (int spin = 0; finished_.load(std::memory_order_acquire) < chunks; ++spin) {
      if (spin < 4000) cpuRelax();
      else std::this_thread::yield();
    }
    if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
    return byHelper_.load(std::memory_order_relaxed);
  }

 private:
  // Claims chunks of generation gen until none are left: the caller from the front, the helper from the back (see the
  // protocol above).
  void work(uint64_t gen, bool isHelper = false) {
    for (;;) {
      uint64_t s = state_.load(std::memory_order_acquire);
      const int start = int(s & 0xffff), end = int((s >> 16) & 0xffff);
      if ((s >> 32) != gen || start >= end) return;
      const int next = isHelper ? end - 1 : start;
      const uint64_t claimed = isHelper ? s - (uint64_t(1) << 16) : s + 1;
      if (!state_.compare_exchange_weak(s, claimed, std::memory_order_acq_rel)) continue;
      try {
        task_(ctx_, next);
      } catch (...) {  // the first failure is kept; the chunk counts as finished so that run() returns
        std::lock_guard<std::mutex> lock(failureMu_);
        if (!failure_) failure_ = std::current_exception();
      }
      if (isHelper) byHelper_.fetch_add(1, std::memory_order_relaxed);
      finished_.fetch_add(1, std::memory_order_release);
    }
  }
  void loop() {
    uint64_t seen = 0;
    for (;;) {
      auto posted = [&] { return (state_.load(std::memory_order_acquire) >> 32) > seen; };
      bool ready = false;
      for (int spin = 0; spin < 20000 && !ready; ++spin) {  // about 0.3 ms: covers the gaps inside a training step
        ready = posted();
        if (!ready) cpuRelax();
      }
      if (!ready) {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, posted);
      }
      seen = state_.load(std::memory_order_acquire) >> 32;
      work(seen, true);
    }
  }
  void (*task_)(const void*, int) = nullptr;
  const void* ctx_ = nullptr;
  std::atomic<uint64_t> state_{0};  // generation << 32 | end << 16 | start of the chunks on offer
  std::atomic<int> finished_{0};
  std::atomic<int> byHelper_{0};
  std::exception_ptr failure_;  // the first exception a chunk threw, for run() to rethrow
  std::mutex failureMu_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::thread thread_;
};

int threadCount = 1;
// When the helper rarely gets to run (other programs keep both cores busy), its spinning only takes time from the caller:
// after a run of tasks where it did less than 15 % of the chunks, the next kBackoffTasks tasks run on the caller alone.
constexpr int kBackoffTasks = 512;
double helperShare = 0.5;  // moving average of the helper's share of chunks
int backoffLeft = 0;
std::mutex helperBusy;  // two JS threads (worker_threads) sharing the addon must not share the helper

Helper& helper() {
  static Helper* h = new Helper();  // never destroyed: the detached thread outlives static destructors
  return *h;
}

}  // namespace

int setGemmThreads(int threads) {
  threadCount = threads >= 2 ? 2 : 1;
  if (threadCount == 2) helper();
  return threadCount;
}

int workerThreads() { return threadCount; }

void runChunks(void (*task)(const void* ctx, int chunk), const void* ctx, int chunks) {
  std::unique_lock<std::mutex> lock(helperBusy, std::defer_lock);
  // One thread, a single chunk, or the helper busy (another JS thread, or a chunk that itself splits): run them here.
  if (threadCount < 2 || chunks < 2 || chunks > Helper::kMaxChunks || !lock.try_lock()) {
    for (int i = 0; i < chunks; ++i) task(ctx, i);
    return;
  }
  if (backoffLeft > 0) {
    --backoffLeft;
    lock.unlock();
    for (int i = 0; i < chunks; ++i) task(ctx, i);
    return;
  }
  const int byHelper = helper().run(task, ctx, chunks);
  helperShare = 0.9 * helperShare + 0.1 * (double(byHelper) / chunks);
  if (helperShare < 0.15) {
    backoffLeft = kBackoffTasks;
    helperShare = 0.5;
  }
}

}  // namespace charlm
