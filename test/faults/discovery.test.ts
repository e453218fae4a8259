/** Fault scenarios of issue 8 about discovery and events (faults/scenarios), bounded in time, loopback only. */
import { inProcess as listTasksLoop } from '../../faults/scenarios/listTasksLoop';
import { scenario as catastrophicRegex } from '../../faults/scenarios/catastrophicRegex';
import { scenario as missingCluster } from '../../faults/scenarios/missingCluster';
import { scenario as events } from '../../faults/scenarios/events';
import { failedChecks } from './expectations';

jest.setTimeout(30_000);

describe('discovery and events under faults', () => {
  it('stops a ListTasks listing that repeats its nextToken and logs the summary', async () => {
    expect(failedChecks(await listTasksLoop.run({ quick: true }))).toEqual([]);
  });

  it('ends the cycle with a catastrophic TARGET_RULES regex and a 41-character family', async () => {
    expect(failedChecks(await catastrophicRegex.run({ quick: true }))).toEqual([]);
  });

  it('collects the other clusters when one does not exist', async () => {
    expect(failedChecks(await missingCluster.run({ quick: true }))).toEqual([]);
  });

  it('ignores malformed, duplicate, reordered, out-of-range and foreign events', async () => {
    expect(failedChecks(await events.run({ quick: true }))).toEqual([]);
  });
});
