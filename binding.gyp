{
  "targets": [
    {
      "target_name": "dlf_native",
      "sources": ["<!@(node -e \"for (const f of require('fs').readdirSync('native').sort()) if (f.endsWith('.cc')) console.log('native/' + f)\")"],
      "cflags!": ["-O0", "-O1", "-O2", "-Os"],
      "cflags_cc!": ["-O0", "-O1", "-O2", "-Os", "-std=gnu++14", "-std=gnu++1y"],
      "cflags": ["-O3", "-ffp-contract=off", "-fno-math-errno", "-fno-strict-aliasing"],
      "cflags_cc": ["-O3", "-std=c++17", "-ffp-contract=off", "-fno-math-errno", "-Wno-psabi"],
      "xcode_settings": {
        "GCC_OPTIMIZATION_LEVEL": "3",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "OTHER_CFLAGS": ["-ffp-contract=off"],
        "OTHER_CPLUSPLUSFLAGS": ["-ffp-contract=off"]
      },
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
