/**
 * `scan --snapshot-out`: the collected data written as a snapshot document, and the records that came from no file
 * (live Graph / ARM data) located in that document. Code scanning shows a result only at a file and line; live data
 * has neither until it is written down, so the snapshot the run writes becomes the file its findings point at.
 */
import { AuditError } from '../../errors';
import type { Inventory, Origin } from '../../inventory/types';
import { describeSchemaErrors, validatorFor } from '../../json/schema';
import { parseSnapshot, toSnapshotDocument } from './index';

/**
 * The snapshot document of what the sources collected, as the text written to disk (validated by the snapshot
 * schema, which refuses secret values). What `snapshot` writes and what `scan --snapshot-out` writes are this text.
 */
export function snapshotText(inventory: Inventory, collectedAt: string): string {
  const document = toSnapshotDocument(inventory, collectedAt);
  const validate = validatorFor('snapshot');
  if (!validate(document)) {
    throw new AuditError(
      'source-invalid',
      'The collected data does not match the snapshot schema (a bug; please report it):',
      describeSchemaErrors(validate.errors ?? []),
    );
  }
  return JSON.stringify(document, null, 2) + '\n';
}

/**
 * Points every record that has no file at its place in `text`, the snapshot of this very inventory written to
 * `file` (as shown relative to the working directory), and adds the snapshot's position index to the files the
 * engine locates with. Records from files keep their locations.
 *
 * The origins given are those the snapshot source gives when it reads `text` (a policy at its `policy/value`
 * string, a fragment's text at `properties/value`), so a later scan of the snapshot locates each finding at the
 * same line. The resource id / Graph object id stays: it is the finding's logical location. Origins are changed in
 * place, because a source conflict (`Inventory.conflicts`) holds the same origin objects as the records.
 */
export function locateInSnapshot(inventory: Inventory, text: string, file: string): Inventory {
  const written = parseSnapshot(text, file);
  let located = 0;
  const walk = (own: unknown, snap: unknown): void => {
    if (Array.isArray(own)) {
      if (Array.isArray(snap)) own.forEach((item, i) => walk(item, snap[i]));
      return;
    }
    if (!isRecord(own) || !isRecord(snap)) return;
    for (const [key, value] of Object.entries(own)) {
      if (key === 'origin' || key === 'valueOrigin') {
        if (relocate(value as Origin | undefined, snap[key] as Origin | undefined)) located += 1;
      } else {
        walk(value, snap[key]);
      }
    }
  };
  walk(inventory.applications, written.applications);
  walk(inventory.services, written.services);
  if (located === 0) return inventory;
  return { ...inventory, files: { ...inventory.files, ...written.files } };
}

/** Gives a file-less origin the snapshot's file and pointer; true when it did. */
function relocate(own: Origin | undefined, snap: Origin | undefined): boolean {
  if (!own || own.file !== undefined || snap?.file === undefined || snap.pointer === undefined) return false;
  own.file = snap.file;
  own.pointer = snap.pointer;
  // Still live data: its fix is a command against the tenant, not an edit of the snapshot this run wrote.
  own.live = true;
  // Positions and a path table of no file (none today) would mislead once the origin has one.
  delete own.line;
  delete own.column;
  delete own.paths;
  return true;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
