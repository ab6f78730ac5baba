/**
 * Every policy document of a model, read once: the global, workspace, product, API and operation policies and
 * the policy fragments, each parsed with the tolerant parser or marked unreadable (a link that cannot be fetched
 * offline, or text broken beyond repair). The effective-policy composer and the `policy-parse-error` rule share
 * these readings, so a document is judged unreadable the same way everywhere.
 */
import type { Origin, PolicyContract } from '../inventory/types';
import type { Api, Model, Operation, PolicyFragment, Product, Service, Workspace } from '../model/types';
import { childElements, parsePolicy } from './parser';
import type { PolicyElement, PolicyParseError } from './types';

export type PolicyScope = 'global' | 'workspace' | 'product' | 'api' | 'operation';

export const SECTIONS = ['inbound', 'backend', 'outbound', 'on-error'] as const;
export type SectionName = (typeof SECTIONS)[number];

export type PolicyOwner = Service | Workspace | Product | Api | Operation;

/** Why a document or fragment cannot be used. */
export type Unreadability =
  { kind: 'link'; url: string } | { kind: 'parse-error'; message: string; offset: number };

/** A readable text: its root, and the problems the parser read past (the gateway's XML reader would not). */
export interface Parsed {
  kind: 'parsed';
  root: PolicyElement;
  warnings: PolicyParseError[];
}

export type DocumentState =
  (Parsed & { sections: Partial<Record<SectionName, PolicyElement>> }) | Unreadability;

export interface PolicyDocument {
  scope: PolicyScope;
  owner: PolicyOwner;
  contract: PolicyContract;
  /** Where the policy text lives (offsets of parsed elements are into it). */
  origin: Origin | undefined;
  /** `the operation policy of 'colors-api/get-random-color'`, for messages. */
  label: string;
  state: DocumentState;
}

export type FragmentState = Parsed | Unreadability;

export interface FragmentDocument {
  fragment: PolicyFragment;
  origin: Origin | undefined;
  /** `policy fragment 'jwt-validation'`, for messages. */
  label: string;
  state: FragmentState;
}

export function operationLabel(operation: Operation): string {
  return `${operation.api.name}/${operation.name}`;
}

export function documentLabel(scope: PolicyScope, owner: PolicyOwner): string {
  switch (scope) {
    case 'global':
      return `the global policy of service '${owner.name}'`;
    case 'workspace':
      return `the workspace policy of '${owner.name}'`;
    case 'product':
      return `the product policy of '${owner.name}'`;
    case 'api':
      return `the API policy of '${owner.name}'`;
    case 'operation':
      return `the operation policy of '${operationLabel(owner as Operation)}'`;
  }
}

function isLink(contract: { format?: string | undefined }): boolean {
  return contract.format === 'xml-link' || contract.format === 'rawxml-link';
}

function parse(
  value: string,
  format: string | undefined,
  rootName: 'policies' | 'fragment',
): Parsed | Unreadability {
  const parsed = parsePolicy(value, format === 'rawxml' || format === 'xml' ? format : undefined);
  if (parsed.error)
    return { kind: 'parse-error', message: parsed.error.message, offset: parsed.error.offset };
  if (!parsed.root) return { kind: 'parse-error', message: 'the policy text is empty', offset: 0 };
  if (parsed.root.name !== rootName) {
    return {
      kind: 'parse-error',
      message: `the root element is <${parsed.root.name}>; a ${rootName === 'policies' ? 'policy' : 'policy fragment'} starts with <${rootName}>`,
      offset: parsed.root.offset,
    };
  }
  return { kind: 'parsed', root: parsed.root, warnings: parsed.warnings };
}

/**
 * Readings of equal texts, shared: APIOps trees and exports repeat the same policy text in many files (the
 * default `<base />` operation policy above all), and a parsed tree depends on nothing but its text and format.
 * Nothing changes a reading, and consumers tell statements of different policies apart by the text they are
 * written in (`WrittenMap`), never by the element alone.
 */
export class Readings {
  private readonly documents = new Map<string, DocumentState>();
  private readonly fragments = new Map<string, FragmentState>();

