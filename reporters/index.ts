/**
 * The reporters by name. `Record<ReporterName, Reporter>` makes a new format without an implementation a compile
 * error. Reporters are pure functions from an audit result to the text of a report; the CLI decides where it goes.
 */
import type { Reporter, ReporterName } from './types';

export { REPORTER_NAMES } from './types';
export type { Reporter, ReporterName, ReporterOptions, RuleDoc } from './types';

/* eslint-disable @typescript-eslint/no-require-imports -- each reporter's module is loaded when it is first
   read: a run formats one report, and the CLI's start pays only for that one. */
export const reporters: Readonly<Record<ReporterName, Reporter>> = {
  get text() {
    return (require('./text') as typeof import('./text')).textReporter;
  },
  get json() {
    return (require('./json') as typeof import('./json')).jsonReporter;
  },
  get sarif() {
    return (require('./sarif') as typeof import('./sarif')).sarifReporter;
  },
  get markdown() {
    return (require('./markdown') as typeof import('./markdown')).markdownReporter;
  },
  get junit() {
    return (require('./junit') as typeof import('./junit')).junitReporter;
  },
  get github() {
    return (require('./github') as typeof import('./github')).githubReporter;
  },
  get 'azure-devops'() {
    return (require('./azure-devops') as typeof import('./azure-devops')).azureDevopsReporter;
  },
  get html() {
    return (require('./html') as typeof import('./html')).htmlReporter;
  },
};

/**
 * The formats that can also be written in pieces (their text joined is the reporter's): the CLI writes these to a
 * file piece by piece, so a report of tens of thousands of results is never one string in memory.
 */
export const reportPieces: Readonly<
  Partial<Record<ReporterName, (...args: Parameters<Reporter>) => Iterable<string>>>
> = {
  get json() {
    return (require('./json') as typeof import('./json')).jsonReportPieces;
  },
  get sarif() {
    return (require('./sarif') as typeof import('./sarif')).sarifReportPieces;
  },
};
/* eslint-enable @typescript-eslint/no-require-imports */
