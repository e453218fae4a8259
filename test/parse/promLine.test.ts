import { scanPromLine } from '../../src/parse/promLine';

describe('one line of Prometheus text', () => {
  it.each([
    ['a plain sample', 'up 1', { kind: 'sample', name: 'up', labels: [], value: 1 }],
    ['labels in the order written', 'g{b="2",a="1"} 3', { kind: 'sample', name: 'g', labels: [['b', '2'], ['a', '1']], value: 3 }],
    ['a 0.0.4 timestamp in milliseconds', 'up 1 1767225600123', { kind: 'sample', name: 'up', labels: [], value: 1, timestampMs: 1767225600123 }],
    ['an OpenMetrics timestamp in seconds', 'up 1 1767225600.5', { kind: 'sample', name: 'up', labels: [], value: 1, timestampMs: 1767225600500 }],
    ['the three escapes Prometheus resolves', 'g{a="q\\"b\\\\n\\n"} 1', { kind: 'sample', name: 'g', labels: [['a', 'q"b\\n\n']], value: 1 }],
    ['any other escape kept as written', 'g{a="C:\\Windows\\t"} 1', { kind: 'sample', name: 'g', labels: [['a', 'C:\\Windows\\t']], value: 1 }],
    ['a quoted metric name inside the braces', '{"a.b", "c.d"="e"} 1', { kind: 'sample', name: 'a.b', labels: [['c.d', 'e']], value: 1 }],
    ['an exemplar, ignored', 'c_total 4 # {id="x"} 1 1767225600.1', { kind: 'sample', name: 'c_total', labels: [], value: 4 }],
    ['a TYPE line', '# TYPE a_b:c gaugehistogram', { kind: 'type', family: 'a_b:c', type: 'gaugehistogram' }],
    ['a TYPE line with a quoted name', '# TYPE "a.b" info', { kind: 'type', family: 'a.b', type: 'info' }],
    ['# EOF', '# EOF', { kind: 'eof' }],
    ['a HELP line with no name', '# HELP ', { kind: 'skip' }],
    ['# UNIT', '# UNIT a_seconds seconds', { kind: 'skip' }],
    ['`# TYPE` alone (a comment in promlex.l)', '# TYPE', { kind: 'skip' }],
  ])('reads %s', (_case, line, expected) => {
    expect(scanPromLine(line)).toEqual(expected);
  });

  it.each([
    ['a backslash ending the line inside a value', 'g{a="x\\'],
    ['a quoted metric name given twice', '{"a","b"} 1'],
    ['a quoted metric name after a plain one', 'a{"b"} 1'],
    ['braces with no metric name', '{a="1"} 1'],
    ['an empty quoted metric name', '{""} 1'],
    ['a quoted metric name in an exemplar', 'a 1 # {"b"} 1'],
    ['text after the exemplar', 'a 1 # {b="c"} 1 2 3'],
    ['a type after trailing text', '# TYPE a counter gauge'],
    ['a name glued to text in a TYPE line', '# TYPE a-b gauge'],
  ])('refuses %s', (_case, line) => {
    expect(scanPromLine(line)).toMatchObject({ kind: 'error' });
  });

  it('drops a sample with an over-long label value, but not one with an over-long exemplar label', () => {
    const long = 'v'.repeat(600);
    expect(scanPromLine(`g{a="${long}"} 1`)).toEqual({ kind: 'too-long' });
    expect(scanPromLine(`g 1 # {a="${long}"} 1`)).toEqual({ kind: 'sample', name: 'g', labels: [], value: 1 });
  });

  it('finds a label given twice among many labels', () => {
    const many = Array.from({ length: 40 }, (_, i) => `l${i}="v"`).join(',');
    expect(scanPromLine(`g{${many}} 1`)).toMatchObject({ kind: 'sample' });
    expect(scanPromLine(`g{${many},l3="w"} 1`)).toMatchObject({ kind: 'error', reason: expect.stringMatching(/label "l3" given twice/) });
  });
});
