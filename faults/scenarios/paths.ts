/**
 * Label values that try to smuggle bytes onto the wire: a CRLF in `mackerel.metrics.path` (header injection)
 * and an `@` (authority confusion), and an awsvpc ENI on the link-local metadata address. Each must be refused
 * or sent harmlessly to the target itself; the loopback guard catches any connection elsewhere.
 */
import { startHostileTarget, type HostileTarget } from '../../sim/hostileTargets';
import { check, type Scenario } from '../types';
import { hostileTask } from '../lib/hostile';
import { nothingLost, runSession } from '../lib/session';
import { smallCluster } from '../lib/world';

const INJECTED = 'x-injected';

export const scenario: Scenario = {
  name: 'CRLF and @ in paths, link-local ENI',
  run: async () => {
    const seen: string[] = [];
    const target: HostileTarget = await startHostileTarget('127.0.7.2', (req, res) => {
      seen.push(JSON.stringify({ url: req.url, injected: req.headers[INJECTED] }));
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('seen 1\n');
    });
    try {
      const tasks = [
        hostileTask(target, 'crlf', { 'mackerel.metrics.path': `/metrics\r\n${INJECTED}: 1` }),
        hostileTask(target, 'at', { 'mackerel.metrics.path': '@169.254.169.254/latest/meta-data/' }),
        { ...hostileTask(target, 'linklocal'), eniAddress: '169.254.169.254' },
      ];
      return await runSession('CRLF/@ paths, link-local ENI', { fakeTime: true, clusters: [smallCluster(tasks)] }, async (s) => {
        const inv = await s.cycle();
        const issues = [...(inv.summary?.failed ?? []), ...(inv.summary?.skipped ?? [])];
        const linkLocal = issues.find((i) => /169\.254/.test(i.reason) || (/linklocal|169\.254/.test(i.target) && /allow|refus/i.test(i.reason)));
        return {
          checks: [
            check('no injected header reached the target', !seen.some((x) => x.includes('"injected":"1"')), seen.join(' ')),
            check('the link-local ENI is refused with a reason', linkLocal !== undefined, issues.map((i) => i.reason).join('; ').slice(0, 160)),
            ...nothingLost(s.world, s.invocations),
          ],
        };
      });
    } finally {
      await target.close();
    }
  },
};
