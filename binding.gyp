# Builds the optional native kernel (native/*.cc) with node-gyp at `npm install` time (scripts/build-native.mjs).
# -march=native: the addon is compiled on the machine that runs it, so it may use every instruction that CPU has (AVX-512
# here). A binary copied to an older CPU refuses to load (a check in native/addon.cc) and charlm falls back to the
# TypeScript kernels; rebuild with `node scripts/build-native.mjs` after moving a checkout to another machine.
{
  "targets": [
    {
      "target_name": "charlm_native",
      "sources": [
        "native/addon.cc",
        "native/gemm.cc",
        "native/gemm-threads.cc",
        "native/threads.cc",
        "native/cells.cc",
        "native/rows.cc"
      ],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-O3", "-march=native", "-std=gnu++17", "-ffp-contract=fast", "-fno-math-errno", "-fno-trapping-math"],
      "cflags": ["-O3", "-march=native"],
      "ldflags": ["-pthread"],
      "xcode_settings": {
        "OTHER_CPLUSPLUSFLAGS": ["-O3", "-march=native", "-std=gnu++17", "-ffp-contract=fast"]
      }
    }
  ]
}
