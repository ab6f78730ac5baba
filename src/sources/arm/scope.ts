/**
 * A template's evaluation scope: its parameters (given values, else lazily evaluated defaults), its variables,
 * and `reference()` to the Graph applications it declares; apart from the resource walker in template.ts,
 * which creates one scope per template and nested deployment.
 */
import { joinPointer } from '../../json/positions';
import { isRecord } from '../../util/json';
import { setBase } from './limits';
import { evaluateDeep } from './evaluate';
import { isArmObject, ResourceHandle, Unknown, type ArmObject, type ArmScope, type ArmValue } from './values';
import { isSecretKey } from '../common/secrets';

/** Where a parameter's or variable's literal value lives, so a policy taken from it is located there. */
export interface ValueOrigin {
  /** `undefined` for the template file itself, else the parameters file. */
  file: 'template' | 'parameters';
  pointer: string;
}

export interface ParameterValue {
  value: ArmValue;
  origin?: ValueOrigin;
}

export interface TemplateFrame {
  template: Record<string, unknown>;
  pointer: string;
  /** Parameter values from a parameters file or a nested deployment. */
  given: ReadonlyMap<string, ParameterValue>;
}

/** A template's evaluation scope: lazily evaluated variables, parameter lookup and symbolic references. */
export class TemplateScope implements ArmScope {
  private readonly variables = new Map<string, ArmValue>();
  private readonly evaluating = new Set<string>();
  readonly symbols = new Map<string, { raw: Record<string, unknown>; type: string }>();
  private readonly variableDefs: Record<string, unknown>;
  private readonly parameters: ReadonlyMap<string, ParameterValue>;

  constructor(private readonly frame: TemplateFrame) {
    this.parameters = templateParameters(frame.template, frame.pointer, frame.given, () => this);
    const vars = frame.template['variables'];
    this.variableDefs = vars && typeof vars === 'object' ? (vars as Record<string, unknown>) : {};
    const resources = frame.template['resources'];
    if (resources && typeof resources === 'object' && !Array.isArray(resources)) {
      for (const [symbol, raw] of Object.entries(resources as Record<string, unknown>)) {
        if (raw && typeof raw === 'object') {
          const type = (raw as Record<string, unknown>)['type'];
          this.symbols.set(symbol.toLowerCase(), {
            raw: raw as Record<string, unknown>,
            type: typeof type === 'string' ? baseType(type) : '',
          });
        }
      }
    }
  }

  parameter(name: string): ArmValue {
    const found = findKey(this.parameters, name);
    return found ? found.value : new Unknown(`the template declares no parameter '${name}'`);
  }

  valueOrigin(kind: 'parameters' | 'variables', name: string): ValueOrigin | undefined {
    return kind === 'parameters' ? findKey(this.parameters, name)?.origin : this.variableOrigin(name);
  }

  variable(name: string): ArmValue {
    const key = Object.keys(this.variableDefs).find((k) => k.toLowerCase() === name.toLowerCase());
    const copies = this.variableDefs['copy'];
    if (key === undefined && Array.isArray(copies)) {
      const loop = copies.find(
        (c) => isRecord(c) && typeof c['name'] === 'string' && c['name'].toLowerCase() === name.toLowerCase(),
      );
      if (loop) return this.memo(name, () => evaluateDeep({ copy: [loop] }, this) as ArmObject)[name] ?? null;
    }
    if (key === undefined) return new Unknown(`the template declares no variable '${name}'`);
    if (this.evaluating.has(key)) return new Unknown(`variable '${key}' refers to itself`);
    const cached = this.variables.get(key);
    if (cached !== undefined) return cached;
    this.evaluating.add(key);
    let value: ArmValue;
    try {
      value = evaluateDeep(this.variableDefs[key], this);
    } catch (error) {
      throw setBase(error, joinPointer(this.frame.pointer, 'variables', key));
    } finally {
      this.evaluating.delete(key);
    }
    this.variables.set(key, value);
    return value;
  }

