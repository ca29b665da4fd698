// Runs a large sgemm on two threads by cutting C into two independent blocks (along columns, or along rows when C is tall
// and narrow); each thread packs its own panels. A persistent helper thread spins briefly between jobs, then sleeps, so
// the per-step recurrent products (a few hundred microseconds each) do not pay a thread wake-up every time.
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "gemm.h"
#include "ops.h"

namespace charlm {
namespace {

struct Job {
  bool transA, transB;
  int m, n, k;
  float alpha;
  const float* a;
  long lda;
  const float* b;
  long ldb;
  float beta;
  float* c;
  long ldc;
  void run() const { sgemmSerial(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc); }
};

static inline void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// Jobs are numbered. Whoever claims job g first (compare-and-swap on claimed_) runs it: normally the helper, but when the
// helper has not been scheduled by the time the caller finishes its own half, the caller takes the job back instead of
// waiting for a thread the OS has not run (two cores shared with other processes must never make a gemm slower).
class Helper {
 public:
  Helper() : thread_([this] { loop(); }) { thread_.detach(); }
  // Posts the second half and returns at once; finish() runs or waits for it.
  void post(const Job& job) {
    job_ = job;
    {
      std::lock_guard<std::mutex> lock(mu_);
      posted_.fetch_add(1, std::memory_order_release);
    }
    cv_.notify_one();
  }
  void finish() {
    const unsigned long g = posted_.load(std::memory_order_relaxed);
    unsigned long expected = g - 1;
    if (claimed_.compare_exchange_strong(expected, g, std::memory_order_acq_rel)) {
      job_.run();
      return;
    }
    for (int spin = 0; done_.load(std::memory_order_acquire) < g; ++spin) {
      if (spin < 100000) cpuRelax();
      else std::this_thread::yield();
    }
  }

 private:
  void loop() {
    unsigned long seen = 0;
    for (;;) {
      // Spin for a fraction of a millisecond (training issues gemms back to back), then sleep until the next post.
      bool ready = false;
      for (int spin = 0; spin < 20000 && !ready; ++spin) {
        ready = posted_.load(std::memory_order_acquire) > seen;
        if (!ready) cpuRelax();
      }
      if (!ready) {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return posted_.load(std::memory_order_acquire) > seen; });
      }
      const unsigned long g = ++seen;
      unsigned long expected = g - 1;
      if (claimed_.compare_exchange_strong(expected, g, std::memory_order_acq_rel)) {
        job_.run();
        done_.store(g, std::memory_order_release);
      }
    }
  }
  Job job_{};
  std::atomic<unsigned long> posted_{0}, claimed_{0}, done_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  std::thread thread_;
};

int gemmThreads = 1;
// Below this many multiply-adds the hand-off costs more than the second core gives back.
constexpr double kMinParallelFlops = 4.0e6;  // multiply-adds
std::mutex helperBusy;  // two JS threads (worker_threads) sharing the addon must not share the helper

Helper& helper() {
  static Helper* h = new Helper();  // never destroyed: the detached thread outlives static destructors
  return *h;
}

}  // namespace

int setGemmThreads(int threads) {
  gemmThreads = threads >= 2 ? 2 : 1;
  if (gemmThreads == 2) helper();
  return gemmThreads;
}

void sgemm(bool transA, bool transB, int m, int n, int k, float alpha, const float* a, long lda, const float* b, long ldb,
           float beta, float* c, long ldc) {
  const Job whole{transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc};
  const int tileRows = gemmTileRows(), tileCols = gemmTileCols();
  const bool big = double(m) * n * k >= kMinParallelFlops && k > 0 && alpha != 0.0f;
  const bool splitCols = n >= 2 * tileCols && n >= m;
  const bool splitRows = !splitCols && m >= 2 * tileRows;
  if (gemmThreads < 2 || !big || !(splitCols || splitRows)) return whole.run();
  std::unique_lock<std::mutex> lock(helperBusy, std::try_to_lock);
  if (!lock.owns_lock()) return whole.run();
  Job first = whole, second = whole;
  if (splitCols) {
    const int n1 = (n / 2 + tileCols - 1) / tileCols * tileCols;
    first.n = n1;
    second.n = n - n1;
    second.b = transB ? b + long(n1) * ldb : b + n1;
    second.c = c + n1;
  } else {
    const int m1 = (m / 2 + tileRows - 1) / tileRows * tileRows;
    first.m = m1;
    second.m = m - m1;
    second.a = transA ? a + m1 : a + long(m1) * lda;
    second.c = c + long(m1) * ldc;
  }
  helper().post(second);
  first.run();
  helper().finish();
}

}  // namespace charlm
