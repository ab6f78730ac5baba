/**
 * Helpers that keep a violation's `message` on one line of at most `MESSAGE_LIMIT` characters: long lists and
 * values are shortened with `...` only where they would not fit, and the values that identify the problem stay.
 */
import { MESSAGE_LIMIT } from './contract';

/** `value` cut to `max` characters, ending in `...` when cut. */
export function clip(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, Math.max(0, max - 3))}...`;
}

/** Single-quoted, as messages quote names and values. */
export const quote = (value: string): string => `'${value}'`;

/**
 * Items joined by `, ` (each passed through `show`, quoted by default): as many as fit in `budget` characters,
 * then `and N more`. The first item is always named (clipped if it alone is too long).
 */
export function fitList(
  items: readonly string[],
  budget: number,
  show: (s: string) => string = quote,
): string {
  for (let k = items.length; k >= 1; k--) {
    const rest = items.length - k;
    const text = items.slice(0, k).map(show).join(', ') + (rest > 0 ? ` and ${rest} more` : '');
    if (text.length <= budget) return text;
  }
  const rest = items.length - 1;
  const tail = rest > 0 ? ` and ${rest} more` : '';
  return show(clip(items[0] ?? '', Math.max(8, budget - tail.length - 2))) + tail;
}

/**
 * The first of `candidates` (the same message, each shorter than the one before) that fits in `MESSAGE_LIMIT`,
 * else the last one clipped: a message is never longer than the limit.
 */
export function firstThatFits(...candidates: readonly string[]): string {
  const fits = candidates.find((c) => c.length <= MESSAGE_LIMIT);
  return fits ?? clip(candidates[candidates.length - 1] ?? '', MESSAGE_LIMIT);
}

/** `.../oauth2/v2.0/token` for a URL: its path after the tenant segment, for a message that must be short. */
export function afterTenant(url: string): string {
  const match = /^[a-z]+:\/\/[^/]+\/[^/]+(\/.*)$/i.exec(url);
  return match ? `...${match[1]}` : url;
}

/**
 * A message whose names may be long (Azure resource names reach 80 characters, app names more): built with every
 * name in full, then with names shortened to 60, 40 and 24 characters, until it fits. `build` gets the shortener
 * and returns the message, or its candidates from the most to the least complete (see `firstThatFits`).
 */
export function fit(build: (name: (value: string) => string) => string | readonly string[]): string {
  const candidates = [Infinity, 60, 40, 24].flatMap((max) => {
    const built = build((value) => clip(value, max));
    return typeof built === 'string' ? [built] : built;
  });
  return firstThatFits(...candidates);
}
