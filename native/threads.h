// Two-thread work sharing for the gemm and the cell kernels (threads.cc). One helper thread at most: the machines charlm
// targets have two cores, and the JavaScript thread is the other one.
#pragma once

namespace charlm {

// How many threads large gemms and cells may use (1 or 2); returns the value in effect.
int setGemmThreads(int threads);
// Threads in effect (1 or 2), as set by setGemmThreads().
int workerThreads();
// Runs task(ctx, i) for every i in [0, chunks), on the calling thread and, when two threads are enabled, on the helper;
// chunks must be independent. Returns when all are done; an exception thrown by a chunk (std::bad_alloc) is rethrown
// here, on the calling thread, after the other chunks have finished.
void runChunks(void (*task)(const void* ctx, int chunk), const void* ctx, int chunks);

}  // namespace charlm
