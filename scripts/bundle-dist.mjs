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
// - Vendoring (VENDORING): @mltel/node's bundles also hold the third-party packages the preload
//   runs (the OpenTelemetry SDK, its exporters' serializers, the contrib instrumentations), and
//   each package it loads at run time by name (VENDORED of its src/require-esm.ts) is a bundle in
//   dist/vendor/, built in the same pass so that all share one copy of the SDK (shared code in
//   dist/vendor/ chunks). What must stay one instance per process stays an import: the API, the
//   @mltel packages, the instrumentation framework and its module hooks. Measured (the commit,
//   docs/benchmarks.md): the preload's start-up fell from +221 to +156 ms over bare node.
// - tsc still writes every .d.ts (types unchanged) and the per-file .js beside the bundles;
//   some tests load those one by one (packages/node/test/harness.ts), nothing shipped imports
//   them.
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
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

/**
 * Packages whose bundles also hold their third-party dependencies: `map`, the built module whose
 * `VENDORED` names the dist/vendor/ bundles to write; `external`, the bare imports that stay
 * imports (one instance per process: the application's and other packages' code uses them too;
 * optional peers the application installs), each a package name, its subpaths included.
 */
const VENDORING = {
  '@mltel/node': {
    map: 'dist/require-esm.js',
    external: [
      '@opentelemetry/api',
      '@mltel/',
      // InstrumentationBase and the require/import hooks every instrumentation of the process shares.
      '@opentelemetry/instrumentation',
      'import-in-the-middle',
      'require-in-the-middle',
      // The optional gRPC exporter, installed by the application.
      '@opentelemetry/exporter-metrics-otlp-grpc',
      '@opentelemetry/otlp-grpc-exporter-base',
      '@grpc/',
    ],
  },
};

