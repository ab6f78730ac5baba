// PLACEHOLDER: being implemented; replaced by the real rule.
import { defineRule, notEvaluated } from '../src/engine/types';

export default defineRule({
  id: 'auth-server-v2-endpoints',
  meta: { title: 'auth-server-v2-endpoints', severity: 'error', tags: [], requires: [] },
  *check() {
    yield notEvaluated('not implemented yet');
  },
});
