/**
 * JSON Schema validation with ajv, reporting every problem with its JSON pointer and, when the document came
 * from a file, its line and column.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { PositionIndex } from './types';
import { packageRoot } from '../util/package-root';

export type SchemaName = 'snapshot' | 'auditrc';

const compiled = new Map<SchemaName, ValidateFunction>();

export function newAjv(options: { useDefaults?: boolean } = {}): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: options.useDefaults ?? false });
  addFormats(ajv);
  return ajv;
}

export function schemaPath(name: SchemaName): string {
  return path.join(packageRoot(), 'schemas', `${name}.schema.json`);
}

export function loadSchema(name: SchemaName): Record<string, unknown> {
  return JSON.parse(readFileSync(schemaPath(name), 'utf8')) as Record<string, unknown>;
}

export function validatorFor(name: SchemaName): ValidateFunction {
  let validate = compiled.get(name);
  if (!validate) {
    validate = newAjv().compile(loadSchema(name));
    compiled.set(name, validate);
  }
  return validate;
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
