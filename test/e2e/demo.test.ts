import { runCli } from './harness';

// `npm run demo` is the README's "try it without AWS": it must keep working and keep showing per-task metrics.
describe('npm run demo', () => {
  it('shows per-task metrics landing on the instances hosts, then a deployment picked up by the refresh path', async () => {
    // Act
    const run = await runCli(['demo'], { LOG_LEVEL: 'error' });

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^cycle 3: 11 targets, 7 scraped, \d+ values posted, 1 skipped, 3 failed$/m);
    expect(run.stdout).toMatch(/^host \w+ \(i-0a510000000000000, 127\.0\.1\.1\)$/m);
    expect(run.stdout.match(/^ {2}custom\.gostats\.api-[0-9a-f]{8}\.\* {2}\(15 metrics\)$/gm)).toHaveLength(2);
    expect(run.stdout).toMatch(/^ {2}custom\.worker\.worker-[0-9a-f]{8}\.\* {2}\(4 metrics\)$/m);
    expect(run.stdout).toMatch(/RUNNING event, task [0-9a-f]{8} on host port \d+: scraped, 9 values posted/);
    expect(run.stdout).toMatch(/the same event delivered again: duplicate/);
    expect(run.stdout).toMatch(/STOPPED event, task [0-9a-f]{8}: retired/);
  });

  // Issue 9: "npm run demo shows a failing task turning a host's check CRITICAL after 3 cycles and OK again, and
  // the collector's health figures". The alert states come from the simulator's receiver, which applies
  // Mackerel's rule (maxCheckAttempts consecutive non-OK reports open an alert, an OK closes it).
  it('shows a host check going CRITICAL, its alert opening at the third failing cycle, and closing once the failing tasks are gone', async () => {
    // Act
    const run = await runCli(['demo'], { LOG_LEVEL: 'error' });

    // Assess
    const lines = run.stdout.split('\n');
    const critical = lines.filter((l) => /^ {2}check ecs-tasks on host \w+: CRITICAL/.test(l));
    expect(critical).toHaveLength(3);
    expect(critical[0]).toMatch(/CRITICAL, 1 of 3 failing cycles before an alert: 3 of 5 targets failing \(parse\/invalid 1, scrape\/refused 1, scrape\/timeout 1\)/);
    expect(critical[1]).toMatch(/CRITICAL, 2 of 3 failing cycles before an alert/);
    expect(critical[2]).toMatch(/CRITICAL, ALERT OPEN \(3 failing cycles, threshold 3\)/);
    const host = /on host (\w+): CRITICAL/.exec(critical[0] ?? '')?.[1];
    const after = lines.slice(lines.findIndex((l) => l.startsWith('the 3 failing task(s) are stopped')));
    expect(after.join('\n')).toMatch(new RegExp(`^ {2}check ecs-tasks on host ${host}: OK, alert closed: 2 targets scraped$`, 'm'));
    expect(run.stdout).toMatch(/^ {2}ecs-collector\.prod\.failed_ratio = 0\.273$/m);
    expect(run.stdout).toMatch(/^ {2}ecs-collector\.prod\.targets = 11$/m);
    expect(run.stdout).toMatch(/^failures by stage\/kind: parse\/invalid 1, scrape\/refused 1, scrape\/timeout 1$/m);
  });
});
