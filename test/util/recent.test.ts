import { RecentlyUsed } from '../../src/util/recent';

describe('RecentlyUsed', () => {
  it('keeps the most recently used entries up to its capacity and builds the others again', () => {
    const builds: string[] = [];
    const cache = new RecentlyUsed<string, string>(2);
    const get = (key: string) =>
      cache.get(key, () => {
        builds.push(key);
        return key.toUpperCase();
      });
    expect(get('a')).toBe('A');
    expect(get('b')).toBe('B');
    expect(get('a')).toBe('A'); // kept: 'a' is now the most recent
    expect(get('c')).toBe('C'); // 'b' goes
    expect(get('a')).toBe('A');
    expect(get('b')).toBe('B'); // built again
    expect(builds).toEqual(['a', 'b', 'c', 'b']);
  });
});
