/**
 * The `azure-devops` reporter: Azure Pipelines logging commands that list each finding as an issue of the task
 * (`##vso[task.logissue type=error;sourcepath=…;linenumber=…;columnnumber=…;code=<rule>]<message>`), shown in
 * the run's summary and on the pull request's build status. Azure Pipelines has no per-step cap; notes are logged
 * as warnings (it knows only errors and warnings), with the rule and severity in the message.
 *
 * Every value comes from the input: control characters are shown as escapes (src/util/escape.ts), the message is
 * escaped as command data (`%`, CR, LF) and properties also `;` and `]` (azure-pipelines-task-lib's escaping),
 * so no value can end the command or start another one.
 */
import type { AuditResult, Finding } from '../src/engine/types';
import { escapeText, neutralizeAzureCommands, neutralizeCommandLines } from '../src/util/escape';
import { TOOL_NAME, crashMessage, gapMessage } from './common';
import type { ReporterOptions } from './types';
import { pushAll } from '../src/util/lists';

/** Logging-command data: `%`, CR and LF escaped the way the agent unescapes them. */
export function escapeVsoData(value: string): string {
  return value.replace(/%/g, '%AZP25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A logging-command property value: as data, plus `;` and `]`, which end a property or the properties. */
export function escapeVsoProperty(value: string): string {
  return escapeVsoData(value).replace(/;/g, '%3B').replace(/]/g, '%5D');
}

function logIssue(type: 'error' | 'warning', properties: [string, string][], message: string): string {
  const props = [['type', type], ...properties]
    .map(([k, v]) => `${k}=${escapeVsoProperty(v ?? '')};`)
    .join('');
  return `##vso[task.logissue ${props}]${escapeVsoData(neutralizeAzureCommands(message))}`;
}

function issue(finding: Finding): string {
  const { file, line, column } = finding.location;
  const properties: [string, string][] = [];
  if (file !== undefined) {
    properties.push(['sourcepath', escapeText(file)]);
    if (line !== undefined) properties.push(['linenumber', String(line)]);
    if (column !== undefined) properties.push(['columnnumber', String(column)]);
  }
  properties.push(['code', finding.ruleId]);
  const where = file === undefined ? ` [${finding.logicalLocation.fullyQualifiedName}]` : '';
  const label = finding.severity === 'note' ? 'note: ' : '';
  return logIssue(
    finding.severity === 'error' ? 'error' : 'warning',
    properties,
    escapeText(`${label}${finding.ruleId}: ${finding.message}${where}`),
  );
}

export function azureDevopsReporter(result: AuditResult, _options: ReporterOptions): string {
  const lines: string[] = [];
  if (!result.complete) {
    const why = [...result.gaps.map(gapMessage), ...result.crashes.map(crashMessage)].map(escapeText);
    lines.push(
      logIssue(
        'error',
        [['code', `${TOOL_NAME}/incomplete`]],
        `Audit incomplete: this run is not evidence of a clean configuration. ${why.join('; ')}`,
      ),
    );
  }
  const reported = result.findings.filter((f) => !f.suppressed);
  // Findings a baseline records are not the change's: only new ones become issues (and fail the gate).
  const active = reported.filter((f) => f.baseline !== 'unchanged');
  pushAll(lines, active.map(issue));
  const fromBaseline =
    result.baseline !== undefined
      ? `; ${reported.length - active.length} recorded in the baseline (not logged as issues), ${result.baseline.absent.length} fixed since`
      : '';
  const { summary } = result;
  const security = summary.rulesNotEvaluated.security;
  const abstained =
    security.length > 0 ? `; security rules not (fully) evaluated: ${security.join(', ')}` : '';
  lines.push(
    neutralizeCommandLines(
      escapeText(
        `${TOOL_NAME}: ${reported.length} findings (${summary.error} errors, ${summary.warning} warnings, ${summary.note} notes)${fromBaseline}${abstained}.`,
      ),
    ),
  );
  return `${lines.join('\n')}\n`;
}
