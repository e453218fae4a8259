import { fullJitterDelayMs } from '../../src/util/backoff';
import { mapLimit } from '../../src/util/mapLimit';
import { sleep } from '../../src/util/sleep';

describe('mapLimit', () => {
  it('keeps input order and never runs more than the limit at once', async () => {
    // Prepare
    let active = 0;
    let peak = 0;
    const items = [30, 5, 20, 1, 10, 15, 2];

    // Act
    const results = await mapLimit(items, 3, async (ms, index) => {
      active++;
      peak = Math.max(peak, active);
      await sleep(ms);
      active--;
      return `${index}:${ms}`;
    });

    // Assess
    expect(results).toEqual(items.map((ms, i) => `${i}:${ms}`));
    expect(peak).toBe(3);
  });

  it('returns an empty array for no items', async () => {
    // Act
    const results = await mapLimit([], 4, async () => 1);

    // Assess
    expect(results).toEqual([]);
  });

  it('rethrows a thrown error only after the work in flight has settled, and starts nothing new', async () => {
    // Prepare
    const finished: number[] = [];
    const started: number[] = [];

    // Act
    const outcome = mapLimit([0, 1, 2, 3, 4], 2, async (i) => {
      started.push(i);
      if (i === 0) throw new Error('item 0 broke');
      await sleep(30);
      finished.push(i);
      return i;
    });

    // Assess
    await expect(outcome).rejects.toThrow('item 0 broke');
    expect(started).toEqual([0, 1]);
    expect(finished).toEqual([1]);
  });

  it('treats a limit below 1 as 1', async () => {
    // Prepare
    let peak = 0;
    let active = 0;

    // Act
    await mapLimit([1, 2, 3], 0, async () => {
      peak = Math.max(peak, ++active);
      await sleep(1);
      active--;
    });

    // Assess
    expect(peak).toBe(1);
  });
});

describe('fullJitterDelayMs', () => {
  it('draws from zero up to base * 2^retry, capped by the maximum', () => {
    // Assess
    expect(fullJitterDelayMs(0, 200, 5000, () => 0.999)).toBe(199);
    expect(fullJitterDelayMs(3, 200, 5000, () => 0.5)).toBe(800);
    expect(fullJitterDelayMs(10, 200, 5000, () => 0.5)).toBe(2500);
    expect(fullJitterDelayMs(2, 200, 5000, () => 0)).toBe(0);
  });
});

describe('sleep', () => {
  it('resolves true when the time has passed', async () => {
    // Act
    const slept = await sleep(1);

    // Assess
    expect(slept).toBe(true);
  });

  it('resolves false as soon as the signal aborts', async () => {
    // Prepare
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 10);

    // Act
    const slept = await sleep(60_000, controller.signal);

    // Assess
    expect(slept).toBe(false);
  });

  it('resolves false at once for an already aborted signal', async () => {
    // Act
    const slept = await sleep(60_000, AbortSignal.abort());

    // Assess
    expect(slept).toBe(false);
  });
});
