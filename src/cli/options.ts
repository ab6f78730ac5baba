/**
 * The CLI's commands and options as data: main.ts declares the yargs commands from these tables. Choices derive
 * from the closed unions they stand for (`FAIL_ON`, `REPORTER_NAMES`), so a new severity or format reaches the CLI
 * without an edit here. Options are listed in the order `--help` shows them.
 */
import type { Options, PositionalOptions } from 'yargs';
import { REPORTER_NAMES, type ReporterName } from '../../reporters/types';
import { CONFIG_ENV, PLUGINS_ENV } from '../config/trust';
import { RULE_SET_NAMES } from '../registry/rule-set-names';
import { FAIL_ON } from '../severity';

/** `--baseline-max-age`: findings a baseline accepted longer ago than this many days are reported as stale. */
export const DEFAULT_BASELINE_MAX_AGE_DAYS = 90;

/** A command: its yargs signature, its one-line description, and its options in `--help` order. */
interface CommandTable<O extends Record<string, Options>> {
  command: string;
  describe: string;
  options: O;
  examples: readonly (readonly [command: string, description: string])[];
}

const CONFIG = {
  alias: 'c',
  type: 'string',
  describe: `Config file (default: ./.auditrc.json when present; --no-config or ${CONFIG_ENV}=none: none)`,
} as const satisfies Options;

const PLUGINS = {
  type: 'boolean',
  describe: `Load the plugins the config lists (they run code; also ${PLUGINS_ENV}=1)`,
} as const satisfies Options;

const MAX_FILE_SIZE = {
  type: 'string',
  describe: 'Largest input file read, e.g. 512MB or 2GB (default 256MB; a bare number is MB)',
} as const satisfies Options;

const SCAN_OPTIONS = {
  source: {
    alias: 's',
    type: 'string',
    array: true,
    describe: 'A source as <kind>:<path> (repeatable), e.g. snapshot:tenant.json',
  },
  config: CONFIG,
  plugins: PLUGINS,
  format: { alias: 'f', choices: REPORTER_NAMES, default: 'text' as ReporterName, describe: 'Report format' },
  output: { alias: 'o', type: 'string', describe: 'Write the report to this file instead of stdout' },
  report: {
    type: 'string',
    array: true,
    describe: `Also write a report in another format, from the same run: <format>=<file>, - for stdout (repeatable; formats: ${REPORTER_NAMES.join(', ')})`,
  },
  'link-base': {
    type: 'string',
    describe:
      'Markdown report: prefix of file links, e.g. https://github.com/<owner>/<repo>/blob/<sha> (default: relative links)',
  },
  'max-file-size': MAX_FILE_SIZE,
  'fail-on': {
    choices: FAIL_ON,
    describe: 'Lowest severity that makes the exit code 1 (default: config failOn, else error)',
  },
  'fail-on-not-evaluated': {
    type: 'string',
    describe:
      'Exit 1 when one of these rules is not (fully) evaluated: <rule-id,...>, security, all or none (default: config failOnNotEvaluated, else none)',
  },
  baseline: {
    type: 'string',
    describe:
      'Compare with this baseline file (written by `baseline`): the findings it records are reported as unchanged and do not fail the gate',
  },
  'baseline-max-age': {
    type: 'number',
    describe: `Warn when findings the baseline accepts were recorded more than this many days ago (default ${DEFAULT_BASELINE_MAX_AGE_DAYS})`,
  },
  rule: {
    type: 'string',
    array: true,
    describe: 'Override a rule level: <rule-id>=off|error|warning|note (repeatable)',
  },
  tag: { type: 'string', array: true, describe: 'Run only rules with one of these tags (repeatable)' },
  only: {
    type: 'string',
    array: true,
    describe:
      'Run exactly these rules: <rule-id>[,<rule-id>...] (repeatable); each runs even where the config or rule set turns it off; not with --tag',
  },
  'rule-set': {
    choices: RULE_SET_NAMES,
    describe:
      'Which built-in rules are on: recommended, all, or a dated set that never grows (default: config ruleSet, else every rule)',
  },
  now: {
    type: 'string',
    describe: 'Evaluate time-based rules (secret expiry, suppression expiry) at this ISO 8601 instant',
  },
  'snapshot-out': {
    type: 'string',
    describe:
      'Also write what the sources collected as a snapshot file; findings on live data point into it (SARIF physical locations)',
  },
  compact: { type: 'boolean', default: false, describe: 'Text report: one line per finding' },
  fix: {
    type: 'boolean',
    default: false,
    describe: 'Apply the safe fixes to the files the findings point into (never to live data)',
  },
  'fix-dry-run': {
    type: 'boolean',
    default: false,
    describe: 'Print the fixes as a unified diff, change nothing',
  },
  timing: {
    type: 'boolean',
    default: false,
    describe:
      'Print to stderr how long reading the sources, building the model, each rule and each report took',
  },
  verbose: { alias: 'v', type: 'boolean', default: false, describe: 'Show stack traces of crashes' },
} as const satisfies Record<string, Options>;

