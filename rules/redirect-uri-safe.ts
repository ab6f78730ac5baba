// PLACEHOLDER: being implemented; replaced by the real rule.
import { defineRule, notEvaluated } from '../src/engine/types';

export default defineRule({
  id: 'redirect-uri-safe',
  meta: { title: 'redirect-uri-safe', severity: 'error', tags: [], requires: [] },
  *check() {
    yield notEvaluated('not implemented yet');
  },
});
