/**
 * The SARIF 2.1.0 reporter, shaped for GitHub code scanning (docs/sarif.md): one run, rule metadata with help and
 * `security-severity`, results with relative URIs under `%SRCROOT%`, a markdown message with detail and fix, the
 * exact fixes the caller computed, our stable fingerprint (also as GitHub's line hash), suppressions, and tool
 * execution notifications for everything that limits what the report proves.
 */
import type * as Sarif from 'sarif';
import { compareStrings } from '../src/engine/order';
import type { AuditResult, Finding, ResourceRef, RuleDescriptor } from '../src/engine/types';
import type { Severity } from '../src/severity';
import type { ReporterOptions, RuleDoc, TextReplacement } from './types';
import { lineHash, messageMarkdown, sarifFix } from './sarif-result';
import { artifactLocation, originalUriBaseIds, type ArtifactUri } from './sarif-uri';
import {
  INFORMATION_URI,
  TOOL_NAME,
  baselineEntryLabel,
  baselineToJson,
  configurationToJson,
  configurationWeakenings,
  crashMessage,
  expiredSuppressionMessage,
  gapMessage,
  jsonText,
  jsonTextChunks,
  notEvaluatedSubject,
  staleBaselineMessage,
} from './common';
import { pushAll } from '../src/util/lists';

export { artifactLocation, SRCROOT, type ArtifactUri } from './sarif-uri';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
/** Our partial fingerprint: rule + resource identity + key, never line numbers (see src/engine/locate.ts). */
export const FINGERPRINT_KEY = 'apimOauthAudit/v1';
/**
 * The partial fingerprint GitHub code scanning combines with the repository, file path and rule to identify an
 * alert. Left out, upload-sarif computes it from the text around the result's line, so editing that line (or the
 * snapshot a live audit writes) would close the alert and open a new one. It is written from our own fingerprint
 * instead (docs/sarif.md): stable for as long as the rule, the entity and the violation's key are.
 */
export const LINE_HASH_KEY = 'primaryLocationLineHash';

// ----- Rules -----------------------------------------------------------------------------------------------

export function pascalCase(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part !== '')
    .map((part) => part[0]?.toUpperCase() + part.slice(1))
    .join('');
}

/** Markdown to readable plain text: fences, headings, emphasis and code marks dropped; links keep their URL. */
export function markdownToText(markdown: string): string {
  const lines: string[] = [];
  let inFence = false;
  for (const line of markdown.replace(/\r\n?/g, '\n').split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) {
      inFence = !inFence;
      continue;
    }
    if (inFence) {
      lines.push(line);
      continue;
    }
    lines.push(
      line
        .replace(/^#{1,6}\s+/, '')
        .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
        .replace(/\[([^\]]+)\]\(([^)\s]+)[^)]*\)/g, '$1 ($2)')
        .replace(/`([^`]+)`/g, '$1')
        .replace(/(\*\*|__)(?=\S)(.+?)(?<=\S)\1/g, '$2')
        .replace(/(^|[^*\w])\*(?=\S)([^*]+?)(?<=\S)\*(?!\*)/g, '$1$2'),
    );
  }
  return lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** The first paragraph of the doc's `## Why` section (else of its body), as one line of plain text. */
function fullDescriptionOf(descriptor: RuleDescriptor, doc: RuleDoc | undefined): string {
  const docs = doc?.docs?.replace(/\r\n?/g, '\n');
  if (docs === undefined) return descriptor.meta.title;
  const why = /^##\s+Why\s*$/im.exec(docs);
  const body = why ? docs.slice(why.index + why[0].length) : docs;
  const paragraph = body
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .find((p) => p !== '' && !p.startsWith('#'));
  return paragraph === undefined
    ? descriptor.meta.title
    : markdownToText(paragraph).replace(/\s*\n\s*/g, ' ');
}

function isAbsoluteUri(uri: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\/\S+$/.test(uri);
}