export const SCAN = {
  command: 'scan [sources..]',
  describe: 'Audit the configuration read from the sources and report findings',
  options: SCAN_OPTIONS,
  examples: [
    ['$0 scan examples/contoso/snapshot.json', 'Audit a snapshot, text report'],
    [
      '$0 scan --source snapshot:tenant.json --format sarif --output audit.sarif',
      'SARIF for GitHub code scanning',
    ],
    [
      '$0 scan -s apiops:apimartifacts --format github --report markdown=summary.md --report junit=audit.xml',
      'Annotations on stdout, a PR summary and JUnit results from one run',
    ],
    [
      '$0 scan --source apiops:apimartifacts --baseline .audit-baseline.json',
      'Fail only on findings the baseline does not record',
    ],
  ],
} as const satisfies CommandTable<typeof SCAN_OPTIONS>;

const BASELINE_OPTIONS = {
  source: SCAN_OPTIONS.source,
  config: CONFIG,
  plugins: PLUGINS,
  output: {
    alias: 'o',
    type: 'string',
    default: '.audit-baseline.json',
    describe:
      'Baseline file to write (an existing one is replaced, keeping the first date of each finding still found)',
  },
  'max-file-size': MAX_FILE_SIZE,
  rule: SCAN_OPTIONS.rule,
  tag: SCAN_OPTIONS.tag,
  'rule-set': SCAN_OPTIONS['rule-set'],
  now: {
    type: 'string',
    describe: 'Evaluate time-based rules and date new entries at this ISO 8601 instant',
  },
  verbose: SCAN_OPTIONS.verbose,
} as const satisfies Record<string, Options>;

export const BASELINE = {
  command: 'baseline [sources..]',
  describe:
    'Record the current findings (not the suppressed ones) in a baseline file, so that `scan --baseline` fails only on new ones',
  options: BASELINE_OPTIONS,
  examples: [
    [
      '$0 baseline --source apiops:apimartifacts --source manifest:entra --output .audit-baseline.json',
      'Accept the findings of today; commit the file',
    ],
  ],
} as const satisfies CommandTable<typeof BASELINE_OPTIONS>;

export const SCAN_SOURCES = {
  type: 'string',
  array: true,
  describe: 'Bare paths to snapshot files',
} as const satisfies PositionalOptions;

const SNAPSHOT_OPTIONS = {
  source: {
    alias: 's',
    type: 'string',
    array: true,
    demandOption: true,
    describe: 'A source as <kind>:<location> (repeatable), e.g. graph, azure:<resource id>',
  },
  output: { alias: 'o', type: 'string', demandOption: true, describe: 'Snapshot file to write' },
  'max-file-size': MAX_FILE_SIZE,
  config: CONFIG,
  plugins: PLUGINS,
  verbose: {
    alias: 'v',
    type: 'boolean',
    default: false,
    describe: 'Log each request (method, path, status, duration; never tokens)',
  },
} as const satisfies Record<string, Options>;

export const SNAPSHOT = {
  command: 'snapshot',
  describe: 'Collect the configuration from the sources and write it as a snapshot file (no secret values)',
  options: SNAPSHOT_OPTIONS,
  examples: [
    [
      '$0 snapshot --source graph --source azure:/subscriptions/<id> --output tenant.json',
      'Snapshot a live tenant',
    ],
  ],
} as const satisfies CommandTable<typeof SNAPSHOT_OPTIONS>;

