import { chunk, MAX_METRICS_PER_POST } from '../../src/mackerel/batch';

describe('chunk', () => {
  it('splits into slices of the given size, the last one shorter', () => {
    // Act
    const slices = chunk([1, 2, 3, 4, 5], 2);

    // Assess
    expect(slices).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('returns no slices for no items', () => {
    // Act
    const slices = chunk([], MAX_METRICS_PER_POST);

    // Assess
    expect(slices).toEqual([]);
  });

  it('keeps a full post batch together', () => {
    // Prepare
    const values = Array.from({ length: MAX_METRICS_PER_POST * 2 + 1 }, (_, i) => i);

    // Act
    const slices = chunk(values, MAX_METRICS_PER_POST);

    // Assess
    expect(slices.map((s) => s.length)).toEqual([1000, 1000, 1]);
  });

  it('rejects a size below 1', () => {
    // Assess
    expect(() => chunk([1], 0)).toThrow(RangeError);
  });
});
