import { fitted, none, pushAll } from '../../src/util/lists';

describe('pushAll', () => {
  it('appends the items in order and returns the list', () => {
    const list = [1, 2];
    expect(pushAll(list, [3, 4])).toBe(list);
    expect(list).toEqual([1, 2, 3, 4]);
    expect(pushAll(list, none())).toEqual([1, 2, 3, 4]);
  });

  it('appends more items than a call can take as arguments (list.push(...items) throws there)', () => {
    const items = Array.from({ length: 300_000 }, (_, i) => i);
    expect(() => [].push(...(items as never[]))).toThrow(RangeError);
    const list = pushAll([-1], items);
    expect(list).toHaveLength(300_001);
    expect(list[300_000]).toBe(299_999);
  });

  it('cannot append to the shared empty list', () => {
    expect(() => pushAll(fitted<number>([]), [1])).toThrow(TypeError);
  });
});
