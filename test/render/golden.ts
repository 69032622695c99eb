/**
 * Golden files: the expected output lives in test/render/__golden__/ and is compared
 * byte for byte. Regenerate only on purpose: UPDATE_GOLDEN=1 npx vitest run test/render
 * (then review the diff like any other change).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '__golden__');

export function expectGolden(name: string, actual: string): void {
  const file = join(DIR, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(DIR, { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) throw new Error(`golden file ${name} is missing: run UPDATE_GOLDEN=1 npx vitest run test/render`);
  expect(actual, `output differs from __golden__/${name} (UPDATE_GOLDEN=1 regenerates it)`).toBe(readFileSync(file, 'utf8'));
}
