import {
  buildCheckReports,
  checkMessageLength,
  chunkCheckReports,
  MAX_CHECK_MESSAGE_CHARS,
  type CheckHost,
  type CheckReport,
  type CheckReportOptions,
  type CheckStatus,
  type CheckTarget,
} from '../../src/checks/report';

const NOW_S = 1767225600;
const OPTIONS: CheckReportOptions = { failureStatus: 'CRITICAL', maxCheckAttempts: 3, nowS: NOW_S + 0.75 };
const NONE = new Map<string, CheckStatus>();

function target(n: number, failure?: CheckTarget['failure'], over: Partial<CheckTarget> = {}): CheckTarget {
  const taskId = `${n.toString(16).padStart(8, '0')}9c1e4b7d8e2f1a3b5c7d9e0f1a2b`;
  return { targetId: `prod/${taskId}/app:8080`, taskId, containerName: 'app', family: 'api-td', service: 'api', ...(failure ? { failure } : {}), ...over };
}
const timeout = { stage: 'scrape', kind: 'timeout', reason: 'timed out after 3000 ms' };
const reportOf = (reports: readonly CheckReport[], hostId: string): CheckReport | undefined => reports.find((r) => r.source.hostId === hostId);

describe('buildCheckReports', () => {
  it('reports OK with the number of targets for a host whose targets were all scraped', () => {
    // Act
    const { reports, next } = buildCheckReports([{ hostId: 'HostA', targets: [target(1), target(2), target(3)] }], NONE, OPTIONS);

    // Assess
    expect(reports).toEqual([
      { source: { type: 'host', hostId: 'HostA' }, name: 'ecs-tasks', status: 'OK', message: '3 targets scraped', occurredAt: NOW_S, maxCheckAttempts: 3 },
    ]);
    expect([...next]).toEqual([['HostA', 'OK']]);
  });

  it('reports the failure status naming each failing task, container, port, stage/kind and reason', () => {
    // Prepare
    const targets = [
      target(1, timeout),
      target(2),
      target(3, { stage: 'parse', kind: 'format', reason: 'not Prometheus text:\n  line 1' }, { service: undefined, family: 'batch', containerName: 'worker', targetId: 'prod/x/worker:9100' }),
      target(4),
      target(5),
    ];

    // Act
    const { reports, next } = buildCheckReports([{ hostId: 'HostA', targets }], NONE, OPTIONS);

    // Assess
    expect(reports[0]?.status).toBe('CRITICAL');
    expect(reports[0]?.message).toBe(
      '2 of 5 targets failing (parse/format 1, scrape/timeout 1): ' +
        'api/00000001/app:8080 scrape/timeout (timed out after 3000 ms); batch/00000003/worker:9100 parse/format (not Prometheus text: line 1)',
    );
    expect(next.get('HostA')).toBe('CRITICAL');
  });

  it('uses WARNING when configured, and sets maxCheckAttempts (clamped to 1-10) and notificationInterval on every report', () => {
    // Act
    const warn = buildCheckReports([{ hostId: 'HostA', targets: [target(1, timeout)] }], NONE, { ...OPTIONS, failureStatus: 'WARNING', maxCheckAttempts: 99, notificationInterval: 60, name: 'ecs' });
    const low = buildCheckReports([{ hostId: 'HostA', targets: [target(1)] }], NONE, { ...OPTIONS, maxCheckAttempts: 0 });

    // Assess
    expect(warn.reports[0]).toMatchObject({ name: 'ecs', status: 'WARNING', maxCheckAttempts: 10, notificationInterval: 60 });
    expect(low.reports[0]?.maxCheckAttempts).toBe(1);
    expect(low.reports[0]).not.toHaveProperty('notificationInterval');
  });

  it('keeps a message with hundreds of failures within 1024 characters, ending with "… and N more" after whole entries', () => {
    // Prepare: reasons with astral characters, which count once each, as Mackerel and the agent count them
    const targets = Array.from({ length: 300 }, (_, i) => target(i, { stage: 'scrape', kind: 'refused', reason: `connect ECONNREFUSED 127.0.1.1:${32768 + i} 🚫` }));

    // Act
    const message = buildCheckReports([{ hostId: 'HostA', targets }], NONE, OPTIONS).reports[0]?.message ?? '';

    // Assess
    expect(checkMessageLength(message)).toBeLessThanOrEqual(MAX_CHECK_MESSAGE_CHARS);
    expect(checkMessageLength(message)).toBeGreaterThan(MAX_CHECK_MESSAGE_CHARS - 120);
    const more = /; … and (\d+) more$/.exec(message);
    expect(more).not.toBeNull();
    const listed = message.slice(message.indexOf(': ') + 2, more?.index).split('; ');
    expect(listed.length + Number(more?.[1])).toBe(300);
    for (const e of listed) expect(e).toMatch(/^api\/[0-9a-f]{8}\/app:8080 scrape\/refused \(connect ECONNREFUSED 127\.0\.1\.1:\d+ 🚫\)$/);
    expect(message.startsWith('300 of 300 targets failing (scrape/refused 300): ')).toBe(true);
  });

  it('shortens one very long reason instead of dropping the entry', () => {
    // Act
    const message = buildCheckReports([{ hostId: 'HostA', targets: [target(1, { ...timeout, reason: 'x'.repeat(5000) })] }], NONE, OPTIONS).reports[0]?.message ?? '';

    // Assess
    expect(checkMessageLength(message)).toBeLessThan(300);
    expect(message).toMatch(/^1 of 1 target failing \(scrape\/timeout 1\): api\/00000001\/app:8080 scrape\/timeout \(x+…\)$/);
  });

  it('sends one final OK for a host whose tasks all stopped and forgets it', () => {
    // Prepare
    const previous = new Map<string, CheckStatus>([['HostGone', 'CRITICAL'], ['HostA', 'OK']]);

    // Act
    const first = buildCheckReports([{ hostId: 'HostA', targets: [target(1)] }, { hostId: 'HostEmpty', targets: [] }], previous, OPTIONS);
    const second = buildCheckReports([{ hostId: 'HostA', targets: [target(1)] }], first.next, OPTIONS);

    // Assess
    expect(reportOf(first.reports, 'HostGone')).toEqual({
      source: { type: 'host', hostId: 'HostGone' }, name: 'ecs-tasks', status: 'OK', message: 'no targets left on this host', occurredAt: NOW_S, maxCheckAttempts: 3,
    });
    expect(reportOf(first.reports, 'HostEmpty')).toBeUndefined();
    expect([...first.next.keys()]).toEqual(['HostA']);
    expect(second.reports.map((r) => r.source.hostId)).toEqual(['HostA']);
  });

  it('sorts reports by hostId and merges a host listed twice', () => {
    // Prepare
    const hosts: CheckHost[] = [
      { hostId: 'HostC', targets: [target(1)] },
      { hostId: 'HostA', targets: [target(2)] },
      { hostId: 'HostC', targets: [target(3, timeout)] },
    ];

    // Act
    const { reports } = buildCheckReports(hosts, new Map([['HostB', 'OK']]), OPTIONS);

    // Assess
    expect(reports.map((r) => [r.source.hostId, r.status])).toEqual([
      ['HostA', 'OK'],
      ['HostB', 'OK'],
      ['HostC', 'CRITICAL'],
    ]);
    expect(reportOf(reports, 'HostC')?.message).toMatch(/^1 of 2 targets failing/);
  });
});

describe('chunkCheckReports', () => {
  it('splits reports into requests of at most 100', () => {
    // Prepare
    const hosts = Array.from({ length: 250 }, (_, i) => ({ hostId: `H${String(i).padStart(3, '0')}`, targets: [target(i)] }));
    const { reports } = buildCheckReports(hosts, NONE, OPTIONS);

    // Act
    const batches = chunkCheckReports(reports);

    // Assess
    expect(batches.map((b) => b.length)).toEqual([100, 100, 50]);
    expect(batches.flat()).toEqual(reports);
  });
});
