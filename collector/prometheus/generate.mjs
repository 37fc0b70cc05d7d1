#!/usr/bin/env node
// Writes the Prometheus rules file and its promtool tests for one parameter set (default: the
// checked-in set "mltel"). The rules themselves are code in packages/cli/src/init (so `mltel init`
// writes the same files); build first (`pnpm run build`).
//   node collector/prometheus/generate.mjs                       # the default set
//   node collector/prometheus/generate.mjs name=prod selector='job="api"' hourlyCostUsd=50
import { writeFileSync } from 'node:fs';
import {
  DEFAULT_PARAMS,
  NUMERIC_PARAMS,
  paramProblems,
  renderRulesFile,
  renderRuleTests,
  rulesFileName,
} from '../../packages/cli/dist/init/index.js';

const here = new URL('./', import.meta.url);
const params = { ...DEFAULT_PARAMS };
for (const arg of process.argv.slice(2)) {
  const at = arg.indexOf('=');
  const key = arg.slice(0, at);
  if (at < 1 || !(key in params))
    throw new Error(`unknown parameter "${arg}"; known: ${Object.keys(params).join(', ')}`);
  params[key] = NUMERIC_PARAMS.includes(key) ? Number(arg.slice(at + 1)) : arg.slice(at + 1);
}
const problems = paramProblems(params);
if (problems.length > 0) throw new Error(problems.join('\n'));
writeFileSync(new URL(`rules/${rulesFileName(params)}`, here), renderRulesFile(params));
const tests = renderRuleTests(params);
if (tests !== undefined) writeFileSync(new URL(`tests/${params.name}.test.yml`, here), tests);
console.log(
  `wrote collector/prometheus/rules/${rulesFileName(params)}${tests ? ` and tests/${params.name}.test.yml` : ''}`,
);
