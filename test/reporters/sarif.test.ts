import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { artifactLocation, markdownToText, pascalCase, sarifReporter } from '../../reporters/sarif';
import type { AuditResult } from '../../src/engine/types';
import { expectGolden } from './golden';
import { BASE_DIR, DOCS, FINDINGS, OPTIONS, RULES, cleanResult, fullResult, reversed } from './sample-result';

interface SarifLog {
  $schema: string;
  version: string;
  runs: {
    tool: {
      driver: {
        name: string;
        version: string;
        informationUri: string;
        rules: {
          id: string;
          name: string;
          shortDescription: { text: string };
          fullDescription: { text: string };
          help?: { text: string; markdown: string };
          helpUri?: string;
          defaultConfiguration: { level: string };
          properties: { tags: string[]; precision: string; 'security-severity'?: string };
        }[];
      };
    };
    invocations: {
      executionSuccessful: boolean;
      toolExecutionNotifications: {
        level: string;
        message: { text: string };
        associatedRule?: { id: string; index?: number };
        locations?: { logicalLocations: { fullyQualifiedName: string }[] }[];
      }[];
    }[];
    originalUriBaseIds: Record<string, { uri?: string }>;
    properties: {
      securityRulesNotEvaluated: string[];
      rulesNotEvaluated: { notRun: string[]; partly: string[] };
    };
    artifacts: { location: { uri: string; uriBaseId?: string } }[];
    results: {
      ruleId: string;
      ruleIndex?: number;
      level: string;
      message: { text: string; markdown?: string };
      locations: {
        physicalLocation?: {
          artifactLocation: { uri: string; uriBaseId?: string };
          region: { startLine: number; startColumn?: number };
        };
        logicalLocations: { fullyQualifiedName: string; kind: string; name: string }[];
      }[];
      partialFingerprints: Record<string, string>;
      suppressions?: { kind: string; justification: string }[];
      fixes?: {
        description: { text: string };
        artifactChanges: {
          artifactLocation: { uri: string; uriBaseId?: string };
          replacements: {
            deletedRegion: Record<string, number>;
            insertedContent: { text: string };
          }[];
        }[];
      }[];
    }[];
  }[];
}

const SCHEMA_FILE = path.join(__dirname, '..', 'fixtures', 'sarif-schema-2.1.0.json');

let validate: ValidateFunction;

beforeAll(() => {
  const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  validate = ajv.compile(schema);
});

function expectValid(text: string): SarifLog {
  const log = JSON.parse(text) as unknown;
  const ok = validate(log);
  if (!ok)
    throw new Error(`SARIF does not match the 2.1.0 schema:\n${JSON.stringify(validate.errors, null, 2)}`);
  return log as SarifLog;
}

function run(result: AuditResult = fullResult(), options = OPTIONS): SarifLog['runs'][number] {
  const log = expectValid(sarifReporter(result, options));
  const first = log.runs[0];
  if (!first) throw new Error('no run');
  return first;
}

describe('the SARIF 2.1.0 schema fixture', () => {
  it('is the official OASIS schema', () => {
    const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as {
      title: string;
      $schema: string;
      definitions: Record<string, unknown>;
    };
    expect(schema.title).toBe('Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema');
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(Object.keys(schema.definitions)).toEqual(
      expect.arrayContaining(['reportingDescriptor', 'result', 'run', 'notification']),
    );
  });

  it('rejects what SARIF forbids (the validator is live)', () => {
    expect(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] })).toBe(false);
    expect(
      validate({
        version: '2.1.0',
        runs: [{ tool: { driver: { name: 'x' } }, results: [{ level: 'fatal', message: { text: 'm' } }] }],
      }),
    ).toBe(false);
  });
});

