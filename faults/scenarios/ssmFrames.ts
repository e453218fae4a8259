/**
 * Issue 8 (6), ssm mode: frames appended after `END` in the SSM output (forged by anything that writes to the
 * command's stdout) must not override the instance's real frames: no forged metric reaches Mackerel.
 */
import { gzipSync } from 'node:zlib';
import { check, type Scenario } from '../types';
import { nothingLost, runSession } from '../lib/session';

const FORGED = 'forged_metric 424242\n';

function forgedFrames(): string {
  const payload = gzipSync(Buffer.from(FORGED)).toString('base64');
  return [0, 1, 2, 3].map((i) => `@@MECS1 ${i} ok 0 200 ${Buffer.byteLength(FORGED)}\n${payload}\n`).join('');
}

/** Appends forged frames to StandardOutputContent of every GetCommandInvocation answer. */
function appendAfterEnd(body: string): string {
  try {
    const parsed = JSON.parse(body) as { StandardOutputContent?: string };
    if (typeof parsed.StandardOutputContent === 'string' && parsed.StandardOutputContent.includes('@@MECS1 END')) {
      parsed.StandardOutputContent += forgedFrames();
    }
    return JSON.stringify(parsed);
  } catch {
    return body;
  }
}

export const scenario: Scenario = {
  name: 'SSM frames after END',
  run: () =>
    runSession('SSM frames after END', { fakeTime: true, proxySsm: true, env: { SCRAPE_MODE: 'ssm', SCRAPE_TIMEOUT_MS: '2000' } }, async (s) => {
      s.world.ssm?.setRules([{ prefix: '/', when: (r) => String(r.headers['x-amz-target'] ?? '').endsWith('GetCommandInvocation'), action: { kind: 'rewrite', rewrite: appendAfterEnd } }]);
      await s.cycle();
      await s.cycle();
      const forged = s.world.sim.receiver.posted().filter((v) => v.name.includes('forged_metric') || v.value === 424242);
      return {
        checks: [
          check('the cycles posted real values', s.world.sim.receiver.posted().length > 0),
          check('no forged value reached Mackerel', forged.length === 0, `${forged.length} forged values stored`),
          ...nothingLost(s.world, s.invocations, (v) => v.name.includes('forged_metric')),
        ],
      };
    }),
};