function sarifRule(
  descriptor: RuleDescriptor,
  level: Severity,
  doc: RuleDoc | undefined,
): Sarif.ReportingDescriptor {
  const { meta } = descriptor;
  const { docs, helpUri } = doc ?? {};
  const tags = new Set(meta.tags);
  // GitHub treats a rule as a security rule, and shows its security-severity, only when it is tagged `security`.
  if (meta.securitySeverity !== undefined) tags.add('security');
  const properties: Sarif.PropertyBag = { tags: [...tags].sort(compareStrings), precision: 'high' };
  if (meta.securitySeverity !== undefined) properties['security-severity'] = meta.securitySeverity.toFixed(1);
  return {
    id: descriptor.id,
    name: pascalCase(descriptor.id),
    shortDescription: { text: meta.title },
    fullDescription: { text: fullDescriptionOf(descriptor, doc) },
    ...(docs !== undefined ? { help: { text: markdownToText(docs), markdown: docs } } : {}),
    // SARIF requires an absolute URI here; a repository-relative doc path is left to help.markdown.
    ...(helpUri !== undefined && isAbsoluteUri(helpUri) ? { helpUri } : {}),
    defaultConfiguration: { level },
    properties,
  };
}

/** Every rule that is not `off`, in the engine's order; the index into this list is each result's `ruleIndex`. */
function enabledRules(result: AuditResult): { descriptor: RuleDescriptor; level: Severity }[] {
  return result.rules.flatMap((descriptor) =>
    descriptor.level === 'off' ? [] : [{ descriptor, level: descriptor.level }],
  );
}

// ----- Results and notifications --------------------------------------------------------------------------

function logicalLocationOf(resource: ResourceRef, fullyQualifiedName = resource.id): Sarif.LogicalLocation {
  return { name: resource.name, fullyQualifiedName, kind: resource.kind };
}

function sarifLocation(finding: Finding, baseDir: string | undefined): Sarif.Location {
  const { location, logicalLocation } = finding;
  const logicalLocations = [
    {
      name: logicalLocation.name,
      fullyQualifiedName: logicalLocation.fullyQualifiedName,
      kind: logicalLocation.kind,
    },
  ];
  // A finding on live data (Graph/ARM) has a file only when the run wrote a snapshot (`--snapshot-out`); the CLI
  // refuses SARIF of live data without one, and places entities no source located (src/engine/unplaced.ts). A
  // library caller's result without a file keeps its logical location only, which SARIF allows and code scanning
  // does not show.
  if (location.file === undefined) return { logicalLocations };
  const region: Sarif.Region = { startLine: location.line ?? 1 };
  if (location.line !== undefined && location.column !== undefined) region.startColumn = location.column;
  return {
    physicalLocation: { artifactLocation: artifactLocation(location.file, baseDir), region },
    logicalLocations,
  };
}

function sarifResult(
  finding: Finding,
  ruleIndex: ReadonlyMap<string, number>,
  baseDir: string | undefined,
  replacements: readonly TextReplacement[] | undefined,
): Sarif.Result {
  const index = ruleIndex.get(finding.ruleId);
  const result: Sarif.Result = {
    ruleId: finding.ruleId,
    // Always present for our own findings; a finding of a rule missing from result.rules simply has no index.
    ...(index !== undefined ? { ruleIndex: index } : {}),
    level: finding.severity,
    message: { text: finding.message, markdown: messageMarkdown(finding) },
    locations: [sarifLocation(finding, baseDir)],
    partialFingerprints: {
      [FINGERPRINT_KEY]: finding.fingerprint,
      [LINE_HASH_KEY]: lineHash(finding.fingerprint),
    },
  };
  if (finding.suppressed)
    result.suppressions = [{ kind: 'external', justification: finding.suppressed.justification }];
  // new / unchanged against the baseline (`scan --baseline`). Entries no finding matches are not written as results
  // with baselineState `absent`: code scanning ignores baselineState and would show them as open alerts (docs/sarif.md).
  if (finding.baseline !== undefined) result.baselineState = finding.baseline;
  const fix = replacements && sarifFix(finding, replacements, baseDir);
  if (fix) result.fixes = [fix];
  return result;
}

function ruleReference(
  ruleId: string,
  ruleIndex: ReadonlyMap<string, number>,
): Sarif.ReportingDescriptorReference {
  const index = ruleIndex.get(ruleId);
  return index === undefined ? { id: ruleId } : { id: ruleId, index };
}

