/**
 * Suppressions: rule id + resource selector + mandatory justification + optional expiry date. An expired
 * suppression stops suppressing, and the report says so.
 */
import type { Finding } from './types';
import type { Suppression } from '../config/types';

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`, 'i');
}

/** A selector matches the resource id, its name, or `kind:name`; `*` is a wildcard. */
export function selectorMatches(selector: string, finding: Finding): boolean {
  const pattern = globToRegExp(selector);
  const { resource, logicalLocation } = finding;
  return [
    resource.id,
    resource.name,
    `${resource.kind}:${resource.name}`,
    logicalLocation.fullyQualifiedName,
  ].some((s) => pattern.test(s));
}

export function isExpired(suppression: Suppression, now: Date): boolean {
  if (!suppression.expires) return false;
  // A date-only `expires` suppresses through the end of that day (UTC).
  const end = /^\d{4}-\d{2}-\d{2}$/.test(suppression.expires)
    ? new Date(`${suppression.expires}T23:59:59.999Z`)
    : new Date(suppression.expires);
  return end.getTime() < now.getTime();
}

export interface SuppressionOutcome {
  findings: Finding[];
  expired: Suppression[];
}

export function applySuppressions(
  findings: Finding[],
  suppressions: readonly Suppression[],
  now: Date,
): SuppressionOutcome {
  const active = suppressions.filter((s) => !isExpired(s, now));
  const expired = suppressions.filter((s) => isExpired(s, now));
  const result = findings.map((finding) => {
    const match = active.find(
      (s) => (s.rule === '*' || s.rule === finding.ruleId) && selectorMatches(s.resource, finding),
    );
    if (!match) return finding;
    const suppressed: { justification: string; expires?: string } = { justification: match.justification };
    if (match.expires) suppressed.expires = match.expires;
    return { ...finding, suppressed };
  });
  return { findings: result, expired };
}
