// The files `mltel init` writes for one parameter set: the shipped configs and dashboards as they
// are, plus the rules file and its promtool tests generated from the parameters.
import type { DeploymentParams } from './params.js';
import { renderRulesFile, renderRuleTests, rulesFileName } from './rules-file.js';
import { SHIPPED_FILES } from './shipped-files.js';

/** Every file of the deployment, by path under the target folder. */
export function deploymentFiles(params: DeploymentParams): Map<string, string> {
  const files = new Map(Object.entries(SHIPPED_FILES));
  files.set(`prometheus/rules/${rulesFileName(params)}`, renderRulesFile(params));
  const tests = renderRuleTests(params);
  if (tests !== undefined) files.set(`prometheus/tests/${params.name}.test.yml`, tests);
  return files;
}
