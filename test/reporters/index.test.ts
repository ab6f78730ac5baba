import { REPORTER_NAMES, reporters } from '../../reporters';
import { OPTIONS, cleanResult, fullResult } from './sample-result';

describe('reporter registry', () => {
  it('has exactly one reporter per name', () => {
    expect(Object.keys(reporters).sort()).toEqual([...REPORTER_NAMES].sort());
  });

  it.each(REPORTER_NAMES)('%s is pure: same input, same output, input untouched', (name) => {
    const result = fullResult();
    const before = structuredClone(result);
    const first = reporters[name](result, OPTIONS);
    expect(reporters[name](result, OPTIONS)).toBe(first);
    expect(result).toEqual(before);
    expect(first.endsWith('\n')).toBe(true);
    expect(reporters[name](cleanResult(), OPTIONS).length).toBeGreaterThan(0);
  });

  it.each(['json', 'sarif'] as const)('%s ignores the colour option', (name) => {
    expect(reporters[name](fullResult(), { ...OPTIONS, color: true })).toBe(
      reporters[name](fullResult(), OPTIONS),
    );
  });
});
