# The native backend's addon: node-gyp builds it at install (native/install.mjs runs
# `node-gyp rebuild --directory native`). The kernels (src/isa.c with the generated
# generated/kernels.c) are compiled once per instruction set into static libraries, and the
# Node-API glue picks one at load with __builtin_cpu_supports; see README.md beside this file.
{
  'variables': {
    'paoding_cflags': [
      '-O3', '-fPIC', '-std=gnu11',
      # GCC if-converts the kernels' selections (and so vectorises them) only when floating-point
      # operations may not trap; this changes no result. No -ffast-math: IEEE semantics stay.
      '-fno-trapping-math', '-fno-math-errno',
      # No contraction of a*b+c into fused multiply-adds behind the expression's back: float64
      # kernels compute exactly the JavaScript backend's arithmetic.
      '-ffp-contract=off',
      '-Wno-unused-function', '-Wno-unused-parameter',
    ],
  },
  'targets': [
    {
      'target_name': 'paoding_native',
      'sources': ['src/addon.c', 'src/pool.c'],
      'cflags': ['<@(paoding_cflags)'],
      'libraries': ['-lm', '-lpthread'],
      'dependencies': ['paoding_isa_base'],
      'conditions': [
        ['target_arch=="x64"', {'dependencies': ['paoding_isa_avx2', 'paoding_isa_avx512']}],
      ],
    },
    {
      'target_name': 'paoding_isa_base',
      'type': 'static_library',
      'sources': ['src/isa.c'],
      'cflags': ['<@(paoding_cflags)'],
    },
  ],
  'conditions': [
    ['target_arch=="x64"', {
      'targets': [
        {
          'target_name': 'paoding_isa_avx2',
          'type': 'static_library',
          'sources': ['src/isa.c'],
          'cflags': ['<@(paoding_cflags)', '-mavx2', '-mfma'],
        },
        {
          'target_name': 'paoding_isa_avx512',
          'type': 'static_library',
          'sources': ['src/isa.c'],
          'cflags': ['<@(paoding_cflags)', '-mavx512f', '-mavx512dq', '-mavx512bw', '-mavx512vl', '-mavx2', '-mfma',
                     '-mprefer-vector-width=512'],
        },
      ],
    }],
  ],
}
