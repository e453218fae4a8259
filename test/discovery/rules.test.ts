import { parseTargetRules, ruleMatches } from '../../src/discovery/rules';

function problemsOf(json: string): string[] {
  const r = parseTargetRules(json);
  return r.ok ? [] : r.error;
}

describe('parseTargetRules', () => {
  it('compiles a full rule and matches family and container names in full', () => {
    // Act
    const r = parseTargetRules('[{"family":"api|worker","container":"app.*","port":8080,"format":"gostats","path":"/stats","prefix":"gostats"}]');

    // Assess
    if (!r.ok) throw new Error(r.error.join('; '));
    const [rule] = r.value;
    expect(rule).toMatchObject({ port: 8080, format: 'gostats', path: '/stats', prefix: 'gostats' });
    if (!rule) throw new Error('no rule');
    expect(ruleMatches(rule, 'api', 'app-main')).toBe(true);
    expect(ruleMatches(rule, 'worker', 'app')).toBe(true);
    expect(ruleMatches(rule, 'api-canary', 'app')).toBe(false);
    expect(ruleMatches(rule, 'api', 'sidecar')).toBe(false);
  });

  it('accepts a rule with only a container pattern and leaves the other fields to defaults', () => {
    const r = parseTargetRules('[{"container":"exporter","port":9100}]');
    expect(r.ok && r.value).toEqual([{ containerPattern: expect.objectContaining({ source: 'exporter' }), port: 9100 }]);
  });

  it('treats an empty or blank value as no rules', () => {
    expect(parseTargetRules('  ')).toEqual({ ok: true, value: [] });
    expect(parseTargetRules('[]')).toEqual({ ok: true, value: [] });
  });

  it('rejects text that is not JSON, or not an array', () => {
    expect(problemsOf('{family:api}')[0]).toMatch(/^TARGET_RULES is not valid JSON: /);
    expect(problemsOf('{"family":"api","port":1}')).toEqual(['TARGET_RULES must be a JSON array of rules']);
  });

  it('reports every problem with its rule index, typos in key names included', () => {
    // Act
    const problems = problemsOf(
      JSON.stringify([
        { fmaily: 'api', port: 8080 },
        { family: 'api', port: '8080', format: 'json', path: 'stats', prefix: 'a.b' },
        { container: '(', port: 0 },
        'not-a-rule',
      ]),
    );

    // Assess
    expect(problems).toEqual([
      'TARGET_RULES[0]: unknown key "fmaily" (allowed: family, container, port, format, path, prefix, include, exclude, maxNames)',
      'TARGET_RULES[0]: needs "family" or "container" (or both)',
      'TARGET_RULES[1].port "8080" must be an integer 1-65535',
      'TARGET_RULES[1].format "json" must be one of gostats, prometheus, plugin',
      'TARGET_RULES[1].path "stats" must start with \'/\' and contain no whitespace or control characters',
      'TARGET_RULES[1].prefix "a.b" must be one metric name node: letters, digits, "-" and "_" only',
      expect.stringMatching(/^TARGET_RULES\[2\]\.container "\(" is not a valid regular expression: /),
      'TARGET_RULES[2].port 0 must be an integer 1-65535',
      'TARGET_RULES[3] must be an object',
    ]);
  });

  it('rejects a missing port and an empty pattern', () => {
    expect(problemsOf('[{"family":""}]')).toEqual([
      'TARGET_RULES[0].family must be a non-empty string (a regular expression)',
      'TARGET_RULES[0].port is required',
    ]);
  });

  it('refuses lookahead, lookbehind and backreferences, naming the rule and why', () => {
    // Act
    const problems = problemsOf(
      JSON.stringify([
        { family: '(?!canary).*', port: 80 },
        { container: '(?<=app)-main', port: 80 },
        { family: '(a)\\1', port: 80 },
        { family: 'api-[(?=]x', port: 80 },
      ]),
    );

    // Assess: the escaped or bracketed "(?=" of rule 3 is an ordinary character class, and compiles.
    expect(problems).toEqual([
      'TARGET_RULES[0].family "(?!canary).*" is not a valid regular expression: lookahead is not supported: patterns run in linear time (RE2 syntax)',
      'TARGET_RULES[1].container "(?<=app)-main" is not a valid regular expression: lookbehind is not supported: patterns run in linear time (RE2 syntax)',
      'TARGET_RULES[2].family "(a)\\\\1" is not a valid regular expression: a backreference is not supported: patterns run in linear time (RE2 syntax)',
    ]);
  });

  it('matches a family against a catastrophic-backtracking pattern and returns, however long the name', () => {
    // Prepare: with a backtracking engine, 41 characters that almost match never return (issue 8, item 5).
    const r = parseTargetRules('[{"family":"([a-z0-9]+-?)+","port":8080}]');
    if (!r.ok) throw new Error(r.error.join('; '));
    const [rule] = r.value;
    if (!rule) throw new Error('no rule');
    const almost = (n: number) => `${'a'.repeat(n - 1)}!`;

    // Act / Assess
    expect(ruleMatches(rule, almost(41), 'app')).toBe(false);
    expect(ruleMatches(rule, almost(5000), 'app')).toBe(false);
    expect(ruleMatches(rule, 'api-v2-canary', 'app')).toBe(true);
  });

  it('matches the whole name even when the pattern closes its own group', () => {
    // Prepare: "api)|(x" reads as "^(?:api)|(x)$", which a search (RegExp.test) satisfies with any name starting "api".
    const r = parseTargetRules('[{"family":"api)|(x","port":8080}]');
    if (!r.ok) throw new Error(r.error.join('; '));
    const [rule] = r.value;
    if (!rule) throw new Error('no rule');

    // Act / Assess
    expect(ruleMatches(rule, 'api', 'app')).toBe(true);
    expect(ruleMatches(rule, 'x', 'app')).toBe(true);
    expect(ruleMatches(rule, 'api-canary', 'app')).toBe(false);
    expect(ruleMatches(rule, 'canary-x', 'app')).toBe(false);
  });
});