function notifications(result: AuditResult, ruleIndex: ReadonlyMap<string, number>): Sarif.Notification[] {
  const list: Sarif.Notification[] = [];
  for (const crash of result.crashes) {
    list.push({
      level: 'error',
      message: { text: crashMessage(crash) },
      associatedRule: ruleReference(crash.ruleId, ruleIndex),
    });
  }
  for (const gap of result.gaps) list.push({ level: 'error', message: { text: gapMessage(gap) } });
  pushAll(list, baselineNotifications(result));
  for (const suppression of result.expiredSuppressions) {
    const notification: Sarif.Notification = {
      level: 'warning',
      message: { text: expiredSuppressionMessage(suppression) },
    };
    if (suppression.rule !== '*') notification.associatedRule = ruleReference(suppression.rule, ruleIndex);
    list.push(notification);
  }
  for (const record of result.notEvaluated) {
    const subject = notEvaluatedSubject(record);
    const notification: Sarif.Notification = {
      level: 'note',
      message: {
        text: `rule ${record.ruleId} was not evaluated${subject === undefined ? '' : ` for ${subject}`}: ${record.reason}`,
      },
      associatedRule: ruleReference(record.ruleId, ruleIndex),
    };
    if (record.resources.length > 0) {
      notification.locations = record.resources.map((resource) => ({
        logicalLocations: [logicalLocationOf(resource)],
      }));
    }
    list.push(notification);
  }
  return list;
}

/** The baseline's age warning, and the entries no finding matched (fixed), one note each. */
function baselineNotifications(result: AuditResult): Sarif.Notification[] {
  const { baseline } = result;
  if (!baseline) return [];
  const stale = staleBaselineMessage(baseline);
  return [
    ...(stale !== undefined ? [{ level: 'warning' as const, message: { text: stale } }] : []),
    ...baseline.absent.map((entry) => ({
      level: 'note' as const,
      message: { text: `fixed since the baseline: ${baselineEntryLabel(entry)}` },
    })),
  ];
}

/** Distinct artifact locations sorted by URI (`./a.json` and `a.json` are one artifact). */
function uniqueLocations(locations: readonly ArtifactUri[]): ArtifactUri[] {
  const byUri = new Map(
    locations.map((location) => [`${location.uriBaseId ?? ''} ${location.uri ?? ''}`, location]),
  );
  return [...byUri].sort(([a], [b]) => compareStrings(a, b)).map(([, location]) => location);
}

export function sarifReporter(result: AuditResult, options: ReporterOptions): string {
  return jsonText(sarifLog(result, options));
}

/** The SARIF log in pieces that join to `sarifReporter`'s text (for a file: never one string in memory). */
export function sarifReportPieces(result: AuditResult, options: ReporterOptions): Iterable<string> {
  return jsonTextChunks(sarifLog(result, options));
}

function sarifLog(result: AuditResult, options: ReporterOptions): Record<string, unknown> {
  const rules = enabledRules(result);
  const ruleIndex = new Map(rules.map(({ descriptor }, index) => [descriptor.id, index]));
  // Artifacts are the files findings point at (a 10,000-manifest folder must not become 10,000 artifacts).
  const artifacts = uniqueLocations(
    result.findings.flatMap((f) =>
      f.location.file ? [artifactLocation(f.location.file, options.baseDir)] : [],
    ),
  );
  const log = {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: TOOL_NAME,
            version: options.toolVersion,
            semanticVersion: options.toolVersion,
            informationUri: INFORMATION_URI,
            rules: rules.map(({ descriptor, level }) =>
              sarifRule(descriptor, level, options.ruleDocs?.[descriptor.id]),
            ),
          },
        },
        invocations: [
          {
            executionSuccessful: result.complete,
            toolExecutionNotifications: notifications(result, ruleIndex),
            ...(result.configuration
              ? {
                  toolConfigurationNotifications: configurationWeakenings(result.configuration).map(
                    (text) => ({ level: 'warning', message: { text } }),
                  ),
                }
              : {}),
          },
        ],
        originalUriBaseIds: originalUriBaseIds(options.baseDir),
        artifacts: artifacts.map((location) => ({ location, roles: ['analysisTarget'] })),
        columnKind: 'utf16CodeUnits',
        // What limits the report besides the notifications: the rules that abstained, security rules named.
        properties: {
          ...(result.configuration ? { configuration: configurationToJson(result.configuration) } : {}),
          ...(result.baseline ? { baseline: baselineToJson(result.baseline) } : {}),
          securityRulesNotEvaluated: [...result.summary.rulesNotEvaluated.security],
          rulesNotEvaluated: {
            notRun: [...result.summary.rulesNotEvaluated.notRun],
            partly: [...result.summary.rulesNotEvaluated.partly],
          },
        },
        results: result.findings.map((finding) =>
          sarifResult(finding, ruleIndex, options.baseDir, options.fixes?.get(finding.fingerprint)),
        ),
      },
    ],
  };
  return log;
}
