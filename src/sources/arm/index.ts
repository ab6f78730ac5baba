/**
 * The `arm:<template>[#<parameters file>]` source: an ARM template JSON file, including what `bicep build`
 * emits (languageVersion 2.0 symbolic resources, nested module deployments, the Microsoft Graph extension's
 * `Microsoft.Graph/applications`). Expressions are evaluated offline from parameter defaults and the
 * parameters file; what only a deployment knows is recorded as unknown (see inventory.ts), never guessed.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { AuditError } from '../../errors';
import type { Inventory, SourceGap } from '../../inventory/types';
import type { PositionIndex } from '../../json/types';
import { joinPointer, parseJsonWithPositions } from '../../json/positions';
import { displayPath } from '../../util/package-root';
import { fileProblem, readNamedText } from '../../util/files';
import { Unknown, type ArmValue } from './values';
import { buildInventory } from './inventory';
import { ArmLimitError, withEvaluationBudget } from './limits';
import { walkTemplate, type ParameterValue } from './template';
import type { SourceDefinition } from '../types';
import { isRecord } from '../../util/json';

const TEMPLATE_SCHEMA = /"\$schema"\s*:\s*"[^"]*deploymentTemplate\.json/i;

export const armSource: SourceDefinition = {
  describe:
    'an ARM template (JSON, also as `bicep build` emits it); arm:<template>#<parameters file> adds a parameters file',
  takesPath: true,
  phase: 'files',
  detect: (_location, stats, peek) => stats.isFile() && peek !== undefined && TEMPLATE_SCHEMA.test(peek),
  load: (location, raw, context) => {
    try {
      return Promise.resolve(loadArmTemplate(location, raw, context.cwd, context.log));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  },
};

/**
 * `main.json#main.parameters.json` -> the template and the parameters file. `parseSourceSpec` resolves both
 * against the same base (working directory or config folder); a relative parameters path that reaches this
 * function unresolved is taken relative to the template.
 */
export function splitArmLocation(location: string): { template: string; parameters: string | undefined } {
  if (existsSync(location)) return { template: location, parameters: undefined };
  for (let hash = location.indexOf('#'); hash >= 0; hash = location.indexOf('#', hash + 1)) {
    const template = location.slice(0, hash);
    if (existsSync(template) && statSync(template).isFile()) {
      const rest = location.slice(hash + 1);
      return { template, parameters: rest ? path.resolve(path.dirname(template), rest) : undefined };
    }
  }
  return { template: location, parameters: undefined };
}

interface ParsedFile {
  shown: string;
  value: unknown;
  index: PositionIndex;
}

function readJson(file: string, cwd: string, what: string): ParsedFile {
  const shown = displayPath(file, cwd);
  let text: string;
  try {
    text = readNamedText(file);
  } catch (error) {
    throw new AuditError('source-unreadable', `Cannot read ${what} ${fileProblem(shown, error)}`);
  }
  const parsed = parseJsonWithPositions(text);
  if ('problems' in parsed) {
    throw new AuditError(
      'source-invalid',
      `${what[0]?.toUpperCase() ?? ''}${what.slice(1)} ${shown} is not valid JSON:`,
      parsed.problems.map((p) => `${shown}:${p.line}:${p.column}: ${p.message}`),
    );
  }
  return { shown, value: parsed.value, index: parsed.index };
}

function at(file: ParsedFile, pointer: string): string {
  let current = pointer;
  for (;;) {
    const position = file.index.locate(current);
    if (position) return `${file.shown}:${position.line}:${position.column}`;
    if (current === '') return `${file.shown}:1:1`;
    current = current.slice(0, current.lastIndexOf('/'));
  }
}

/** Structural problems ARM itself would reject: every resource is an object with a string `type`. */
function checkResources(file: ParsedFile, resources: unknown, pointer: string, problems: string[]): void {
  const entries: [string, unknown][] = Array.isArray(resources)
    ? resources.map((r, i) => [joinPointer(pointer, i), r])
    : isRecord(resources)
      ? Object.entries(resources).map(([k, r]) => [joinPointer(pointer, k), r])
      : [];
  if (resources !== undefined && !Array.isArray(resources) && !isRecord(resources)) {
    problems.push(`${at(file, pointer)}: ${pointer}: "resources" must be an array or an object`);
  }
  for (const [resourcePointer, resource] of entries) {
    if (!isRecord(resource)) {
      problems.push(`${at(file, resourcePointer)}: ${resourcePointer}: a resource must be an object`);
      continue;
    }
    if (typeof resource['type'] !== 'string') {
      problems.push(`${at(file, resourcePointer)}: ${resourcePointer}: the resource has no "type"`);
    }
    checkResources(file, resource['resources'], joinPointer(resourcePointer, 'resources'), problems);
    const properties = resource['properties'];
    if (isRecord(properties) && isRecord(properties['template'])) {
      const templatePointer = joinPointer(resourcePointer, 'properties', 'template');
      checkResources(
        file,
        properties['template']['resources'],
        joinPointer(templatePointer, 'resources'),
        problems,
      );
    }
  }
}

