import { randomSource } from '../../sim/sampleBodies';
import { buildServiceDashboard } from '../../src/dashboards/build';
import { GRID_COLUMNS, layoutWidgets, WIDGET_MAX_HEIGHT, WIDGET_MIN_SIZE, type WidgetKind, type WidgetRequest } from '../../src/dashboards/layout';
import type { WidgetLayout } from '../../src/mackerel/dashboardClient';
import { SAMPLE_INPUT } from './sample';

/** The first pair of overlapping boxes, checked pairwise (independent of how the layout was made). */
function overlap(boxes: readonly WidgetLayout[]): [number, number] | undefined {
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i];
      const b = boxes[j];
      if (a && b && a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height) return [i, j];
    }
  }
  return undefined;
}

/** Every rule the API states for a layout (API docs, dashboards, "Layout"), as a list of problems. */
function problems(requests: readonly WidgetRequest[], boxes: readonly WidgetLayout[]): string[] {
  const out: string[] = [];
  boxes.forEach((b, i) => {
    const kind = requests[i]?.kind ?? 'graph';
    const min = WIDGET_MIN_SIZE[kind];
    if (![b.x, b.y, b.width, b.height].every((n) => Number.isInteger(n) && n >= 0)) out.push(`${i}: not non-negative integers`);
    if (b.x + b.width > GRID_COLUMNS) out.push(`${i}: past column ${GRID_COLUMNS}`);
    if (b.width < min.width || b.height < min.height) out.push(`${i}: below ${kind} minimum`);
    if (b.height > WIDGET_MAX_HEIGHT[kind]) out.push(`${i}: above ${kind} maximum height`);
  });
  const hit = overlap(boxes);
  if (hit) out.push(`${hit[0]} overlaps ${hit[1]}`);
  return out;
}

const KINDS: readonly WidgetKind[] = ['graph', 'value', 'markdown', 'alertStatus'];

describe('dashboard layout', () => {
  it('never overlaps, stays on the 24-column grid and keeps every size within limits, for 0 to 120 widgets of any size', () => {
    // Prepare
    const next = randomSource(20260101); // seeded (mulberry32), so a failing case can be replayed
    for (let count = 0; count <= 120; count++) {
      for (let round = 0; round < 5; round++) {
        const requests = Array.from({ length: count }, (): WidgetRequest => ({
          kind: KINDS[Math.floor(next() * KINDS.length)] ?? 'graph',
          // Sizes from nonsense (0, negative, fractions, beyond the grid) to valid.
          width: Math.floor(next() * 34) - 4 + (next() < 0.2 ? 0.5 : 0),
          height: Math.floor(next() * 90) - 4,
        }));

        // Act
        const boxes = layoutWidgets(requests);

        // Assess
        expect(boxes).toHaveLength(count);
        expect({ count, round, problems: problems(requests, boxes) }).toEqual({ count, round, problems: [] });
      }
    }
  });

  it('places graph widgets three to a row below a full-width header', () => {
    // Act
    const boxes = layoutWidgets([
      { kind: 'markdown', width: 24, height: 4 },
      ...Array.from({ length: 4 }, (): WidgetRequest => ({ kind: 'graph', width: 8, height: 6 })),
    ]);

    // Assess
    expect(boxes).toEqual([
      { x: 0, y: 0, width: 24, height: 4 },
      { x: 0, y: 4, width: 8, height: 6 },
      { x: 8, y: 4, width: 8, height: 6 },
      { x: 16, y: 4, width: 8, height: 6 },
      { x: 0, y: 10, width: 8, height: 6 },
    ]);
  });

  it('lays out generated dashboards of 0 to 60 graphs without overlap', () => {
    for (let n = 0; n <= 60; n++) {
      // Prepare
      const metrics = Array.from({ length: n }, (_, i) => `m${i}`);

      // Act
      const body = buildServiceDashboard({ ...SAMPLE_INPUT, graphs: [{ prefix: 'app', graph: 'g', metrics, unit: 'float' }] });

      // Assess
      const kinds = body.widgets.map((w): WidgetRequest => ({ kind: w.type, width: 0, height: 0 }));
      expect({ n, problems: problems(kinds, body.widgets.map((w) => w.layout)) }).toEqual({ n, problems: [] });
    }
  });
});
