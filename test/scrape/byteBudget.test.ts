import { createByteBudget, type BodyLease } from '../../src/scrape/byteBudget';

const turn = () => new Promise<void>((r) => setImmediate(r));

describe('createByteBudget', () => {
  it('takes bytes while they fit and refuses the chunk that would pass the limit', () => {
    // Prepare
    const budget = createByteBudget(100);
    const lease = budget.open();
    lease.expect(100);
    // Act
    const taken = [lease.tryTake(60), lease.tryTake(40), lease.tryTake(1)];
    // Assess
    expect(taken).toEqual([true, true, false]);
    expect(budget.inUse()).toBe(100);
  });

  it('lets every body finish when together they need far more than the limit (no deadlock)', async () => {
    // Prepare: 8 bodies of 6 units, limit 10; each takes 1 unit at a time and waits when refused
    const budget = createByteBudget(10);
    let peak = 0;
    const finished: number[] = [];
    const body = async (id: number): Promise<void> => {
      const lease = budget.open();
      lease.expect(6);
      for (let got = 0; got < 6; got++) {
        if (!lease.tryTake(1)) await new Promise<void>((granted) => lease.wait(1, granted));
        peak = Math.max(peak, budget.inUse());
        await turn();
      }
      lease.finish();
      await turn(); // the parse
      finished.push(id);
      lease.release();
    };
    // Act
    await Promise.all(Array.from({ length: 8 }, (_, i) => body(i)));
    // Assess
    expect(finished.sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(peak).toBeLessThanOrEqual(10);
    expect(budget.inUse()).toBe(0);
  }, 5000);

  it('admits a new body only when the bodies already streaming can still finish', () => {
    // Prepare: A and B each hold 4 of 10 and need 2 more
    const budget = createByteBudget(10);
    const [a, b, c] = [budget.open(), budget.open(), budget.open()] as [BodyLease, BodyLease, BodyLease];
    for (const l of [a, b]) {
      l.expect(6);
      l.tryTake(4);
    }
    c.expect(6);
    // Act / Assess: 2 free; C taking 1 would leave neither A nor B able to finish
    expect(c.tryTake(1)).toBe(false);
    expect(a.tryTake(2)).toBe(true);
  });

  it('grants a waiting body once another is released, and withdraws the wait of a released one', async () => {
    // Prepare
    const budget = createByteBudget(10);
    const [a, b, c] = [budget.open(), budget.open(), budget.open()] as [BodyLease, BodyLease, BodyLease];
    a.expect(10);
    a.tryTake(10);
    a.finish();
    const granted: string[] = [];
    b.expect(5);
    b.wait(5, () => granted.push('b'));
    c.expect(5);
    c.wait(5, () => granted.push('c'));
    c.release();
    // Act
    a.release();
    await turn();
    // Assess
    expect(granted).toEqual(['b']);
    expect([b.held, c.held, budget.inUse()]).toEqual([5, 0, 5]);
  });

  it('gives every byte back on release, once', () => {
    const budget = createByteBudget(10);
    const lease = budget.open();
    lease.tryTake(7);
    lease.release();
    lease.release();
    expect([budget.inUse(), lease.held, lease.tryTake(1)]).toEqual([0, 0, false]);
  });
});
