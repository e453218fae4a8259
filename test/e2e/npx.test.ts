import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

// The contract: after `npm ci` in a fresh clone, `npx mackerel-ecs-collector …` runs the CLI. The bin is
// reached through npm's own resolution here, not by path, so a bin that only works when called directly fails.
describe('npx mackerel-ecs-collector', () => {
  it('runs the CLI through npx from the project directory', async () => {
    const { stdout } = await run('npx', ['--no-install', 'mackerel-ecs-collector', 'help'], {
      cwd: join(__dirname, '..', '..'),
      env: { ...process.env, npm_config_update_notifier: 'false' },
    });
    expect(stdout).toContain('usage: mackerel-ecs-collector <command> [options]');
    expect(stdout).toMatch(/collect \[--dry-run\] \[--json\]/);
  });

  it('exits 2 and names the problem when the configuration is invalid', async () => {
    const failure = await run('npx', ['--no-install', 'mackerel-ecs-collector', 'collect', '--json'], {
      cwd: join(__dirname, '..', '..'),
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', METRIC_KEY: 'bogus' },
    }).then(
      () => undefined,
      (e: { code?: number; stderr?: string }) => e,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toMatch(/ECS_CLUSTERS: required/);
    expect(failure?.stderr).toMatch(/METRIC_KEY: expected one of task, port, slot, got "bogus"/);
  });
});
