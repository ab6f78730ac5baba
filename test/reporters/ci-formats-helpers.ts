/**
 * Findings built for the CI report formats' tests (github, markdown, junit): many of them, and findings whose
 * every string is hostile (workflow commands, markdown and HTML, XML-forbidden characters).
 */
import type { AuditResult, BaselineComparison, BaselineEntry, Finding } from '../../src/engine/types';
import type { Severity } from '../../src/severity';
import { cleanResult } from './sample-result';

export function findingAt(i: number, severity: Severity, overrides: Partial<Finding> = {}): Finding {
  return {
    ruleId: 'redirect-uri-safe',
    severity,
    message: `App 'app-${i}' has redirect URI http://app-${i}.contoso.com/signin; use https.`,
    resource: { kind: 'application', id: `/applications/${i}`, name: `app-${i}` },
    location: { file: `entra/app-${i}.json`, line: i + 1, column: 3 },
    logicalLocation: { fullyQualifiedName: `/applications/${i}`, kind: 'application', name: `app-${i}` },
    fingerprint: `fp-${i}`,
    ...overrides,
  };
}

/** A clean result holding `findings`, with the summary counted from them. */
export function resultWith(findings: Finding[], patch: Partial<AuditResult> = {}): AuditResult {
  const result = cleanResult();
  const active = findings.filter((f) => !f.suppressed);
  return {
    ...result,
    findings,
    summary: {
      ...result.summary,
      error: active.filter((f) => f.severity === 'error').length,
      warning: active.filter((f) => f.severity === 'warning').length,
      note: active.filter((f) => f.severity === 'note').length,
      suppressed: findings.length - active.length,
    },
    ...patch,
  };
}

/** Strings an attacker writes into a pull request: names, paths and values that end up in messages. */
export const HOSTILE = {
  name: `evil\n::error::forged%0A<img src=x onerror=alert(1)> @octo-org/admins [x](https://evil.example) | cell`,
  file: 'apis/a,b:c/pol%icy (1).xml',
  message: `Bad value 'x'\r\n::add-mask::secret\n## heading\n<script>alert(1)</script> ![i](https://evil.example/i.png) \u0007 \u001b[31m \ud800 &amp; ]]>`,
};

export function hostileFinding(): Finding {
  return findingAt(0, 'error', {
    message: HOSTILE.message,
    resource: { kind: 'api', id: '/apis/evil', name: HOSTILE.name },
    location: { file: HOSTILE.file, line: 3, column: 5 },
    logicalLocation: { fullyQualifiedName: '/apis/evil', kind: 'api', name: HOSTILE.name },
    fix: { text: `Set it to '${HOSTILE.name}'.` },
  });
}

/** A comparison with `.audit-baseline.json` (outside the working tree), as `scan --baseline` attaches it. */
export function baselineComparison(
  counts: { new: number; unchanged: number },
  absent: BaselineEntry[] = [],
): BaselineComparison {
  return {
    file: '.audit-baseline.json',
    inWorkingTree: false,
    entries: counts.unchanged + absent.length,
    ...counts,
    absent,
    notChecked: 0,
    stale: { maxAgeDays: 90, count: 0 },
  };
}
