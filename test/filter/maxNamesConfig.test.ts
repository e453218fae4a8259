/** MAX_NAMES_PER_TARGET: parsed once with the other settings, default one standard host's 200 included metrics. */
import { DEFAULTS, loadConfig } from '../../src/config/config';

const MINIMAL = { ECS_CLUSTERS: 'prod', MACKEREL_API_KEY: 'mkr-filter-config-secret-5d2b' };

function problemsOf(value: string): readonly string[] {
  const r = loadConfig({ ...MINIMAL, MAX_NAMES_PER_TARGET: value });
  return r.ok ? [] : r.error.problems;
}

describe('MAX_NAMES_PER_TARGET', () => {
  it('defaults to 200, and an empty value (as serverless.yml passes when unset) means the default', () => {
    expect(DEFAULTS.MAX_NAMES_PER_TARGET).toBe(200);
    expect(loadConfig(MINIMAL)).toMatchObject({ ok: true, value: { maxNamesPerTarget: 200 } });
    expect(loadConfig({ ...MINIMAL, MAX_NAMES_PER_TARGET: ' ' })).toMatchObject({ ok: true, value: { maxNamesPerTarget: 200 } });
  });

  it('accepts an integer from 1 to 10000', () => {
    expect(loadConfig({ ...MINIMAL, MAX_NAMES_PER_TARGET: '1' })).toMatchObject({ ok: true, value: { maxNamesPerTarget: 1 } });
    expect(loadConfig({ ...MINIMAL, MAX_NAMES_PER_TARGET: ' 10000 ' })).toMatchObject({ ok: true, value: { maxNamesPerTarget: 10_000 } });
  });

  it('refuses anything else, naming the variable, the range and the value', () => {
    for (const bad of ['0', '10001', '-5', '2e2', 'lots']) {
      expect(problemsOf(bad)).toEqual([`MAX_NAMES_PER_TARGET: expected an integer from 1 to 10000, got "${bad}"`]);
    }
  });
});
