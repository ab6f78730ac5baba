/**
 * JSON Schema validation with ajv, reporting every problem with its JSON pointer and, when the document came
 * from a file, its line and column.
 *
 * The package's own schemas (schemas/*.schema.json) are compiled at build time to standalone code
 * (./validators.generated.ts, by scripts/generate-validators.js): compiling the snapshot schema costs more than the
 * rest of an offline scan. ajv itself loads only when a schema is compiled at run time (rule options).
 */
import type Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { PositionIndex } from './types';

export type SchemaName = 'snapshot' | 'auditrc' | 'baseline';

/** Same options as the build-time compilation in scripts/generate-validators.js (same errors either way). */
export function newAjv(options: { useDefaults?: boolean } = {}): Ajv {
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded on first use: ajv and its compiler are ~70
     modules that a run without rule options in its config never needs. */
  const { default: AjvClass } = require('ajv') as typeof import('ajv');
  const { default: addFormats } = require('ajv-formats') as typeof import('ajv-formats');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const ajv = new AjvClass({ allErrors: true, strict: false, useDefaults: options.useDefaults ?? false });
  addFormats(ajv);
  return ajv;
}

/** The precompiled validator of one of the package's schemas; test/json/validators-generated.test.ts keeps it fresh. */
export function validatorFor(name: SchemaName): ValidateFunction {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- 180 kB of generated code, read on first use
  const generated = require('./validators.generated') as Record<SchemaName, unknown>;
  return generated[name] as ValidateFunction;
}

/**
 * Turns ajv errors into one located line each: `file:line:col: /pointer: message`. Errors that only restate
 * a failed `anyOf`/`allOf` branch are dropped when a more specific error exists at the same place.
 */
export function describeSchemaErrors(
  errors: readonly ErrorObject[],
  where?: { file: string; index: PositionIndex },
): string[] {
  const lines = new Set<string>();
  for (const error of errors) {
    if (error.keyword === 'anyOf' || error.keyword === 'allOf' || error.keyword === 'if') continue;
    const pointer = error.instancePath || '/';
    const message = schemaErrorMessage(error);
    const position = where ? locateNearest(where.index, error.instancePath) : undefined;
    const prefix = where && position ? `${where.file}:${position.line}:${position.column}: ` : '';
    lines.add(`${prefix}${pointer}: ${message}`);
  }
  return [...lines];
}

function schemaErrorMessage(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'enum':
      return `must be one of ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(params['allowedValue'])}`;
    case 'additionalProperties':
      return `unknown property '${String(params['additionalProperty'])}'`;
    case 'required':
      return `missing required property '${String(params['missingProperty'])}'`;
    case 'not':
      return 'must not contain secret values (clientSecret, secretText, key material, secret named-value values)';
    default:
      return error.message ?? error.keyword;
  }
}

/** Position of a pointer, or of its nearest existing parent. */
export function locateNearest(index: PositionIndex, pointer: string) {
  let current = pointer;
  for (;;) {
    const position = index.locate(current);
    if (position || current === '') return position;
    current = current.slice(0, current.lastIndexOf('/'));
  }
}
