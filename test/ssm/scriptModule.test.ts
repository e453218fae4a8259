import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { SCRIPT_PARALLEL } from '../../src/scrape/ssmTargets';
import { hasShellcheck } from './helpers';
import { MODULE_PATH, renderScriptModule, SCRIPT_PATH } from './writeScriptModule';

describe('the embedded scrape script', () => {
  const script = readFileSync(SCRIPT_PATH, 'utf8');

  it('is exactly agent-script/scrape.sh (regenerate with `npx tsx test/ssm/writeScriptModule.ts`)', () => {
    expect(readFileSync(MODULE_PATH, 'utf8')).toBe(renderScriptModule(script));
  });

  it('fetches as many targets at once as the collector plans its execution timeout for', () => {
    expect(script).toContain(`\nPARALLEL=${SCRIPT_PARALLEL}\n`);
  });

  it('starts with a bash shebang, because the SSM Agent runs the file with `sh -c`', () => {
    expect(script.split('\n')[0]).toBe('#!/usr/bin/env bash');
    expect(script).toContain('\nset -euo pipefail\n');
  });

  (hasShellcheck() ? it : it.skip)('is shellcheck-clean', () => {
    const run = spawnSync('shellcheck', ['--shell=bash', SCRIPT_PATH], { encoding: 'utf8' });
    expect(run.stdout).toBe('');
    expect(run.status).toBe(0);
  });
});
