const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is a GUID (any letter case: Entra compares them case-insensitively). */
export function isGuid(value: string | undefined): value is string {
  return value !== undefined && GUID.test(value);
}
