import type { WidgetLayout } from '../mackerel/dashboardClient';

/**
 * Widget placement on Mackerel's dashboard grid (API docs, dashboards, "Layout"): 24 columns, integer
 * coordinates ≥ 0, nothing past the right edge, no overlap, and per-type minimum and maximum sizes.
 */

/** Columns of the dashboard grid. */
export const GRID_COLUMNS = 24;

/** Widget types and their size limits (width × height, in grid units). */
export type WidgetKind = 'graph' | 'value' | 'markdown' | 'alertStatus';
export const WIDGET_MIN_SIZE: Readonly<Record<WidgetKind, { readonly width: number; readonly height: number }>> = {
  graph: { width: 6, height: 6 },
  value: { width: 4, height: 4 },
  markdown: { width: 4, height: 2 },
  alertStatus: { width: 4, height: 3 },
};
export const WIDGET_MAX_HEIGHT: Readonly<Record<WidgetKind, number>> = { graph: 32, value: 32, markdown: 80, alertStatus: 32 };

/** The size a widget asks for; it is clamped to its type's limits. */
export interface WidgetRequest {
  readonly kind: WidgetKind;
  readonly width: number;
  readonly height: number;
}

const clamp = (n: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, Math.round(Number.isFinite(n) ? n : lo)));

/**
 * Places widgets in reading order, left to right in rows ("shelf" packing): a widget that does not fit in
 * what is left of the row starts the next row, below the tallest widget of the current one. Rows never
 * share grid lines, so no two widgets overlap whatever the sizes asked for.
 */
export function layoutWidgets(requests: readonly WidgetRequest[]): WidgetLayout[] {
  const out: WidgetLayout[] = [];
  let x = 0;
  let rowY = 0;
  let rowHeight = 0;
  for (const r of requests) {
    const min = WIDGET_MIN_SIZE[r.kind];
    const width = clamp(r.width, min.width, GRID_COLUMNS);
    const height = clamp(r.height, min.height, WIDGET_MAX_HEIGHT[r.kind]);
    if (x + width > GRID_COLUMNS) {
      rowY += rowHeight;
      x = 0;
      rowHeight = 0;
    }
    out.push({ x, y: rowY, width, height });
    x += width;
    rowHeight = Math.max(rowHeight, height);
  }
  return out;
}
