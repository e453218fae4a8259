/**
 * Fault scenarios of issue 8 about posting (faults/scenarios), quick variants: a few fake-minute cycles each,
 * everything on loopback. Each test asserts the behaviour the issue asks for.
 */
import { scenario as outage503 } from '../../faults/scenarios/outage503';
import { scenario as retired400 } from '../../faults/scenarios/retiredHost400';
import { scenario as auth401 } from '../../faults/scenarios/auth401';
import { scenario as nonJson200 } from '../../faults/scenarios/mackerelBody';
import { capCounted, past24h, within24h } from '../../faults/scenarios/queueBounds';
import { failedChecks } from './expectations';

jest.setTimeout(30_000);

describe('posting under Mackerel faults', () => {
  it('loses nothing through a 503 outage and recovery', async () => {
    expect(failedChecks(await outage503.run({ quick: true }))).toEqual([]);
  });

  it('keeps posting healthy hosts when one value is rejected with 400 (retired host)', async () => {
    expect(failedChecks(await retired400.run({ quick: true }))).toEqual([]);
  });

  it('keeps the retry queue and logs the summary on 401', async () => {
    expect(failedChecks(await auth401.run({ quick: true }))).toEqual([]);
  });

  it('does not count a 200 with a non-JSON body as posted', async () => {
    expect(failedChecks(await nonJson200.run({ quick: true }))).toEqual([]);
  });

  it('re-sends queued values inside Mackerel’s 24 h window', async () => {
    expect(failedChecks(await within24h.run({ quick: true }))).toEqual([]);
  });

  it('counts values older than 24 h in summary.retryDropped.age', async () => {
    expect(failedChecks(await past24h.run({ quick: true }))).toEqual([]);
  });

  it('counts values dropped by the queue cap in summary.retryDropped.cap', async () => {
    expect(failedChecks(await capCounted.run({ quick: true }))).toEqual([]);
  });
});
