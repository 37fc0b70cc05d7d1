// The house rule that lets a newcomer find a function's test in one hop: `x.test.ts` beside every
// `x.ts` that has runtime code, and a test file that is not about one source file is a themed
// suite named `<theme>.suite.test.ts`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const PACKAGES = new URL('../../packages/', import.meta.url).pathname;

/** Source files without a test of the same name, each with the reason. Keep this short. */
const EXEMPT: Readonly<Record<string, string>> = {};

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(path));
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out;
}

/** True when a file holds runtime code: a function, a class, or an arrow function. */
function hasRuntimeCode(text: string): boolean {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  return /\bfunction\b|\bclass\s+\w|=>/.test(
    code.replace(/^\s*(?:export\s+)?(?:type|interface)\b[\s\S]*?(?:;|\n\})/gm, ''),
  );
}

const files = readdirSync(PACKAGES).flatMap((folder) => walk(join(PACKAGES, folder, 'src')));
const sources = files.filter((f) => !f.endsWith('.test.ts') && !f.endsWith('.d.ts'));
const tests = files.filter((f) => f.endsWith('.test.ts'));

describe('tests beside files', () => {
  it('sees the packages (so it can fail)', () => {
    expect(sources.length).toBeGreaterThan(100);
    expect(tests.length).toBeGreaterThan(50);
  });

  it('every source file with runtime code has x.test.ts beside it', () => {
    const missing = sources
      .filter((file) => !/\/(index|types)\.ts$/.test(file))
      .filter((file) => hasRuntimeCode(readFileSync(file, 'utf8')))
      .map((file) => relative(PACKAGES, file))
      .filter((file) => EXEMPT[file] === undefined)
      .filter((file) => !existsSync(join(PACKAGES, file.replace(/\.ts$/, '.test.ts'))));
    expect(missing).toEqual([]);
  });

  it('every test file is beside its source file or is a themed *.suite.test.ts', () => {
    const stray = tests
      .filter((file) => !file.endsWith('.suite.test.ts'))
      .filter((file) => !existsSync(file.replace(/\.test\.ts$/, '.ts')))
      .map((file) => relative(PACKAGES, file));
    expect(stray).toEqual([]);
  });

  it('every exemption still names a real file', () => {
    expect(Object.keys(EXEMPT).filter((file) => !existsSync(join(PACKAGES, file)))).toEqual([]);
  });
});
