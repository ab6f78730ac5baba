/**
 * The runtime errors `apim-oauth-audit explain <code>` knows: typed data bundled with the package (never read from
 * a file at run time), the rules that prevent each one, and the lookup from a code or a pasted message.
 */
export { entryName, type PreventableError, type RuntimeError, type UnpreventableError } from './types';
export {
  MAX_EXPLAIN_INPUT,
  RUNTIME_ERRORS,
  knownCodes,
  lookupError,
  nearestCodes,
  type Lookup,
} from './lookup';
