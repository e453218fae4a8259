/**
 * Renders src/scrape/ssmScript.ts from agent-script/scrape.sh (the source of truth). Run after editing the script:
 *   npx tsx test/ssm/writeScriptModule.ts
 * test/ssm/scriptModule.test.ts fails while the two differ.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SCRIPT_PATH = join(__dirname, '..', '..', 'agent-script', 'scrape.sh');
export const MODULE_PATH = join(__dirname, '..', '..', 'src', 'scrape', 'ssmScript.ts');

/** The TypeScript module embedding `script` as one string per line. */
export function renderScriptModule(script: string): string {
  if (!script.endsWith('\n')) throw new Error('scrape.sh must end with a newline');
  const lines = script.slice(0, -1).split('\n');
  return [
    '/**',
    ' * GENERATED from agent-script/scrape.sh by `npx tsx test/ssm/writeScriptModule.ts`: edit the script, then run it.',
    ' * The script is embedded as data because serverless-esbuild bundles TypeScript only, so the Lambda needs no',
    ' * packaged file or path at run time; test/ssm/scriptModule.test.ts fails whenever the two differ. One string per',
    ' * line because that is what AWS-RunShellScript `commands` takes.',
    ' */',
    'export const SCRAPE_SCRIPT_LINES: readonly string[] = [',
    ...lines.map((l) => `  ${JSON.stringify(l)},`),
    '];',
    '',
  ].join('\n');
}

if (require.main === module) {
  writeFileSync(MODULE_PATH, renderScriptModule(readFileSync(SCRIPT_PATH, 'utf8')));
  console.log(`wrote ${MODULE_PATH}`);
}
