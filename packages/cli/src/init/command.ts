// `mltel init`: writes the collector deployment (Collector, Prometheus with generated rules and
// their promtool tests, Alertmanager, Grafana provisioning and dashboards) into a folder of the
// user's repository, or with --check says whether an existing copy matches this version.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { CliIo } from '../io.js';
import { deploymentFiles } from './files.js';
import { DEFAULT_PARAMS, NUMERIC_PARAMS, paramProblems } from './params.js';
import type { DeploymentParams } from './params.js';

/** Exit codes of `mltel init`. */
export const INIT_EXIT = {
  /** Written, or (--check) the copy is current. */
  ok: 0,
  /** --check: files missing or different; or files exist that differ (without --force). */
  differs: 1,
  /** Bad options. */
  usage: 2,
} as const;

const HELP = `Usage: mltel init [dir] [options]

Writes the collector deployment into dir (default: ./mltel-deployment): otel-collector.yaml
(+ remote-write overlay and gateway variant), prometheus/prometheus.yml, the recording and alert
rules generated for your parameters (prometheus/rules/<name>.rules.yml) with their promtool tests,
alertmanager/alertmanager.yml, and Grafana provisioning with the mltel dashboards.

Options:
  --name <n>          parameter-set name, the rules file name (default ${DEFAULT_PARAMS.name})
  --selector <m>      label matchers every rule puts on what it reads (default ${DEFAULT_PARAMS.selector})
  --runbooks <url>    where the runbooks live (default ${DEFAULT_PARAMS.runbookBase})
  --set <key=value>   a threshold; keys: ${NUMERIC_PARAMS.join(', ')}
  --check             write nothing; exit 1 when a file is missing or differs from this version
  --force             overwrite files that differ
  -h, --help          this help

Exit codes: 0 written (or current); 1 differs (--check), or would overwrite (without --force);
            2 bad options.
`;

/** `mltel init`. */
export async function init(args: string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    io.stderr.write(`mltel init: ${error instanceof Error ? error.message : String(error)}\n\n${HELP}`);
    return INIT_EXIT.usage;
  }
  if (parsed.help) {
    io.stdout.write(HELP);
    return INIT_EXIT.ok;
  }
  const problems = paramProblems(parsed.params);
  if (problems.length > 0) {
    io.stderr.write(`mltel init: ${problems.join('; ')}\n`);
    return INIT_EXIT.usage;
  }
  const dir = resolve(io.cwd, parsed.dir);
  const files = deploymentFiles(parsed.params);
  const differing: string[] = [];
  const missing: string[] = [];
  for (const [path, text] of files) {
    const target = join(dir, path);
    if (!existsSync(target)) missing.push(path);
    else if (readFileSync(target, 'utf8') !== text) differing.push(path);
  }
  if (parsed.check) {
    for (const path of missing) io.stdout.write(`missing  ${path}\n`);
    for (const path of differing) io.stdout.write(`differs  ${path}\n`);
    if (missing.length + differing.length === 0) {
      io.stdout.write(`${dir}: current (${files.size} files)\n`);
      return INIT_EXIT.ok;
    }
    io.stdout.write(
      `${dir}: ${missing.length} missing, ${differing.length} different; run mltel init with the same options (and --force) to update\n`,
    );
    return INIT_EXIT.differs;
  }
  if (differing.length > 0 && !parsed.force) {
    for (const path of differing) io.stderr.write(`mltel init: ${join(dir, path)} exists and differs\n`);
    io.stderr.write('mltel init: nothing written; use --force to overwrite, or --check to compare\n');
    return INIT_EXIT.differs;
  }
  for (const path of [...missing, ...differing]) {
    const target = join(dir, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, files.get(path)!);
  }
  io.stdout.write(
    `${dir}: wrote ${missing.length + differing.length} files (${files.size - missing.length - differing.length} already current)\n`,
  );
  return INIT_EXIT.ok;
}

function parse(args: string[]): {
  dir: string;
  params: DeploymentParams;
  check: boolean;
  force: boolean;
  help: boolean;
} {
  const { values, positionals } = parseArgs({
    args,
    options: {
      name: { type: 'string' },
      selector: { type: 'string' },
      runbooks: { type: 'string' },
      set: { type: 'string', multiple: true },
      check: { type: 'boolean' },
      force: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length > 1) throw new Error(`one folder expected, got ${positionals.length}`);
  const params: DeploymentParams = { ...DEFAULT_PARAMS };
  if (values.name !== undefined) params.name = values.name;
  if (values.selector !== undefined) params.selector = values.selector;
  if (values.runbooks !== undefined) params.runbookBase = values.runbooks;
  for (const pair of values.set ?? []) {
    const at = pair.indexOf('=');
    const key = pair.slice(0, at) as keyof DeploymentParams;
    if (at < 1 || !NUMERIC_PARAMS.includes(key)) {
      throw new Error(`--set ${pair}: expected key=value with key one of ${NUMERIC_PARAMS.join(', ')}`);
    }
    (params as unknown as Record<string, number>)[key] = Number(pair.slice(at + 1));
  }
  return {
    dir: positionals[0] ?? 'mltel-deployment',
    params,
    check: values.check === true,
    force: values.force === true,
    help: values.help === true,
  };
}
