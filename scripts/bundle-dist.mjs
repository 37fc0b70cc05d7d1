// Bundles each public package's JavaScript into one file per entry point, after `tsc -b` (root
// `pnpm run build`). Why: ES modules cost start-up time per file, and the preload
// (`node --import @mltel/node/register`) loaded 164 of mltel's files, one per source file.
// Usage: node scripts/bundle-dist.mjs [packages/<dir> ...]   (default: every public package)
//
// - Entries: each file of package.json `exports` and `bin` (export signatures kept exactly),
//   plus the files a package loads by path at run time (RUNTIME_ENTRIES).
// - Every bare import (other @mltel packages, @opentelemetry/*, every dependency, node:) stays
//   an import: each package is still loaded once, its module-level state stays single.
// - A module that several entries share is not copied: it becomes an entry of its own at the
//   path of its source (dist/config/read.js for src/config/read.ts), so every file in dist/
//   still has a source (scripts/release-check.sh) and exports what tsc's file exported.
// - The JavaScript is tsc's (javascriptOf): its per-file output, or the same transpiled from
//   src/ where dist/ holds a previous bundle instead (`tsc -b` re-emits only changed files).
// - tsc still writes every .d.ts (types unchanged) and the per-file .js beside the bundles;
//   some tests load those one by one (packages/node/test/harness.ts), nothing shipped imports
//   them.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Files a package loads by path at run time (not through `exports`): they stay entries. */
const RUNTIME_ENTRIES = {
  // register.ts: createRequire(import.meta.url)('./sdk.js'), only when the SDK is enabled.
  '@mltel/node': ['./dist/sdk.js'],
};

/**
 * Packages left as tsc writes them. @mltel/cli: bin.ts awaits at top level, and under top-level
 * await rolldown keeps every shared module in a chunk of its own (no merging into entries); the
 * command line is not part of an application's start-up.
 */
const UNBUNDLED = new Set(['@mltel/cli']);

/** The `./dist/x.js` targets of package.json `exports` (every condition) and `bin`. */
function publicFiles(manifest) {
  const files = new Set();
  const walk = (value) => {
    if (typeof value === 'string') {
      if (value.startsWith('./dist/') && value.endsWith('.js')) files.add(value);
    } else if (value && typeof value === 'object') for (const v of Object.values(value)) walk(v);
  };
  walk(manifest.exports);
  walk(manifest.bin);
  return files;
}

/** The package's compiler options as `tsc -b` reads them, for a per-file transpile. */
function compilerOptions(dir) {
  const path = join(dir, 'tsconfig.json');
  const config = ts.readConfigFile(path, ts.sys.readFile);
  if (config.error) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, '\n'));
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, dir, undefined, path);
  // The packages are "type": "module", which transpileModule does not look up (under NodeNext
  // it would write CommonJS); ESNext writes what tsc -b writes for them.
  return { ...options, module: ts.ModuleKind.ESNext, declaration: false, composite: false, sourceMap: false };
}

/** The first line of every bundle: tells it from tsc's output of the same path. */
const BANNER = '// Bundled from src/ by scripts/bundle-dist.mjs (pnpm run build); tsc -b writes the other dist/*.js.';

const transpiled = new Map();
const optionsOf = new Map();

/**
 * tsc's JavaScript for `source`: its output in dist/ when that is newer than the source and not
 * a bundle (tsc -b re-emits only the files that changed), else ts.transpileModule with the
 * package's options, which writes byte for byte what tsc -b writes for these sources.
 */
function javascriptOf(dir, source) {
  const output = join(dir, 'dist', `${relative(join(dir, 'src'), source).slice(0, -'.ts'.length)}.js`);
  if (existsSync(output) && statSync(output).mtimeMs >= statSync(source).mtimeMs) {
    const code = readFileSync(output, 'utf8');
    if (!code.startsWith(BANNER)) return code;
  }
  let code = transpiled.get(source);
  if (code === undefined) {
    if (!optionsOf.has(dir)) optionsOf.set(dir, compilerOptions(dir));
    const options = { compilerOptions: optionsOf.get(dir), fileName: source };
    code = ts.transpileModule(readFileSync(source, 'utf8'), options).outputText;
    transpiled.set(source, code);
  }
  return code;
}

/** A path under src/ as an entry name: src/config/read.ts -> config/read. */
const entryName = (src, source) => relative(src, source).slice(0, -'.ts'.length).split(sep).join('/');

/**
 * One rolldown build of `entries` (name -> { source, exact }): exact ones (the public files)
 * export exactly what their source exports; the others may export more, what other chunks
 * import from them. Returns the build and, per shared chunk (no entry of its own), the modules
 * of src/ that other chunks import from it: the entries that take it in on the next round.
 */
