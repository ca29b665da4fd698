{
  "targets": [
    {
      "target_name": "charlm_native",
      "sources": [
        "native/addon.cc",
        "native/gemm.cc",
        "native/gemm-threads.cc",
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
