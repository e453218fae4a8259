import { runCli } from './harness';

// `npm run demo` is the README's "try it without AWS": it must keep working and keep showing per-task metrics.
describe('npm run demo', () => {
  it('shows per-task metrics landing on the instances hosts, then a deployment picked up by the refresh path', async () => {
    // Act
    const run = await runCli(['demo', '--cycles', '2'], { LOG_LEVEL: 'error' });

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^cycle 2: 10 targets, 6 scraped, \d+ values posted, 2 skipped, 3 failed$/m);
    expect(run.stdout).toMatch(/^host \w+ \(i-0a510000000000000, 127\.0\.1\.1\)$/m);
    expect(run.stdout.match(/^ {2}custom\.gostats\.api-[0-9a-f]{8}\.\* {2}\(15 metrics\)$/gm)).toHaveLength(2);
    expect(run.stdout).toMatch(/^ {2}custom\.worker\.worker-[0-9a-f]{8}\.\* {2}\(4 metrics\)$/m);
    expect(run.stdout).toMatch(/RUNNING event, task [0-9a-f]{8} on host port \d+: scraped, 9 values posted/);
    expect(run.stdout).toMatch(/the same event delivered again: duplicate/);
    expect(run.stdout).toMatch(/STOPPED event, task [0-9a-f]{8}: retired/);
  });
});
