/**
 * The reporters by name. `Record<ReporterName, Reporter>` makes a new format without an implementation a compile
 * error. Reporters are pure functions from an audit result to the text of a report; the CLI decides where it goes.
 */
import { jsonReporter } from './json';
import { sarifReporter } from './sarif';
import { textReporter } from './text';
import type { Reporter, ReporterName } from './types';

export { REPORTER_NAMES } from './types';
export type { Reporter, ReporterName, ReporterOptions, RuleDoc } from './types';

export const reporters: Readonly<Record<ReporterName, Reporter>> = {
  text: textReporter,
  json: jsonReporter,
  sarif: sarifReporter,
};
