# Builds the native kernel (native/*.cc) with node-gyp: by scripts/build-native.mjs at `npm install` when no prebuilt binary
# loads, and by scripts/prebuild.mjs for the binary shipped in prebuilds/. The kernels are compiled once per instruction-set
# variant (native/isa.h), each a static library with its own target flags, and native/dispatch.cc (baseline flags only)
# picks one at load time. No -march=native: the same binary runs on any x86-64 and uses AVX2 or AVX-512 where they exist.
# The C++ runtime is linked statically, so the prebuilt binary needs only the C library.
{
  "variables": {
    "kernel_sources": [
      "native/addon.cc",
      "native/gemm.cc",
      "native/gemm-threads.cc",
      "native/cells.cc",
      "native/rows.cc"
    ],
    "kernel_flags": ["-O3", "-std=gnu++17", "-fPIC", "-ffp-contract=fast", "-fno-math-errno", "-fno-trapping-math"]
  },
  "target_defaults": {
    "cflags_cc!": ["-fno-exceptions"],
    "xcode_settings": {
      "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
      "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=gnu++17", "-ffp-contract=fast"]
    }
  },
  "targets": [
    {
      "target_name": "kernels_portable",
      "type": "static_library",
      "sources": ["<@(kernel_sources)"],
      "defines": ["CHARLM_ISA=portable"],
      "cflags_cc": ["<@(kernel_flags)"]
    },
    {
      "target_name": "charlm_native",
      "sources": ["native/dispatch.cc", "native/threads.cc"],
      "defines": [
        "CHARLM_SOURCE_HASH=h<!(node scripts/native-source-hash.mjs)",
        "CHARLM_ORIGIN=<!(node scripts/native-source-hash.mjs --origin)"
      ],
      "cflags_cc": ["-O2", "-std=gnu++17", "-fPIC"],
      "ldflags": ["-pthread", "-static-libstdc++", "-static-libgcc"],
      "dependencies": ["kernels_portable"],
      "conditions": [
        ["target_arch=='x64'", {"dependencies": ["kernels_avx2", "kernels_avx512"]}]
      ]
    }
  ],
  "conditions": [
    ["target_arch=='x64'", {
      "targets": [
        {
          "target_name": "kernels_avx2",
          "type": "static_library",
          "sources": ["<@(kernel_sources)"],
          "defines": ["CHARLM_ISA=avx2"],
          "cflags_cc": ["<@(kernel_flags)", "-march=x86-64-v3", "-mtune=generic"]
        },
        {
          "target_name": "kernels_avx512",
          "type": "static_library",
          "sources": ["<@(kernel_sources)"],
          "defines": ["CHARLM_ISA=avx512"],
          "cflags_cc": ["<@(kernel_flags)", "-march=x86-64-v4", "-mtune=generic"]
        }
      ]
    }]
  ]
}
