/** The generated API files must match what the generator makes from the declarations now. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { render } from '../tools/generate-api.js';

describe('generated files', () => {
  const r = render();
  it('src/functional/activations.ts is up to date (run `npm run generate`)', () => {
    expect(readFileSync(join(__dirname, '../src/functional/activations.ts'), 'utf8')).toBe(r.functional);
  });
  it('src/nn/activations.ts is up to date (run `npm run generate`)', () => {
    expect(readFileSync(join(__dirname, '../src/nn/activations.ts'), 'utf8')).toBe(r.modules);
  });
  it('docs/activations.md is up to date (run `npm run generate`)', () => {
    expect(readFileSync(join(__dirname, '../docs/activations.md'), 'utf8')).toBe(r.catalogue);
  });
});
