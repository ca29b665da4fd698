// The instruction-set variant a kernel translation unit is compiled for. binding.gyp compiles the kernel sources once per
// variant, each with its own target flags and -DCHARLM_ISA=<variant>, into the namespace charlm::<variant>; dispatch.cc
// (compiled for the baseline only) picks one at load time from what the CPU supports. On x86-64: avx512 (x86-64-v4),
// avx2 (x86-64-v3: AVX2 + FMA) and portable (the x86-64 baseline, SSE2); elsewhere only portable.
#pragma once

#ifndef CHARLM_ISA
#define CHARLM_ISA portable
#endif
