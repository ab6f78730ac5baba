/**
 * The text `token` prints (issue 14): the named claims, the operation, and per call path each step with its
 * outcome, the first failing check first with its runtime error, policy element (file:line) and fix, then the
 * other checks it would also fail. Pure. The token itself never reaches here, only its named claims.
 */
import type { Location } from '../engine/types';
import { namedClaims, type DecodedToken } from './decode';
import type { PathDiagnosis, Step, TokenDiagnosis } from './evaluate';

const NOTE =
  'Decoded locally: the signature is not verified, nothing is sent over the network and no key is fetched.';

function at(location: Location | undefined): string {
  if (!location?.file) return '';
  const line = location.line !== undefined ? `:${location.line}` : '';
  const column = location.line !== undefined && location.column !== undefined ? `:${location.column}` : '';
  return ` (${location.file}${line}${column})`;
}

function claimLines(token: DecodedToken): string[] {
  const lines = namedClaims(token.claims).map(({ name, values }) => {
    const text = values.join(' ');
    if ((name === 'exp' || name === 'nbf' || name === 'iat') && /^\d+$/.test(text)) {
      return `  ${name}: ${text} (${new Date(Number(text) * 1000).toISOString()})`;
    }
    return `  ${name}: ${text}`;
  });
  return lines.length > 0 ? lines : ['  (none of aud, iss, ver, tid, scp, roles, azp, appid, exp, nbf, iat)'];
}

const VERDICT: Record<PathDiagnosis['verdict'], string> = {
  pass: 'passes',
  reject: 'REJECTED',
  unknown: 'UNDECIDED',
};

function stepLines(step: Step, index: number, first: boolean): string[] {
  const head = `  ${index}. ${step.element} in ${step.where}${at(step.location)}: ${
    step.outcome === 'fail'
      ? `fails${step.status ? ` (${step.status})` : ''}`
      : step.outcome === 'unknown'
        ? 'undecided'
        : 'passes'
  }`;
  const lines = [head];
  if (step.note) lines.push(`     ${step.note}`);
  const failing = step.checks.filter((c) => c.outcome === 'fail');
  const undecided = step.checks.filter((c) => c.outcome === 'unknown');
  failing.forEach((check, i) => {
    const label = first && i === 0 ? 'first failure' : 'also fails';
    lines.push(`     ${label}: ${check.error ?? check.check}: ${check.message}`);
    if (check.fix) lines.push(`       fix: ${check.fix}`);
  });
  for (const check of undecided) lines.push(`     undecided (${check.check}): ${check.message}`);
  const passed = step.checks.filter((c) => c.outcome === 'pass');
  if (passed.length > 0)
    lines.push(`     passes: ${passed.map((c) => `${c.check} (${c.message})`).join('; ')}`);
  return lines;
}

/** The lines of a path below its heading: its steps, and what is not known of it. */
function pathBody(path: PathDiagnosis): string[] {
  const lines: string[] = [];
  let firstSeen = false;
  path.steps.forEach((step, i) => {
    const first = !firstSeen && step.outcome === 'fail';
    if (first) firstSeen = true;
    lines.push(...stepLines(step, i + 1, first));
  });
  if (!path.validates && path.verdict === 'pass') {
    lines.push(
      '  No validate-jwt or validate-azure-ad-token runs on this path: any token, or none, gets through.',
    );
  }
  for (const u of path.unreadable) lines.push(`  Not fully known: ${u}`);
  return lines;
}

/** Call paths that run the same checks with the same results are shown once, under all their descriptions. */
function pathSections(paths: readonly PathDiagnosis[]): string[] {
  const groups = new Map<string, { paths: PathDiagnosis[]; body: string[] }>();
  for (const path of paths) {
    const body = pathBody(path);
    const key = `${path.verdict}\u0000${body.join('\n')}`;
    const group = groups.get(key);
    if (group) group.paths.push(path);
    else groups.set(key, { paths: [path], body });
  }
  return [...groups.values()].flatMap(({ paths: same, body }) => [
    `Call path${same.length > 1 ? 's' : ''}: ${same.map((p) => p.description).join('; ')}: ${VERDICT[same[0]?.verdict ?? 'pass']}`,
    ...body,
    '',
  ]);
}

export function formatDiagnosis(
  diagnosis: TokenDiagnosis,
  token: DecodedToken,
  extra: readonly string[] = [],
): string {
  const lines = [NOTE];
  if (token.from === 'claims') lines.push('Claims given as JSON: no token header was read.');
  lines.push('Claims it names:', ...claimLines(token), '', `Operation: ${diagnosis.operation}`, '');
  lines.push(...pathSections(diagnosis.paths));
  lines.push(...extra);
  const rejected = diagnosis.paths.filter((p) => p.verdict === 'reject').length;
  const summary =
    diagnosis.verdict === 'reject'
      ? `Verdict: rejected on ${rejected} of ${diagnosis.paths.length} call path${diagnosis.paths.length === 1 ? '' : 's'}.`
      : diagnosis.verdict === 'unknown'
        ? 'Verdict: undecided: something the checks need is not known (see above).'
        : 'Verdict: the token passes every check (signature not verified).';
  lines.push(summary);
  return `${lines.join('\n')}\n`;
}

/**
 * Bumped only when a consumer would break (a key removed, renamed or retyped). 1: the first version.
 */
export const TOKEN_JSON_VERSION = 1;

/**
 * The diagnosis as a JSON document (`token --format json`), for scripts and support bots: the same facts as the
 * text, keys in a fixed order. Like the text, it holds only the named claims, never the token.
 */
export function diagnosisToJson(
  diagnosis: TokenDiagnosis,
  token: DecodedToken,
  gaps: readonly string[],
  toolVersion: string,
): Record<string, unknown> {
  const where = (location: Location | undefined) =>
    location?.file !== undefined
      ? { file: location.file, line: location.line ?? null, column: location.column ?? null }
      : null;
  return {
    version: TOKEN_JSON_VERSION,
    tool: { name: 'apim-oauth-audit', version: toolVersion },
    signatureVerified: false,
    claims: Object.fromEntries(namedClaims(token.claims).map(({ name, values }) => [name, values])),
    operation: diagnosis.operation,
    verdict: diagnosis.verdict,
    paths: diagnosis.paths.map((path) => ({
      description: path.description,
      product: path.product ?? null,
      verdict: path.verdict,
      validates: path.validates,
      unreadable: [...path.unreadable],
      steps: path.steps.map((step) => ({
        element: step.element,
        where: step.where,
        location: where(step.location),
        outcome: step.outcome,
        status: step.status ?? null,
        note: step.note ?? null,
        checks: step.checks.map((check) => ({
          check: check.check,
          outcome: check.outcome,
          error: check.error ?? null,
          message: check.message,
          fix: check.fix ?? null,
        })),
      })),
    })),
    incompleteSources: [...gaps],
  };
}
