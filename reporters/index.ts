/**
 * Reporters are pure functions from an audit result to the text of a report; the CLI decides where it goes.
 * `Record<ReporterName, Reporter>` makes a new format without an implementation a compile error.
 */
import type { AuditResult } from '../src/engine/types';
import { jsonReporter } from './json';
import { sarifReporter } from './sarif';
import { textReporter } from './text';

export const REPORTER_NAMES = ['text', 'json', 'sarif'] as const;
export type ReporterName = (typeof REPORTER_NAMES)[number];

export interface ReporterOptions {
  /** ANSI colour in the text report; the CLI sets it for a TTY without NO_COLOR. Other formats ignore it. */
  color: boolean;
  /** The directory finding paths are relative to (the CLI's working directory), for SARIF's `%SRCROOT%`. */
  baseDir?: string;
  /** This tool's version, written into the JSON and SARIF reports. */
  toolVersion: string;
}

export type Reporter = (result: AuditResult, options: ReporterOptions) => string;

export const reporters: Readonly<Record<ReporterName, Reporter>> = {
  text: textReporter,
  json: jsonReporter,
  sarif: sarifReporter,
};