const RULES_OPTIONS = {
  format: { alias: 'f', choices: ['text', 'json'] as const, default: 'text' as const },
  config: { ...CONFIG, describe: 'Config file whose plugins and levels to include' },
  plugins: PLUGINS,
} as const satisfies Record<string, Options>;

export const RULES = {
  command: 'rules',
  describe: 'List the rules (built-in and from plugins in the config)',
  options: RULES_OPTIONS,
  examples: [],
} as const satisfies CommandTable<typeof RULES_OPTIONS>;

const EXPLAIN_OPTIONS = {
  list: {
    type: 'boolean',
    default: false,
    describe: 'List every error code explain knows, with a one-line meaning',
  },
  config: { ...CONFIG, describe: 'Config file whose plugins to include' },
  plugins: PLUGINS,
} as const satisfies Record<string, Options>;

export const EXPLAIN = {
  command: 'explain [rule-id-or-error]',
  describe:
    "Print a rule's documentation, or what an error (AADSTS/IDX code, APIM reason, pasted message) means, its causes and the rules that prevent it",
  options: EXPLAIN_OPTIONS,
  examples: [
    ['$0 explain client-secret-expiry', "A rule's documentation"],
    [
      '$0 explain AADSTS50011',
      'An error: meaning, causes, the rules that prevent it, the scan that checks them',
    ],
    [
      '$0 explain "AADSTS50011: The redirect URI \'https://...\' specified in the request does not match ..."',
      'A pasted message',
    ],
    ['$0 explain --list', 'Every error code explain knows'],
  ],
} as const satisfies CommandTable<typeof EXPLAIN_OPTIONS>;

export const EXPLAIN_TARGET = {
  type: 'string',
  describe: 'A rule id, an error code (AADSTS50011, IDX10205, TokenNotPresent) or a pasted error message',
} as const satisfies PositionalOptions;

const TOKEN_OPTIONS = {
  source: {
    alias: 's',
    type: 'string',
    array: true,
    describe: 'A source as <kind>:<location> (repeatable; default: the config sources)',
  },
  api: { type: 'string', demandOption: true, describe: 'The API (name, display name or path)' },
  operation: { type: 'string', describe: 'The operation id (or give --method and --url)' },
  method: { type: 'string', describe: 'The request method, e.g. GET' },
  url: { type: 'string', describe: 'The request URL or path, e.g. /colors/random' },
  claims: { type: 'string', describe: 'A JSON file of claims instead of a token' },
  header: {
    type: 'string',
    default: 'Authorization',
    describe:
      'The header the token is sent in (Authorization: "Bearer <token>"; another header: the bare token)',
  },
  product: {
    type: 'string',
    describe: 'Only the call path of this product (none: calls without product policies)',
  },
  now: { type: 'string', describe: 'Check exp and nbf at this ISO 8601 instant (default: now)' },
  format: {
    alias: 'f',
    choices: ['text', 'json'] as const,
    default: 'text' as const,
    describe: 'Output format (json: a versioned document for scripts and bots)',
  },
  config: CONFIG,
  plugins: PLUGINS,
  'max-file-size': MAX_FILE_SIZE,
  verbose: { alias: 'v', type: 'boolean', default: false, describe: 'Show stack traces of crashes' },
} as const satisfies Record<string, Options>;

export const TOKEN = {
  command: 'token [jwt]',
  describe:
    "Why does this token get a 401? Decode it locally (no signature check, no network) and run the checks of the operation's effective inbound policy",
  options: TOKEN_OPTIONS,
  examples: [
    [
      '$0 token --source apiops:apimartifacts --api colors-api --method GET --url /colors/random - < token.txt',
      'The token from stdin (keeps it out of the shell history)',
    ],
    [
      '$0 token -s examples/contoso/snapshot.json --api colors-api --operation get-colors --claims claims.json',
      'Claims from a JSON file',
    ],
  ],
} as const satisfies CommandTable<typeof TOKEN_OPTIONS>;

export const TOKEN_JWT = {
  type: 'string',
  describe: 'The access token (a "Bearer " prefix is accepted), or - to read it from stdin',
} as const satisfies PositionalOptions;
