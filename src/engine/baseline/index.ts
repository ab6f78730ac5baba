/** Baselines: the findings accepted when the gate was adopted (./document.ts), and a run compared with them (./compare.ts). */
export {
  BASELINE_KIND,
  BASELINE_VERSION,
  baselineDocument,
  dayOf,
  daysSince,
  parseBaseline,
  recordBaseline,
} from './document';
export { compareWithBaseline, type AppliedBaseline } from './compare';