describe('sarif reporter', () => {
  it('validates against the official schema: full, clean, and live (file-less) results', () => {
    run(fullResult());
    run(cleanResult());
    const live = fullResult();
    live.findings = live.findings.map((finding) => ({ ...finding, location: {} }));
    live.sources = [];
    const liveRun = run(live, { color: false, toolVersion: '1.2.3' });
    expect(liveRun.results.every((r) => r.locations[0]?.physicalLocation === undefined)).toBe(true);
    expect(liveRun.results.every((r) => (r.locations[0]?.logicalLocations.length ?? 0) === 1)).toBe(true);
  });

  it('matches the golden report', () => {
    expectGolden('full.sarif.txt', sarifReporter(fullResult(), OPTIONS));
  });

  it('is deterministic: same input twice gives the same text', () => {
    const text = sarifReporter(fullResult(), OPTIONS);
    expect(sarifReporter(fullResult(), OPTIONS)).toBe(text);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('keeps the order it is given (the engine decides it): results, notifications and rules', () => {
    const given = reversed(fullResult());
    const reversedRun = run(given);
    expect(reversedRun.results.map((r) => r.partialFingerprints['apimOauthAudit/v1'])).toEqual(
      given.findings.map((f) => f.fingerprint),
    );
    expect(reversedRun.tool.driver.rules.map((r) => r.id)).toEqual(
      given.rules.filter((r) => r.level !== 'off').map((r) => r.id),
    );
  });

  it('writes the log header and the tool driver', () => {
    const log = expectValid(sarifReporter(fullResult(), OPTIONS));
    expect(log.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    const { driver } = log.runs[0]!.tool;
    expect(driver).toEqual(
      expect.objectContaining({
        name: 'apim-oauth-audit',
        version: '1.2.3',
        semanticVersion: '1.2.3',
        informationUri: 'https://github.com/apim-oauth-audit/apim-oauth-audit',
      }),
    );
  });

  it('lists every rule that is not off, with metadata GitHub reads', () => {
    const { rules } = run().tool.driver;
    const enabled = RULES.filter((r) => r.level !== 'off').map((r) => r.id);
    expect(rules.map((r) => r.id)).toEqual([...enabled].sort());
    expect(rules.map((r) => r.id)).not.toContain('implicit-grant-disabled');
    const v2 = rules.find((r) => r.id === 'auth-server-v2-endpoints');
    expect(v2).toEqual(
      expect.objectContaining({
        name: 'AuthServerV2Endpoints',
        shortDescription: { text: 'Authorization servers use the Entra v2 endpoints' },
        fullDescription: {
          text: 'APIM authorization servers that point at the v1 endpoints (/oauth2/authorize, /oauth2/token) get v1 tokens. See the v2 endpoints (https://learn.microsoft.com/entra/identity-platform/v2-overview).',
        },
        helpUri:
          'https://github.com/apim-oauth-audit/apim-oauth-audit/blob/main/rules/auth-server-v2-endpoints.md',
        defaultConfiguration: { level: 'error' },
      }),
    );
    expect(v2?.help?.markdown).toBe(DOCS['auth-server-v2-endpoints']?.docs);
    expect(v2?.help?.text).toContain('az apim update --name contoso-apim');
    expect(v2?.help?.text).not.toMatch(/```|\*\*|^#/m);
    expect(v2?.properties).toEqual({ tags: ['apim', 'authorization-server', 'entra'], precision: 'high' });
    // The effective level (config) wins over the rule's default severity.
    expect(rules.find((r) => r.id === 'client-secret-expiry')?.defaultConfiguration).toEqual({
      level: 'warning',
    });
    expect(rules.find((r) => r.id === 'app-access-token-version')?.defaultConfiguration).toEqual({
      level: 'note',
    });
    // A repository-relative help path is not a URI: left out. No docs: no help.
    expect(rules.find((r) => r.id === 'client-secret-expiry')).not.toHaveProperty('helpUri');
    expect(rules.find((r) => r.id === 'app-access-token-version')).not.toHaveProperty('help');
    expect(rules.find((r) => r.id === 'app-access-token-version')?.fullDescription).toEqual({
      text: 'Backend apps issue v2 access tokens',
    });
  });

  it('tags rules with a security severity as security, for GitHub', () => {
    const result = fullResult();
    result.rules = result.rules.map((r) =>
      r.id === 'client-secret-expiry' ? { ...r, meta: { ...r.meta, tags: ['entra', 'credentials'] } } : r,
    );
    const rule = run(result).tool.driver.rules.find((r) => r.id === 'client-secret-expiry');
    expect(rule?.properties.tags).toEqual(['credentials', 'entra', 'security']);
  });

  it('sets security-severity as a one-decimal string, only on security rules', () => {
    const { rules } = run().tool.driver;
    const severities = Object.fromEntries(rules.map((r) => [r.id, r.properties['security-severity']]));
    expect(severities).toEqual({
      'api-oauth-enabled': '5.0',
      'app-access-token-version': undefined,
      'auth-server-v2-endpoints': undefined,
      'backend-scope-exposed': undefined,
      'client-api-permission': undefined,
      'client-secret-expiry': '4.0',
      'redirect-uri-safe': '7.5',
    });
    for (const rule of rules) {
      const declared = RULES.find((r) => r.id === rule.id)?.meta.securitySeverity;
      expect('security-severity' in rule.properties).toBe(declared !== undefined);
    }
  });

  it('points every result at its rule by ruleIndex', () => {
    const { tool, results } = run();
    expect(results).toHaveLength(FINDINGS.length);
    for (const result of results) {
      expect(result.ruleIndex).toBeDefined();
      expect(tool.driver.rules[result.ruleIndex ?? -1]?.id).toBe(result.ruleId);
    }
  });

  it('writes relative, percent-encoded URIs under %SRCROOT% with 1-based regions', () => {
    const current = run();
    const locations = current.results.map((r) => r.locations[0]?.physicalLocation);
    expect(locations).toEqual([
      {
        artifactLocation: { uri: 'examples/contoso/snapshot.json', uriBaseId: '%SRCROOT%' },
        region: { startLine: 12, startColumn: 5 },
      },
      {
        artifactLocation: { uri: 'examples/contoso/snapshot.json', uriBaseId: '%SRCROOT%' },
        region: { startLine: 118, startColumn: 9 },
      },
      {
        artifactLocation: { uri: 'examples/contoso/snapshot.json', uriBaseId: '%SRCROOT%' },
        region: { startLine: 120, startColumn: 9 },
      },
      {
        artifactLocation: { uri: 'tenant%20exports/app%20manifest.json', uriBaseId: '%SRCROOT%' },
        region: { startLine: 14, startColumn: 7 },
      },
      {
        artifactLocation: { uri: 'tenant%20exports/app%20manifest.json', uriBaseId: '%SRCROOT%' },
        region: { startLine: 30, startColumn: 7 },
      },
      // A file but no line: the start of the file.
      {
        artifactLocation: { uri: 'tenant%20exports/legacy.json', uriBaseId: '%SRCROOT%' },
        region: { startLine: 1 },
      },
    ]);
    expect(current.originalUriBaseIds['%SRCROOT%']?.uri).toBe(`file://${BASE_DIR}/`);
    expect(current.artifacts.map((a) => a.location.uri)).toEqual([
      'examples/contoso/snapshot.json',
      'tenant%20exports/app%20manifest.json',
      'tenant%20exports/legacy.json',
    ]);
  });

  it('makes paths relative to baseDir, with forward slashes', () => {
    expect(artifactLocation(`${BASE_DIR}/apim/my api#1.json`, BASE_DIR)).toEqual({
      uri: 'apim/my%20api%231.json',
      uriBaseId: '%SRCROOT%',
    });
    expect(artifactLocation('.\\apim\\apis\\colors api.json', 'C:\\repo')).toEqual({
      uri: 'apim/apis/colors%20api.json',
      uriBaseId: '%SRCROOT%',
    });
    expect(artifactLocation('C:\\repo\\apim\\policy.xml', 'c:\\repo')).toEqual({
      uri: 'apim/policy.xml',
      uriBaseId: '%SRCROOT%',
    });
    // Outside the base: an absolute file URI, no base id.
    expect(artifactLocation('/etc/apim/x.json', BASE_DIR)).toEqual({ uri: 'file:///etc/apim/x.json' });
    expect(artifactLocation('D:\\other\\x y.json', 'C:\\repo')).toEqual({
      uri: 'file:///D:/other/x%20y.json',
    });
  });

  it('passes fingerprints through under our own key, GitHub line hashes made from them, and logical locations', () => {
    const { results } = run();
    const byFingerprint = new Map(FINDINGS.map((f) => [f.fingerprint, f]));
    for (const result of results) {
      expect(Object.keys(result.partialFingerprints).sort()).toEqual([
        'apimOauthAudit/v1',
        'primaryLocationLineHash',
      ]);
      const own = result.partialFingerprints['apimOauthAudit/v1'] ?? '';
      // The stable fingerprint itself, never a hash of the line's text.
      expect(result.partialFingerprints['primaryLocationLineHash']).toBe(own);
      const finding = byFingerprint.get(own);
      expect(finding?.ruleId).toBe(result.ruleId);
      expect(finding?.message).toBe(result.message.text);
      expect(result.level).toBe(finding?.severity);
      expect(result.locations[0]?.logicalLocations).toEqual([
        {
          name: finding?.logicalLocation.name,
          fullyQualifiedName: finding?.logicalLocation.fullyQualifiedName,
          kind: finding?.logicalLocation.kind,
        },
      ]);
    }
  });

  it('marks suppressed findings with an external suppression and its justification', () => {
    const { results } = run();
    const suppressed = results.filter((r) => r.suppressions);
    expect(suppressed).toHaveLength(1);
    expect(suppressed[0]?.ruleId).toBe('client-secret-expiry');
    expect(suppressed[0]?.suppressions).toEqual([
      { kind: 'external', justification: 'Rotated by the release pipeline' },
    ]);
  });

  it('reports completeness and notifications for crashes, gaps, expired suppressions and rules not evaluated', () => {
    const { invocations, tool } = run();
    expect(invocations).toHaveLength(1);
    const invocation = invocations[0]!;
    expect(invocation.executionSuccessful).toBe(false);
    const notes = invocation.toolExecutionNotifications.map((n) => [
      n.level,
      n.message.text,
      n.associatedRule?.id ?? null,
    ]);
    expect(notes).toEqual([
      [
        'error',
        "rule api-oauth-enabled crashed: Cannot read properties of undefined (reading 'length')",
        'api-oauth-enabled',
      ],
      [
        'error',
        'apiops:apim-artifacts: could not read policy of api colors-api: apis/colors-api/policy.xml is not valid XML',
        null,
      ],
      [
        'warning',
        'suppression for client-secret-expiry on application:Legacy Client expired on 2026-01-31; it no longer applies',
        'client-secret-expiry',
      ],
      [
        'note',
        'rule backend-scope-exposed was not evaluated: needs Entra app registrations; no source provided it',
        'backend-scope-exposed',
      ],
      [
        'note',
        "rule client-api-permission was not evaluated for 2 authorization servers: the client app '44444444-4444-4444-4444-444444444444' is not among the applications given",
        'client-api-permission',
      ],
      [
        'note',
        'rule redirect-uri-safe was not evaluated for 10 applications: Not fully evaluated: the redirect URIs hold placeholders that the release pipeline substitutes (token replacement).',
        'redirect-uri-safe',
      ],
      [
        'note',
        "rule redirect-uri-safe was not evaluated for application 'Contoso Portal': Not fully evaluated: web/redirectUris of application ... is not determined.",
        'redirect-uri-safe',
      ],
    ]);
    for (const notification of invocation.toolExecutionNotifications) {
      const rule = notification.associatedRule;
      if (rule) expect(tool.driver.rules[rule.index ?? -1]?.id).toBe(rule.id);
    }
    const perResource = invocation.toolExecutionNotifications[4]?.locations?.map(
      (l) => l.logicalLocations[0]?.fullyQualifiedName,
    );
    expect(perResource).toHaveLength(2);
    expect(run().properties).toEqual({
      configuration: expect.objectContaining({ file: '.auditrc.json', failOn: 'none' }),
      securityRulesNotEvaluated: ['redirect-uri-safe'],
      rulesNotEvaluated: {
        notRun: ['backend-scope-exposed'],
        partly: ['client-api-permission', 'redirect-uri-safe'],
      },
    });
    expect(run(cleanResult()).properties.securityRulesNotEvaluated).toEqual([]);
    expect(run(cleanResult()).invocations[0]).toEqual({
      executionSuccessful: true,
      toolExecutionNotifications: [],
    });
  });

  it('keeps the line hash when the finding moves or its line changes, and gives each finding its own', () => {
    const before = run().results.map((r) => r.partialFingerprints['primaryLocationLineHash']);
    const moved = fullResult();
    moved.findings = moved.findings.map((f) => ({
      ...f,
      message: `${f.message} (reworded)`,
      location: { ...f.location, line: (f.location.line ?? 1) + 40, column: 3 },
    }));
    expect(run(moved).results.map((r) => r.partialFingerprints['primaryLocationLineHash'])).toEqual(before);
    expect(new Set(before).size).toBe(before.length);
  });

  it('message: text is the one-line message; markdown adds the detail, the fix and a live command as code', () => {
    const result = fullResult();
    const [first, second, third] = result.findings;
    if (!first || !second || !third) throw new Error('sample has fewer than 3 findings');
    first.message =
      "Authorization server 'entra-auth' uses the v1 token endpoint; use .../oauth2/v2.0/token.";
    first.detail =
      'Entra issues v1 tokens there, and <validate-jwt> rejects them: IDX10214: Audience validation failed.';
    first.fix = {
      text: 'Set properties.tokenEndpoint to the v2 endpoint.',
      command: "az apim update --name contoso-apim --set 'x=`y`'",
    };
    second.message = 'Only a message.';
    delete second.detail;
    delete second.fix;
    third.message = 'With a fix but no command.';
    third.detail = 'Why it fails.';
    third.fix = { text: 'Remove scope_*.' };
    const results = run(result).results;
    expect(results[0]?.message).toEqual({
      text: first.message,
      markdown: [
        "Authorization server 'entra-auth' uses the v1 token endpoint; use .../oauth2/v2.0/token.",
        'Entra issues v1 tokens there, and \\<validate-jwt\\> rejects them: IDX10214: Audience validation failed.',
        '**Fix:** Set properties.tokenEndpoint to the v2 endpoint.',
        "```sh\naz apim update --name contoso-apim --set 'x=`y`'\n```",
      ].join('\n\n'),
    });
    expect(results[1]?.message).toEqual({ text: 'Only a message.', markdown: 'Only a message.' });
    expect(results[2]?.message.markdown).toBe(
      'With a fix but no command.\n\nWhy it fails.\n\n**Fix:** Remove scope\\_\\*.',
    );
    // A command holding a fence is wrapped in a longer one.
    first.fix.command = 'echo ```';
    expect(run(result).results[0]?.message.markdown).toContain('````sh\necho ```\n````');
  });

  it('fixes: one per finding with replacements, changes grouped by file, regions with offsets and lines', () => {
    const result = fullResult();
    const [first, second] = result.findings;
    if (!first || !second) throw new Error('sample has fewer than 2 findings');
    first.fix = { text: 'Set accessTokenAcceptedVersion to 2.' };
    delete second.fix;
    const edit = (file: string, offset: number, text: string, line: number) => ({
      file,
      offset,
      length: 4,
      text,
      startLine: line,
      startColumn: 5,
      endLine: line,
      endColumn: 9,
    });
    const fixes = new Map([
      [
        first.fingerprint,
        [
          edit('apim/policy.xml', 10, 'v2.0', 2),
          edit(`${BASE_DIR}/entra/app one.json`, 120, '2', 7),
          edit('apim/policy.xml', 40, '', 3),
        ],
      ],
      [second.fingerprint, []],
    ]);
    const results = run(result, { ...OPTIONS, fixes }).results;
    expect(results[0]?.fixes).toEqual([
      {
        description: { text: 'Set accessTokenAcceptedVersion to 2.' },
        artifactChanges: [
          {
            artifactLocation: { uri: 'apim/policy.xml', uriBaseId: '%SRCROOT%' },
            replacements: [
              {
                deletedRegion: {
                  charOffset: 10,
                  charLength: 4,
                  startLine: 2,
                  startColumn: 5,
                  endLine: 2,
                  endColumn: 9,
                },
                insertedContent: { text: 'v2.0' },
              },
              {
                deletedRegion: {
                  charOffset: 40,
                  charLength: 4,
                  startLine: 3,
                  startColumn: 5,
                  endLine: 3,
                  endColumn: 9,
                },
                insertedContent: { text: '' },
              },
            ],
          },
          {
            artifactLocation: { uri: 'entra/app%20one.json', uriBaseId: '%SRCROOT%' },
            replacements: [
              {
                deletedRegion: {
                  charOffset: 120,
                  charLength: 4,
                  startLine: 7,
                  startColumn: 5,
                  endLine: 7,
                  endColumn: 9,
                },
                insertedContent: { text: '2' },
              },
            ],
          },
        ],
      },
    ]);
    // No replacements, or no entry: no fixes. Without a fix text, the message describes the fix.
    expect(results[1]).not.toHaveProperty('fixes');
    expect(results.slice(2).every((r) => r.fixes === undefined)).toBe(true);
    delete first.fix;
    expect(run(result, { ...OPTIONS, fixes }).results[0]?.fixes?.[0]?.description.text).toBe(first.message);
  });

  it('helpers: PascalCase names and markdown to text', () => {
    expect(pascalCase('auth-server-v2-endpoints')).toBe('AuthServerV2Endpoints');
    expect(pascalCase('redirect-uri-safe')).toBe('RedirectUriSafe');
    expect(
      markdownToText('# Title\n\nUse **v2** and `token`; see [docs](https://x.test/a).\n\n- *item* one\n'),
    ).toBe('Title\n\nUse v2 and token; see docs (https://x.test/a).\n\n- item one');
  });
});
