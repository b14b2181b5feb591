import { describe, expect, it } from 'vitest';
import { createBatchSizer } from './batch-sizer.ts';

describe('createBatchSizer', () => {
  it('given full batches that commit fast, then the size doubles up to the max', () => {
    const sizer = createBatchSizer({ min: 10, max: 50 }, 100);
    const sizes = [sizer.size];
    for (let i = 0; i < 4; i++) {
      sizer.committed(sizer.size, 5);
      sizes.push(sizer.size);
    }
    expect(sizes).toEqual([10, 20, 40, 50, 50]);
  });

  it('given a partial batch, then the size stays (the head is reached, not the limit)', () => {
    const sizer = createBatchSizer({ min: 10, max: 50 }, 100);
    sizer.committed(3, 1);
    expect(sizer.size).toBe(10);
  });

  it('given slow or failing batches, then the size halves down to the min', () => {
    const sizer = createBatchSizer({ min: 10, max: 80 }, 100);
    for (let i = 0; i < 3; i++) sizer.committed(sizer.size, 1);
    expect(sizer.size).toBe(80);
    sizer.committed(80, 250);
    expect(sizer.size).toBe(40);
    sizer.committed(40, 150);
    expect(sizer.size).toBe(40);
    sizer.failed();
    sizer.failed();
    sizer.failed();
    expect(sizer.size).toBe(10);
  });
});
