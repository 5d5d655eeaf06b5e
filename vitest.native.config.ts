/**
 * The conformance and gradient suites on the native backend: `npm run test:native`. The setup
 * file loads the addon and selects 'native' before each suite (a no-op when it was not built).
 */
import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

export default defineConfig({
  test: {
    ...base.test,
    include: [
      'test/activations.*.test.ts',
      'test/autograd.test.ts',
      'test/nn.test.ts',
      'test/optim.test.ts',
      'test/tensor.test.ts',
      'test/properties.test.ts',
      'test/user_activation.test.ts',
    ],
    setupFiles: [...(base.test?.setupFiles as string[]), 'test/helpers/native_setup.ts'],
  },
});
