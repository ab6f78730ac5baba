/**
 * auth-server-v2-endpoints: a v1 `resource` token body parameter left on a server whose endpoints are v2. Its fix
 * sets the remaining parameters as a whole, so it is described only when one of them may hold a secret.
 */
import { violation, type RuleOutput } from './contract';
import { valuesOf } from './evidence';
import { clip, fit } from './message';
import type { AuthServer } from '../../src/model/types';

const ENDPOINT_PATHS = ['properties/authorizationEndpoint', 'properties/tokenEndpoint'];

/** Names of token body parameters whose values are not copied into a fix (they may hold secrets). */
const SENSITIVE_PARAMETER = /secret|password|assertion|token|key/i;

/** A v1 `resource` token body parameter sent to the v2 endpoints labelled `v2` (AADSTS901002). */
export function* checkResourceParameter(server: AuthServer, v2: readonly string[]): Generator<RuleOutput> {
  if (v2.length === 0) return;
  const params = server.props.tokenBodyParameters ?? [];
  const index = params.findIndex((p) => p.name.toLowerCase() === 'resource');
  const param = params[index];
  if (!param) return;
  const rest = params.filter((_, i) => i !== index);
  const text = 'Remove the resource token body parameter and name the API in the default scope.';
  yield violation(
    server,
    fit((n) => [
      `Authorization server '${n(server.name)}' sends the v1 token body parameter resource=${param.value} to v2 endpoints; expected none.`,
      `Authorization server '${n(server.name)}' sends the v1 token body parameter resource=${clip(param.value, 60)} to v2 endpoints; expected none.`,
    ]),
    {
      path: `properties/tokenBodyParameters/${index}`,
      key: 'tokenBodyParameters/resource',
      evidence: valuesOf(server, ...ENDPOINT_PATHS),
      detail: `Its ${v2.join(' and ')} ${v2.length > 1 ? 'are' : 'is'} v2, which rejects the parameter with AADSTS901002 (The 'resource' request parameter isn't supported).`,
      // The other parameters are copied into the fix value: not when one of them may hold a secret.
      fix: rest.some((p) => SENSITIVE_PARAMETER.test(p.name))
        ? { text }
        : {
            text,
            property: {
              path: 'properties/tokenBodyParameters',
              value: rest.map((p) => ({ name: p.name, value: p.value })),
            },
          },
    },
  );
}
