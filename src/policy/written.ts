/**
 * Values kept per statement as written: the text it is written in (the fragment it was inlined from, else the scope
 * policy) and its element there. Equal texts share one parsed tree (documents.ts `Readings`), so an element alone
 * does not tell the same statement of two policies apart.
 */
import type { StatementSource } from './statements';
import type { PolicyText } from './fragments';
import type { PolicyElement } from './types';

export class WrittenMap<V> {
  /** One key object per (text, element), so that `values` keeps the order of first insertion. */
  private readonly keys = new Map<PolicyText, Map<PolicyElement, object>>();
  private readonly entries = new Map<object, V>();

  private key(source: StatementSource, element: PolicyElement, create: boolean): object | undefined {
    const text: PolicyText = source.fragment ?? source.document;
    let byElement = this.keys.get(text);
    if (!byElement) {
      if (!create) return undefined;
      byElement = new Map();
      this.keys.set(text, byElement);
    }
    let key = byElement.get(element);
    if (!key && create) {
      key = {};
      byElement.set(element, key);
    }
    return key;
  }

  get(source: StatementSource, element: PolicyElement): V | undefined {
    const key = this.key(source, element, false);
    return key ? this.entries.get(key) : undefined;
  }

  /** Sets the value; a statement set before keeps its place in `values()`. */
  set(source: StatementSource, element: PolicyElement, value: V): this {
    this.entries.set(this.key(source, element, true) as object, value);
    return this;
  }

  values(): IterableIterator<V> {
    return this.entries.values();
  }

  get size(): number {
    return this.entries.size;
  }
}
