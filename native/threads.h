// Two-thread work sharing for the gemm and the cell kernels (threads.cc). One helper thread at most: the machines charlm
// targets have two cores, and the JavaScript thread is the other one.
#pragma once

namespace charlm {

// Threads in effect (1 or 2), as set by setGemmThreads() in ops.h.
int workerThreads();
// Runs task(ctx, i) for every i in [0, chunks), on the calling thread and, when two threads are enabled, on the helper;
// chunks must be independent. Returns when all are done.
void runChunks(void (*task)(const void* ctx, int chunk), const void* ctx, int chunks);

}  // namespace charlm
