/**
 * An audit result whose every input-derived string is an attack on an HTML page: script tags, attribute breakouts,
 * `</script>` and `</style>` inside data, a `javascript:` doc link, bidi controls. The HTML report must show each as
 * text and run none of them (test/reporters/html.test.ts, test/browser/html-report.browser.test.ts). Each payload
 * that could run sets `window.__pwned`, so a browser test can tell.
 */
import { inReportOrder } from '../../src/engine/order';
import type { AuditResult, Finding, RuleDescriptor } from '../../src/engine/types';
import type { PolicyChainsView } from '../../src/engine/policy-chain-types';
import type { ReporterOptions } from '../../reporters';

export const SCRIPT_TAG = '<script>window.__pwned = 1</script>';
export const IMG_BREAKOUT = '"><img src=x onerror="window.__pwned = 2">';
export const SCRIPT_CLOSE = '</script><script>window.__pwned = 3</script>';
export const STYLE_CLOSE = '</style><img src=x onerror="window.__pwned = 4">';
export const SINGLE_QUOTE = "' onmouseover='window.__pwned = 5' x='";
export const PAYLOADS = [SCRIPT_TAG, IMG_BREAKOUT, SCRIPT_CLOSE, STYLE_CLOSE, SINGLE_QUOTE];

const SERVICE = '/subscriptions/0/resourceGroups/rg/providers/Microsoft.ApiManagement/service/evil';
const API_NAME = `colors${SCRIPT_TAG}`;
const API_ID = `${SERVICE}/apis/${API_NAME}`;

function finding(i: number, severity: Finding['severity'], ruleId: string, payload: string): Finding {
  const name = `op${payload}`;
  return {
    ruleId,
    severity,
    message: `Operation '${name}' is wrong ${payload}`,
    detail: `Line one ${payload}\nLine two ${SCRIPT_CLOSE}`,
    fix: { text: `Fix it ${IMG_BREAKOUT}`, command: `az apim ${SCRIPT_TAG}` },
    resource: { kind: 'operation', id: `${API_ID}/operations/${name}`, name },
    location: { file: `apis/${payload}/policy.xml`, line: i + 1, column: 3 },
    logicalLocation: { fullyQualifiedName: `${API_ID}/operations/${name}`, kind: 'operation', name },
    fingerprint: `fp-${i}`,
  };
}

const RULE_ID = `api-validate-jwt${IMG_BREAKOUT}`;

const RULES: RuleDescriptor[] = [
  {
    id: RULE_ID,
    meta: {
      title: `Validates ${SCRIPT_TAG}`,
      severity: 'error',
      tags: ['policy', 'security'],
      requires: ['apim'],
    },
    level: 'error',
  },
  {
    id: 'policy-base-inherited',
    meta: { title: 'Keeps base', severity: 'warning', tags: ['policy'], requires: ['apim'] },
    level: 'warning',
  },
];

export const XSS_CHAINS: PolicyChainsView = {
  chains: [
    {
      api: API_NAME,
      operations: [`${API_NAME}/op${IMG_BREAKOUT}`],
      operationCount: 1,
      findings: ['fp-0'],
      omittedPaths: 0,
      paths: [
        {
          description: `calls with a subscription to product '${SCRIPT_CLOSE}'`,
          validation: 'lost',
          summary: `the operation policy of '${SCRIPT_TAG}' has no <base /> in inbound`,
          scopes: [
            {
              scope: 'global',
              name: `evil${STYLE_CLOSE}`,
              state: 'policy',
              location: { file: 'policy.xml', line: 2, column: 3 },
              inbound: [
                { depth: 0, text: '<inbound>' },
                {
                  depth: 1,
                  text: `<validate-jwt header-name="${IMG_BREAKOUT}">`,
                  mark: 'dropped',
                  note: `does not run ${SCRIPT_TAG}`,
                },
                { depth: 2, text: SCRIPT_CLOSE },
              ],
              omittedLines: 0,
            },
            {
              scope: 'operation',
              name: `${API_NAME}/op`,
              state: 'policy',
              inbound: [
                { depth: 0, text: '<inbound>', mark: 'lost', note: 'no <base /> in inbound', finding: true },
              ],
              omittedLines: 0,
            },
          ],
          effective: [
            {
              element: 'set-header',
              source: `the operation policy of '${SCRIPT_TAG}'`,
              conditions: [SINGLE_QUOTE],
            },
          ],
          omittedStatements: 0,
        },
      ],
    },
  ],
  omittedChains: 0,
  omittedOperations: 0,
};

export function xssResult(): AuditResult {
  const findings = [
    finding(0, 'error', RULE_ID, SCRIPT_TAG),
    finding(1, 'warning', 'policy-base-inherited', IMG_BREAKOUT),
    finding(2, 'note', 'policy-base-inherited', SCRIPT_CLOSE),
    finding(3, 'warning', RULE_ID, `${STYLE_CLOSE}\u202e`),
    finding(4, 'error', 'policy-base-inherited', SINGLE_QUOTE),
  ];
  return {
    ...inReportOrder({
      findings,
      notEvaluated: [
        {
          ruleId: RULE_ID,
          reason: `cannot tell ${SCRIPT_TAG}`,
          kind: 'api',
          resources: [
            { kind: 'api', id: `${API_ID}1`, name: IMG_BREAKOUT },
            { kind: 'api', id: `${API_ID}2`, name: SCRIPT_CLOSE },
          ],
        },
      ],
      crashes: [{ ruleId: 'policy-base-inherited', message: `boom ${SCRIPT_CLOSE}` }],
      gaps: [{ source: `apiops:${IMG_BREAKOUT}`, what: 'policy', reason: `bad ${SCRIPT_TAG}` }],
      expiredSuppressions: [],
      rules: RULES,
      complete: false,
      summary: {
        error: 2,
        warning: 2,
        note: 1,
        suppressed: 0,
        notEvaluated: 1,
        rulesNotEvaluated: { notRun: [], partly: [RULE_ID], security: [RULE_ID] },
        crashed: 1,
        gaps: 1,
      },
      sources: [`apiops:${SCRIPT_CLOSE}`],
      configuration: {
        file: `${IMG_BREAKOUT}.auditrc.json`,
        failOn: 'none',
        suppressions: {
          count: 1,
          wildcard: [{ rule: '*', resource: `api:${SCRIPT_TAG}`, justification: SCRIPT_CLOSE }],
        },
        rulesOff: [],
        lowered: [],
      },
    }),
    policyChains: XSS_CHAINS,
  };
}

export const XSS_OPTIONS: ReporterOptions = {
  color: false,
  toolVersion: `1.0.0${SCRIPT_TAG}`,
  ruleDocs: {
    [RULE_ID]: {
      docs: `# Title\n\n## Remediation\n\nAdd <base /> ${SCRIPT_CLOSE}\n\n\`\`\`xml\n<img src=x onerror="window.__pwned = 6">\n\`\`\`\n`,
      helpUri: 'javascript:window.__pwned = 7',
    },
    'policy-base-inherited': {
      docs: `# Keeps base\n\n## Why\n\n${STYLE_CLOSE}\n`,
      helpUri: 'https://example.com/rules/policy-base-inherited.md',
    },
  },
};
