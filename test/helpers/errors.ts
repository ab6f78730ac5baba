import { AuditError } from '../../src/errors';

/** The `AuditError` that `fn` throws; fails the test when it throws nothing or another error. */
export function auditErrorOf(fn: () => unknown): AuditError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AuditError) return error;
    throw error;
  }
  throw new Error('expected an AuditError');
}
