// PLACEHOLDER: being implemented; replaced by the real rule.
import { defineRule, notEvaluated } from '../src/engine/types';

export default defineRule({
  id: 'backend-scope-exposed',
  meta: { title: 'backend-scope-exposed', severity: 'error', tags: [], requires: [] },
  *check() {
    yield notEvaluated('not implemented yet');
  },
});