function readParameters(
  file: string,
  cwd: string,
  template: Record<string, unknown>,
  templateShown: string,
): { parsed: ParsedFile; values: Map<string, ParameterValue> } {
  const parsed = readJson(file, cwd, 'parameters file');
  const root = parsed.value;
  const parameters = isRecord(root) ? root['parameters'] : undefined;
  if (!isRecord(parameters)) {
    throw new AuditError('source-invalid', `Parameters file ${parsed.shown} is not an ARM parameters file:`, [
      `${at(parsed, '')}: expected { "parameters": { "<name>": { "value": ... } } }`,
    ]);
  }
  const declared = isRecord(template['parameters']) ? Object.keys(template['parameters']) : [];
  const problems: string[] = [];
  const values = new Map<string, ParameterValue>();
  for (const [name, entry] of Object.entries(parameters)) {
    const pointer = joinPointer('/parameters', name);
    if (!declared.some((d) => d.toLowerCase() === name.toLowerCase())) {
      problems.push(`${at(parsed, pointer)}: parameter '${name}' is not declared by ${templateShown}`);
      continue;
    }
    if (!isRecord(entry) || (!('value' in entry) && !('reference' in entry))) {
      problems.push(
        `${at(parsed, pointer)}: parameter '${name}' needs a "value" (or a Key Vault "reference")`,
      );
      continue;
    }
    if (!('value' in entry)) {
      values.set(name.toLowerCase(), { value: new Unknown(`parameter '${name}' is a Key Vault reference`) });
      continue;
    }
    const value: ParameterValue = { value: entry['value'] as ArmValue };
    if (typeof entry['value'] === 'string')
      value.origin = { file: 'parameters', pointer: joinPointer(pointer, 'value') };
    values.set(name.toLowerCase(), value);
  }
  if (problems.length > 0) {
    throw new AuditError(
      'source-invalid',
      `Parameters file ${parsed.shown} does not fit ${templateShown}:`,
      problems,
    );
  }
  return { parsed, values };
}

/** Wraps the template's index: offsets into computed strings (expressions) land on the string itself. */
function withComputedStrings(index: PositionIndex, computed: ReadonlySet<string>): PositionIndex {
  if (computed.size === 0) return index;
  return {
    locate: (pointer) => index.locate(pointer),
    locateOffset: (pointer, offset) =>
      computed.has(pointer) ? index.locate(pointer) : index.locateOffset(pointer, offset),
  };
}

/** Runs the template's evaluation under its limits (limits.ts); a limit exceeded is a located error. */
function evaluateBounded<T>(template: ParsedFile, run: () => T): T {
  try {
    return withEvaluationBudget(run);
  } catch (error) {
    if (!(error instanceof ArmLimitError)) throw error;
    const pointer = joinPointer(error.base ?? '', ...error.path);
    throw new AuditError('source-invalid', `ARM template ${template.shown} exceeds an evaluation limit:`, [
      `${at(template, pointer)}: ${error.message}`,
    ]);
  }
}

export function loadArmTemplate(
  location: string,
  spec: string = `arm:${location}`,
  cwd: string = process.cwd(),
  log: (message: string) => void = () => undefined,
): Inventory {
  const { template: templateFile, parameters: parametersFile } = splitArmLocation(location);
  const template = readJson(templateFile, cwd, 'ARM template');
  const root = template.value;
  if (!isRecord(root) || root['resources'] === undefined) {
    throw new AuditError('source-invalid', `${template.shown} is not an ARM template:`, [
      `${at(template, '')}: expected an object with "$schema" (…/deploymentTemplate.json#) and "resources"`,
    ]);
  }
  const problems: string[] = [];
  checkResources(template, root['resources'], '/resources', problems);
  if (problems.length > 0) {
    throw new AuditError('source-invalid', `ARM template ${template.shown} has invalid resources:`, problems);
  }
  const parameters = parametersFile ? readParameters(parametersFile, cwd, root, template.shown) : undefined;
  const computed = new Set<string>();
  const { walk, built } = evaluateBounded(template, () => {
    const walk = walkTemplate(root, parameters?.values ?? new Map());
    const built = buildInventory(walk.instances, walk.gaps, {
      file: template.shown,
      parametersFile: parameters?.parsed.shown,
      computed,
      valueOrigin: (kind, name, instance) => instance.scope.valueOrigin?.(kind, name),
    });
    return { walk, built };
  });
  const gaps: SourceGap[] = walk.gaps.map((gap) => ({
    source: spec,
    what: `${gap.what} at ${at(template, gap.pointer)}`,
    reason: gap.reason,
  }));
  const files: Record<string, PositionIndex> = {
    [template.shown]: withComputedStrings(template.index, computed),
  };
  if (parameters) files[parameters.parsed.shown] = parameters.parsed.index;
  const apim = built.services.length > 0;
  const entra = built.applications.length > 0;
  if (!apim && !entra) log(`${template.shown}: no API Management or Microsoft.Graph/applications resources`);
  return {
    sources: [{ spec, provides: { entra, apim } }],
    applications: built.applications,
    services: built.services,
    gaps,
    files,
  };
}
