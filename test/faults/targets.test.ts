/** Fault scenarios of issue 8 about hostile targets and SSM output (faults/scenarios), loopback only. */
import { scenarios as hostile } from '../../faults/scenarios/hostileTargets';
import { scenario as paths } from '../../faults/scenarios/paths';
import { scenario as ssmFrames } from '../../faults/scenarios/ssmFrames';
import { tenMiBLine } from '../../faults/scenarios/memory';
import { failedChecks } from './expectations';

jest.setTimeout(30_000);

describe('hostile targets', () => {
  it.each(hostile.map((s) => [s.name, s] as const))('%s fails alone, with its reason, in bounded time', async (_name, s) => {
    expect(failedChecks(await s.run({ quick: true }))).toEqual([]);
  });

  it('refuses CRLF and @ in paths and a link-local ENI', async () => {
    expect(failedChecks(await paths.run({ quick: true }))).toEqual([]);
  });

  it('never posts a metric name from a 10 MiB line, and counts the drop', async () => {
    expect(failedChecks(await tenMiBLine.run({ quick: true }))).toEqual([]);
  });

  it('ignores SSM frames appended after END', async () => {
    expect(failedChecks(await ssmFrames.run({ quick: true }))).toEqual([]);
  });
});
