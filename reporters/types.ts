/**
 * What a reporter is: a pure function from an audit result (and the caller's context) to the text of a report.
 * Every reporter module depends on this file and nothing here depends on them, so the registry in ./index.ts can
 * import the reporters without a cycle.
 */
import type { AuditResult } from '../src/engine/types';

export const REPORTER_NAMES = [
  'text',
  'json',
  'sarif',
  'html',
  'markdown',
  'junit',
  'github',
  'azure-devops',
] as const;
export type ReporterName = (typeof REPORTER_NAMES)[number];

/** A rule's documentation as the caller loaded it (the rule registry's docs); never part of the audit result. */
export interface RuleDoc {
  /** The rule's markdown doc, if found. */
  docs?: string;
  /** Where the doc lives (a repository-relative path or a URL), for SARIF `helpUri`. */
  helpUri?: string;
}

export interface ReporterOptions {
  /** ANSI colour in the text report; the CLI sets it for a TTY without NO_COLOR. Other formats ignore it. */
  color: boolean;
  /** Text report: one line per finding (`--compact`). Other formats ignore it. */
  compact?: boolean;
  /** Text report: wrap detail and fix to this many columns (the terminal's width); unset: 100. */
  width?: number;
  /** The directory finding paths are relative to (the CLI's working directory), for SARIF's `%SRCROOT%`. */
  baseDir?: string;
  /** This tool's version, written into the JSON and SARIF reports. */
  toolVersion: string;
  /**
   * Rule docs by rule id, as context (ESLint's `rulesMeta`, Spectral's formatter context): SARIF writes them as
   * each rule's help. The CLI passes the registry's docs; without them a rule's help is its title.
   */
  ruleDocs?: Readonly<Record<string, RuleDoc>>;
  /**
   * The exact replacements of each finding's fix, by fingerprint, computed by the caller against the files as they
   * are (SARIF `fixes`). A finding without an entry has no applicable edit (live data, a value the tool cannot know,
   * an expression where a literal was expected).
   */
  fixes?: ReadonlyMap<string, readonly TextReplacement[]>;
  /**
   * Markdown report: what file links start with (`https://github.com/o/r/blob/<sha>`), so that they work in a pull
   * request comment or a job summary; unset: links relative to the working directory.
   */
  linkBase?: string;
  /** Markdown report: the most characters it may take (default MARKDOWN_LIMIT, a GitHub comment's limit). */
  maxLength?: number;
  /** When the audit ran (the CLI passes `--now` or the clock): JUnit's `timestamp`. Unset: the epoch. */
  timestamp?: Date;
}

/**
 * One exact replacement in a file's text, made from a finding's `fix.edit` against the file as it is now
 * (src/fixes/). Offsets and lengths count UTF-16 code units of the text as read (a BOM, if any, is character 0);
 * lines and columns are 1-based, the end exclusive (SARIF `region` conventions).
 */
export interface TextReplacement {
  file: string;
  offset: number;
  length: number;
  text: string;
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

export type Reporter = (result: AuditResult, options: ReporterOptions) => string;
