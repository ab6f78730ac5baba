/**
 * `token` (issue 14): why does this token get a 401 for this operation? Pure: an inventory (any source kind), the
 * operation asked for and a decoded token in; the diagnosis out. The CLI reads the inputs and prints.
 */
import type { CorrelationLink } from '../config/types';
import type { Inventory } from '../inventory/types';
import { normalize } from '../model/normalize';
import { secretRedactor, secretValues } from '../policy/secrets';
import { evaluateToken, type TokenDiagnosis } from './evaluate';
import type { DecodedToken } from './decode';
import { matchOperation, type OperationQuery } from './match-operation';

export { decodeInput, decodeJwt, parseClaims, MAX_TOKEN_BYTES, type DecodedToken } from './decode';
export { diagnosisToJson, formatDiagnosis } from './format';
export type { TokenDiagnosis, PathDiagnosis, Step } from './evaluate';
export type { OperationQuery } from './match-operation';

export interface TokenRequest {
  query: OperationQuery;
  token: DecodedToken;
  /** The header the token is sent in (default `Authorization`). */
  header: string;
  now: Date;
  product?: string;
}

export type TokenOutcome =
  | {
      kind: 'diagnosis';
      diagnosis: TokenDiagnosis;
      gaps: string[];
      /** Removes the literal secrets the policies hold from a text (as every report of `scan` does). */
      redact: (text: string) => string;
    }
  | { kind: 'not-found'; message: string };

export function diagnoseToken(
  inventory: Inventory,
  links: readonly CorrelationLink[],
  request: TokenRequest,
): TokenOutcome {
  const model = normalize(inventory, links);
  const match = matchOperation(model, request.query);
  if (match.kind === 'not-found') return match;
  const diagnosis = evaluateToken({
    model,
    files: inventory.files,
    policy: match.policy,
    route: match.route,
    token: request.token,
    header: request.header,
    now: request.now,
    ...(request.product !== undefined ? { product: request.product } : {}),
  });
  if (request.product !== undefined && diagnosis.paths.length === 0) {
    const products = match.policy.paths.map((p) => p.product?.name ?? 'none');
    return {
      kind: 'not-found',
      message: `no call path of '${match.policy.label}' for product '${request.product}' (call paths: ${products.join(', ')})`,
    };
  }
  const gaps = inventory.gaps.map((g) => `${g.source}: ${g.what}: ${g.reason}`);
  return { kind: 'diagnosis', diagnosis, gaps, redact: secretRedactor(secretValues(model)) };
}