  document(value: string, format: string | undefined): DocumentState {
    const key = readingKey(value, format);
    let state = this.documents.get(key);
    if (!state) {
      const read = parse(value, format, 'policies');
      state =
        read.kind === 'parsed'
          ? { kind: read.kind, root: read.root, warnings: read.warnings, sections: sectionsOf(read.root) }
          : read;
      this.documents.set(key, state);
    }
    return state;
  }

  fragment(value: string, format: string | undefined): FragmentState {
    const key = readingKey(value, format);
    let state = this.fragments.get(key);
    if (!state) {
      state = parse(value, format, 'fragment');
      this.fragments.set(key, state);
    }
    return state;
  }
}

/** The text itself when its format reads as raw XML (the usual case: no second string is made), else tagged. */
function readingKey(value: string, format: string | undefined): string {
  return format === 'rawxml' ? value : `${format ?? ''}\u0000${value}`;
}

function sectionsOf(root: PolicyElement): Partial<Record<SectionName, PolicyElement>> {
  const sections: Partial<Record<SectionName, PolicyElement>> = {};
  for (const child of childElements(root)) {
    const name = child.name as SectionName;
    if ((SECTIONS as readonly string[]).includes(name) && !sections[name]) sections[name] = child;
  }
  return sections;
}

export function readDocument(
  scope: PolicyScope,
  owner: PolicyOwner,
  contract: PolicyContract,
  readings: Readings,
): PolicyDocument {
  const state: DocumentState = isLink(contract)
    ? { kind: 'link', url: contract.value }
    : readings.document(contract.value, contract.format);
  return new ReadDocument(scope, owner, contract, state);
}

/**
 * A policy document as read. A 5,000-API tree has 30,000: the label (needed only in the message of a finding) is
 * worked out when read, not kept (three joined strings each, some 3 MB in all), and the origin is the contract's.
 */
class ReadDocument implements PolicyDocument {
  constructor(
    readonly scope: PolicyScope,
    readonly owner: PolicyOwner,
    readonly contract: PolicyContract,
    readonly state: DocumentState,
  ) {}

  get origin(): Origin | undefined {
    return this.contract.origin;
  }

  get label(): string {
    return documentLabel(this.scope, this.owner);
  }
}

export function readFragment(fragment: PolicyFragment, readings: Readings): FragmentDocument {
  const value = fragment.props.value;
  const state: FragmentState =
    value === undefined
      ? { kind: 'parse-error', message: 'the fragment has no value', offset: 0 }
      : readings.fragment(value, fragment.props.format);
  return { fragment, origin: fragment.valueOrigin, label: `policy fragment '${fragment.name}'`, state };
}

/** The policy documents of a model, broadest scope first. */
export function readAllDocuments(model: Model, readings: Readings): PolicyDocument[] {
  const documents: PolicyDocument[] = [];
  const add = (scope: PolicyScope, owner: PolicyOwner, contract: PolicyContract | undefined) => {
    if (contract) documents.push(readDocument(scope, owner, contract, readings));
  };
  for (const service of model.services) {
    add('global', service, service.policy);
    for (const workspace of service.workspaces) add('workspace', workspace, workspace.policy);
    for (const product of service.products) add('product', product, product.policy);
    for (const api of service.apis) {
      add('api', api, api.policy);
      for (const operation of api.operations) add('operation', operation, operation.policy);
    }
  }
  return documents;
}

/** The service a policy owner belongs to. */
export function serviceOf(owner: PolicyOwner): Service {
  switch (owner.kind) {
    case 'apimService':
      return owner;
    case 'operation':
      return owner.api.service;
    default:
      return owner.service;
  }
}

export function workspaceOf(owner: PolicyOwner): Workspace | undefined {
  switch (owner.kind) {
    case 'apimService':
      return undefined;
    case 'workspace':
      return owner;
    case 'api':
      return owner.workspace;
    case 'operation':
      return owner.api.workspace;
    case 'product': {
      const id = owner.id.toLowerCase();
      return owner.service.workspaces.find((w) => id.startsWith(`${w.id.toLowerCase()}/`));
    }
  }
}
