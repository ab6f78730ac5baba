/**
 * The shape of the runtime-error catalogue that `apim-oauth-audit explain <code>` prints: what an error users meet
 * in the developer-portal test console or the gateway means, the configuration behind it, and the built-in rules
 * that catch that configuration before it ships. The catalogue owns the code -> rules mapping; each rule's doc names
 * the same codes under "Errors it prevents" (test/explain/catalogue.test.ts holds both directions together).
 */
import type { BuiltinRuleId } from '../../rules';

interface EntryBase {
  /**
   * The codes and names the error is known by, the one shown first (`AADSTS901002`, then its older `AADSTS90100`;
   * `IDX10205`, then the APIM reason `TokenIssuerNotAllowed`). Empty for an error known only by its message.
   */
  codes: readonly string[];
  /**
   * Texts that identify the error in a pasted message that holds no code (matched case-insensitively, white space
   * folded). An entry without codes has at least one; its first is its name.
   */
  messages: readonly string[];
  /** One line: what the error means (`explain --list`). */
  title: string;
  /** Where users see it: the sign-in popup, the token redemption, the gateway trace... */
  where: string;
  /** The configuration that causes it, in the product's terms (app registration, authorization server, policy). */
  causes: readonly string[];
  /**
   * A gateway error `apim-oauth-audit token` diagnoses for a given token (README "Debug a 401"): the explanation
   * points at it.
   */
  token?: true;
}

/** An error a configuration audit can prevent: the rules that check its causes. */
export interface PreventableError extends EntryBase {
  rules: readonly [BuiltinRuleId, ...BuiltinRuleId[]];
  /** A cause no rule checks (a secret's value, a tenant policy), and how to check it by hand. */
  manual?: string;
}

/** An error no rule can prevent (it arises at run time, or from data no source carries): said so, honestly. */
export interface UnpreventableError extends EntryBase {
  rules: readonly [];
  /** Why no rule can catch it. */
  noRule: string;
  /** What to check by hand instead. */
  manual: string;
}

export type RuntimeError = PreventableError | UnpreventableError;

/** The name an entry is shown and listed by: its first code, else its first message in quotes. */
export function entryName(entry: RuntimeError): string {
  const code = entry.codes[0];
  return code !== undefined ? code : `"${entry.messages[0] ?? ''}"`;
}