/** Whether bare import `id` is one of `prefixes` (a package name, its subpaths, or a scope ending in `/`). */
const isListed = (id, prefixes) =>
  prefixes.some((p) => (p.endsWith('/') ? id.startsWith(p) : id === p || id.startsWith(`${p}/`)));

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
async function build(dir, entries, vendoring) {
  const src = join(dir, 'src');
  const shared = [];
  // Without vendoring every bare import stays one; with it, only the listed ones and builtins.
  const external = vendoring
    ? (id, importer) =>
        importer !== undefined &&
        !id.startsWith('.') &&
        !id.startsWith('/') &&
        (isBuiltin(id) || isListed(id, vendoring.external))
    : (id, importer) => importer !== undefined && !id.startsWith('.') && !id.startsWith('/');
  const bundle = await rolldown({
    // Exact entries are emitted below: rolldown merges shared modules into an entry only under
    // the global 'allow-extension', and keeps the emitted ones as they are.
    input: Object.fromEntries([...entries].filter(([, e]) => !e.exact).map(([name, e]) => [name, e.source])),
    preserveEntrySignatures: 'allow-extension',
    platform: 'node',
    // Bare specifiers and node: builtins stay imports (VENDORING aside); the package's own files are bundled.
    external,
    resolve: { extensionAlias: { '.js': ['.ts', '.js'] } },
    // The packages' sideEffects fields describe dist/, not src/: keep every module's top-level
    // code, drop only declarations nothing uses. A vendored package's own field holds (the
    // semantic conventions' `false` drops all but the constants used).
    treeshake: { moduleSideEffects: (id) => (id.startsWith(src + sep) ? true : undefined) },
    logLevel: 'warn',
    plugins: [
      {
        name: 'mltel-bundle',
        buildStart() {
          for (const [name, e] of entries)
            if (e.exact)
              this.emitFile({ type: 'chunk', id: e.source, fileName: `${name}.js`, preserveSignature: 'strict' });
        },
        async resolveId(id) {
          // A vendored package's module (VENDORED), resolved as an import from the package.
          if (!id.startsWith('vendor:')) return null;
          const [name, file] = id.slice('vendor:'.length).split('#');
          const resolved = await this.resolve(name, join(dir, 'package.json'), { kind: 'import-statement' });
          if (!resolved) throw new Error(`${dir}: cannot resolve the vendored package ${name}`);
          return file === undefined ? resolved.id : join(dirname(resolved.id), file);
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
            // Vendored code shared by several bundles: a chunk in dist/vendor/ (no source of its own).
            if (vendoring && !chunk.moduleIds.some((id) => id.startsWith(src + sep))) continue;
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
  const vendoring = VENDORING[manifest.name];
  const output = vendoring ? { ...OUTPUT, chunkFileNames: 'vendor/[name]-[hash].js' } : OUTPUT;
  if (vendoring) {
    const { VENDORED, vendorFile } = await import(pathToFileURL(join(dir, vendoring.map)).href);
    for (const [key, from] of Object.entries(VENDORED))
      entries.set(`vendor/${vendorFile(key).slice(0, -'.js'.length)}`, { source: `vendor:${from}`, exact: false });
    rmSync(join(dir, 'dist', 'vendor'), { recursive: true, force: true });
  }
  for (let round = 0; round < 4; round++) {
    const { bundle, shared } = await build(dir, entries, vendoring);
    try {
      const { output: chunks } = await bundle.generate({ ...output, dir: join(dir, 'dist') });
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
      check(manifest, dir, chunks, vendoring);
      await bundle.write({ ...output, dir: join(dir, 'dist') });
      if (vendoring) writeNotices(dir, chunks);
      return chunks.map((c) => `${c.fileName} (${c.moduleIds.length})`);
    } finally {
      await bundle.close();
    }
  }
  throw new Error(`${manifest.name}: shared chunks remain after 4 rounds`);
}

/** The package.json directory of a module under node_modules/. */
function packageRoot(id) {
  const match = /^(.*\/node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(id);
  return match?.[1];
}

/**
 * dist/vendor/LICENSES.md: each third-party package bundled (name, version, license) and the
 * text of its license file, which its license asks to keep with the code (Apache-2.0, MIT).
 */
function writeNotices(dir, chunks) {
  const roots = new Set(chunks.flatMap((c) => c.moduleIds.map(packageRoot).filter((r) => r !== undefined)));
  const texts = new Map();
  for (const root of [...roots].sort()) {
    const { name, version, license } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const file = readdirSync(root).find((f) => /^licen[cs]e(\.(md|txt))?$/i.test(f));
    const text =
      file === undefined
        ? `(no license file; package.json: ${license})`
        : readFileSync(join(root, file), 'utf8').trim();
    if (!texts.has(text)) texts.set(text, []);
    texts.get(text).push(`${name}@${version} (${license})`);
  }
  let out =
    '# Third-party code in these bundles\n\nWritten by scripts/bundle-dist.mjs: the packages bundled into dist/ of this package, and their licenses.\n';
  for (const [text, packages] of texts) out += `\n## ${packages.join(', ')}\n\n\`\`\`\n${text}\n\`\`\`\n`;
  writeFileSync(join(dir, 'dist', 'vendor', 'LICENSES.md'), out);
}

/**
 * What the bundles must hold to: every relative path in their code (a file loaded at run time,
 * `createRequire(import.meta.url)('./sdk.js')`) names a bundle of this build, not tsc's
 * per-file output beside it (a second copy of the package). Warns when a class was renamed. With
 * vendoring, every import left is a builtin or a dependency the package declares.
 */
function check(manifest, dir, output, vendoring) {
  const name = manifest.name;
  const files = new Set(output.map((c) => c.fileName));
  const declared = new Set(Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }));
  for (const chunk of output) {
    if (vendoring)
      for (const id of [...chunk.imports, ...chunk.dynamicImports]) {
        if (files.has(id) || isBuiltin(id)) continue;
        const pkg = id.startsWith('@') ? id.split('/').slice(0, 2).join('/') : id.split('/')[0];
        if (!declared.has(pkg))
          throw new Error(
            `${name}: dist/${chunk.fileName} imports ${id}, not a dependency of ${name}: declare it, or bundle it (VENDORING)`,
          );
      }
    for (const [, path] of chunk.code.matchAll(/["'`](\.\.?\/[^"'`\s]*\.(?:js|mjs|cjs|json))["'`]/g)) {
      const target = relative(join(dir, 'dist'), resolve(join(dir, 'dist', dirname(chunk.fileName)), path));
      if (!files.has(target.split(sep).join('/')))
        throw new Error(
          `${name}: dist/${chunk.fileName} refers to ${path}, which this bundle does not write: add it to RUNTIME_ENTRIES in ${relative(ROOT, fileURLToPath(import.meta.url))}`,
        );
    }
    // Classes of src/ only: a vendored class's `name` shows only in its own debug messages.
    const ownCode = Object.entries(chunk.modules)
      .filter(([id]) => id.startsWith(join(dir, 'src') + sep))
      .map(([, m]) => m.code ?? '')
      .join('\n');
    const renamed = [...ownCode.matchAll(/\bclass ([\w$]+\$\d+)\b|\b([\w$]+\$\d+) = class\b/g)].map(
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