async function build(dir, entries) {
  const src = join(dir, 'src');
  const shared = [];
  const bundle = await rolldown({
    // Exact entries are emitted below: rolldown merges shared modules into an entry only under
    // the global 'allow-extension', and keeps the emitted ones as they are.
    input: Object.fromEntries([...entries].filter(([, e]) => !e.exact).map(([name, e]) => [name, e.source])),
    preserveEntrySignatures: 'allow-extension',
    platform: 'node',
    // Bare specifiers and node: builtins stay imports; only the package's own files are bundled.
    external: (id, importer) => importer !== undefined && !id.startsWith('.') && !id.startsWith('/'),
    resolve: { extensionAlias: { '.js': ['.ts', '.js'] } },
    // The packages' sideEffects fields describe dist/, not src/: keep every module's top-level
    // code, drop only declarations nothing uses.
    treeshake: { moduleSideEffects: true },
    logLevel: 'warn',
    plugins: [
      {
        name: 'mltel-bundle',
        buildStart() {
          for (const [name, e] of entries)
            if (e.exact)
              this.emitFile({ type: 'chunk', id: e.source, fileName: `${name}.js`, preserveSignature: 'strict' });
        },
        load(id) {
          if (!id.startsWith(src + sep) || !id.endsWith('.ts')) return null;
          return { code: javascriptOf(dir, id), moduleType: 'js' };
        },
        generateBundle(_options, output) {
          const chunks = Object.values(output).filter((c) => c.type === 'chunk');
          const sources = new Set([...entries.values()].map((e) => e.source));
          for (const chunk of chunks) {
            if (sources.has(chunk.facadeModuleId)) continue;
            const imported = new Set(
              chunks
                .filter((c) => c !== chunk)
                .flatMap((c) => c.moduleIds.flatMap((id) => this.getModuleInfo(id)?.importedIds ?? [])),
            );
            const roots = chunk.moduleIds.filter((id) => id.startsWith(src + sep) && imported.has(id));
            shared.push({ fileName: chunk.fileName, moduleIds: chunk.moduleIds, roots });
          }
        },
      },
    ],
  });
  return { bundle, shared };
}

const OUTPUT = {
  format: 'es',
  entryFileNames: '[name].js',
  chunkFileNames: '[name]-[hash].js',
  // Names stay as written unless two modules of one file declare the same one: rolldown renames
  // the second (check() reports classes; a few helper functions are, which only their `name`
  // shows). keepNames would restore `name` with a runtime module that every entry imports, a
  // chunk of its own with no source.
  keepNames: false,
  minify: false,
  sourcemap: false,
  banner: BANNER,
};

/** Bundles one package into its dist/; returns its files and how many modules each holds. */
async function bundlePackage(dir) {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const src = join(dir, 'src');
  const entries = new Map();
  for (const file of publicFiles(manifest)) entries.set(file, true);
  for (const file of RUNTIME_ENTRIES[manifest.name] ?? []) entries.set(file, false);
  for (const [file, exact] of [...entries]) {
    entries.delete(file);
    const name = file.slice('./dist/'.length, -'.js'.length);
    const source = join(src, `${name}.ts`);
    if (!existsSync(source)) throw new Error(`${manifest.name}: ${file} has no source ${relative(ROOT, source)}`);
    entries.set(name, { source, exact });
  }
  for (let round = 0; round < 4; round++) {
    const { bundle, shared } = await build(dir, entries);
    try {
      const { output } = await bundle.generate({ ...OUTPUT, dir: join(dir, 'dist') });
      if (shared.length > 0) {
        const stuck = shared.filter((c) => c.roots.every((id) => entries.has(entryName(src, id))));
        if (stuck.length > 0)
          throw new Error(
            `${manifest.name}: modules shared by several entries stay in a chunk with no source of its own: ${stuck.map((c) => c.moduleIds.map((id) => relative(ROOT, id)).join(' ')).join('; ')}`,
          );
        for (const chunk of shared)
          for (const source of chunk.roots) entries.set(entryName(src, source), { source, exact: false });
        continue;
      }
      check(manifest.name, dir, output);
      await bundle.write({ ...OUTPUT, dir: join(dir, 'dist') });
      return output.map((c) => `${c.fileName} (${c.moduleIds.length})`);
    } finally {
      await bundle.close();
    }
  }
  throw new Error(`${manifest.name}: shared chunks remain after 4 rounds`);
}

/**
 * What the bundles must hold to: every relative path in their code (a file loaded at run time,
 * `createRequire(import.meta.url)('./sdk.js')`) names a bundle of this build, not tsc's
 * per-file output beside it (a second copy of the package). Warns when a class was renamed.
 */
function check(name, dir, output) {
  const files = new Set(output.map((c) => c.fileName));
  for (const chunk of output) {
    for (const [, path] of chunk.code.matchAll(/["'`](\.\.?\/[^"'`\s]*\.(?:js|mjs|cjs|json))["'`]/g)) {
      const target = relative(join(dir, 'dist'), resolve(join(dir, 'dist', dirname(chunk.fileName)), path));
      if (!files.has(target.split(sep).join('/')))
        throw new Error(
          `${name}: dist/${chunk.fileName} refers to ${path}, which this bundle does not write: add it to RUNTIME_ENTRIES in ${relative(ROOT, fileURLToPath(import.meta.url))}`,
        );
    }
    const renamed = [...chunk.code.matchAll(/\bclass ([\w$]+\$\d+)\b|\b([\w$]+\$\d+) = class\b/g)].map(
      (m) => m[1] ?? m[2],
    );
    // A warning, not a failure: the bundle works, only that class's `name` reads differently.
    if (renamed.length > 0)
      console.warn(
        `bundle-dist: ${name}: dist/${chunk.fileName} renames class ${renamed.join(', ')} (two modules declare the same name), so its \`name\` changes: rename one in src/`,
      );
  }
}

const dirs =
  process.argv.length > 2
    ? process.argv.slice(2).map((d) => resolve(d))
    : readdirSync(join(ROOT, 'packages'))
        .map((d) => join(ROOT, 'packages', d))
        .filter((d) => existsSync(join(d, 'package.json')));
for (const dir of dirs) {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (manifest.private === true || UNBUNDLED.has(manifest.name)) continue;
  const files = await bundlePackage(dir);
  console.log(`bundle-dist: ${manifest.name}: ${files.join(', ')}`);
}