  private variableOrigin(name: string): ValueOrigin | undefined {
    const key = Object.keys(this.variableDefs).find((k) => k.toLowerCase() === name.toLowerCase());
    return key === undefined || typeof this.variableDefs[key] !== 'string'
      ? undefined
      : { file: 'template', pointer: joinPointer(this.frame.pointer, 'variables', key) };
  }

  private memo(name: string, compute: () => ArmObject): ArmObject {
    const key = `copy:${name.toLowerCase()}`;
    const cached = this.variables.get(key);
    if (cached !== undefined && isArmObject(cached)) return cached;
    const value = compute();
    this.variables.set(key, value);
    return value;
  }

  copyIndex(): number | Unknown {
    return new Unknown('copyIndex() is used outside a copy loop');
  }

  reference(target: ArmValue): ArmValue {
    if (typeof target !== 'string')
      return new Unknown('reference() reads a deployed resource', 'reference()');
    const symbol = this.symbols.get(target.toLowerCase());
    if (!symbol || !isGraphApplicationType(symbol.type)) {
      return new Unknown(`reference('${target}') reads the deployed resource`, `reference('${target}')`);
    }
    const body = isRecord(symbol.raw['properties']) ? symbol.raw['properties'] : symbol.raw;
    return new ResourceHandle(target, (property) => {
      const key = Object.keys(body).find((k) => k.toLowerCase() === property.toLowerCase());
      if (key !== undefined && !isSecretKey(key)) return evaluateDeep(body[key], this);
      return new Unknown(
        symbol.raw['existing'] === true
          ? `${property} of the existing application '${target}' is known only in the tenant`
          : `${property} of application '${target}' is assigned by Microsoft Entra ID when it is deployed`,
      );
    });
  }
}

function findKey<V>(map: ReadonlyMap<string, V>, name: string): V | undefined {
  return map.get(name.toLowerCase());
}

/** `Microsoft.Graph/applications@v1.0` -> `Microsoft.Graph/applications`. */
export function baseType(type: string): string {
  const at = type.indexOf('@');
  return at < 0 ? type : type.slice(0, at);
}

export function isGraphApplicationType(type: string): boolean {
  return type.toLowerCase() === 'microsoft.graph/applications';
}

/**
 * Parameter values of a template: the parameters file's (or nested deployment's) value, else the evaluated
 * default, else unknown. Values are computed lazily, so defaults can use other parameters.
 */
export function templateParameters(
  template: Record<string, unknown>,
  pointer: string,
  given: ReadonlyMap<string, ParameterValue>,
  scopeFor: () => ArmScope,
): Map<string, ParameterValue> {
  const declared = isRecord(template['parameters']) ? template['parameters'] : {};
  const result = new Map<string, ParameterValue>();
  for (const [name, definition] of Object.entries(declared)) {
    const supplied = given.get(name.toLowerCase());
    if (supplied) {
      result.set(name.toLowerCase(), supplied);
      continue;
    }
    const def = isRecord(definition) ? definition : {};
    if (!('defaultValue' in def) && def['nullable'] === true) {
      result.set(name.toLowerCase(), { value: null });
      continue;
    }
    if (!('defaultValue' in def)) {
      result.set(name.toLowerCase(), {
        value: new Unknown(
          `parameter '${name}' has no value (it has no default, and no parameters file sets it)`,
        ),
      });
      continue;
    }
    const defaultPointer = joinPointer(pointer, 'parameters', name, 'defaultValue');
    let cached: ArmValue | undefined;
    const entry: ParameterValue = {
      get value(): ArmValue {
        cached ??= evaluateDeep(def['defaultValue'], scopeFor());
        return cached;
      },
    };
    if (typeof def['defaultValue'] === 'string' && !def['defaultValue'].startsWith('[')) {
      entry.origin = { file: 'template', pointer: defaultPointer };
    }
    result.set(name.toLowerCase(), entry);
  }
  return result;
}
