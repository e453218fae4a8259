import { createRetryQueue, estimateValueBytes, MACKEREL_ACCEPT_WINDOW_S } from '../../src/pipeline/retryQueue';
import type { MetricValue } from '../../src/types';

const NOW_S = 1_767_225_600;
const value = (i: number, time = NOW_S): MetricValue => ({ hostId: '3kHxYz12aBc', name: `custom.gostats.api-${String(i).padStart(4, '0')}.runtime.goroutine_num`, time, value: i });

describe('the retry queue', () => {
  it('drops the oldest values once over its byte cap, and counts them', () => {
    // Prepare: room for exactly 10 values.
    const queue = createRetryQueue(estimateValueBytes(value(0)) * 10);

    // Act
    const first = queue.enqueue(Array.from({ length: 8 }, (_, i) => value(i)));
    const second = queue.enqueue(Array.from({ length: 5 }, (_, i) => value(8 + i)));

    // Assess
    expect(first).toBe(0);
    expect(second).toBe(3);
    expect(queue.dropped).toEqual({ cap: 3, age: 0 });
    expect(queue.length).toBe(10);
    expect(queue.drain(NOW_S).values.map((v) => v.value)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('keeps values inside Mackerel 24 h window and drops, counting, the ones outside it', () => {
    // Prepare
    const queue = createRetryQueue();
    const tooOld = value(1, NOW_S - MACKEREL_ACCEPT_WINDOW_S);
    const almost = value(2, NOW_S - MACKEREL_ACCEPT_WINDOW_S + 60);
    const fresh = value(3, NOW_S - 60);
    queue.enqueue([tooOld, almost, fresh]);

    // Act
    const drained = queue.drain(NOW_S);

    // Assess
    expect(drained.values).toEqual([almost, fresh]);
    expect(drained.age).toBe(1);
    expect(queue.dropped).toEqual({ cap: 0, age: 1 });
    expect(queue.length).toBe(0);
    expect(queue.bytes).toBe(0);
  });

  it('tracks its bytes as values come and go', () => {
    // Prepare
    const queue = createRetryQueue();
    const values = [value(1), value(22), value(333)];

    // Act
    queue.enqueue(values);

    // Assess
    expect(queue.bytes).toBe(values.reduce((n, v) => n + estimateValueBytes(v), 0));
    expect(queue.bytes).toBeGreaterThan(JSON.stringify(values).length / values.length);
  });
});
