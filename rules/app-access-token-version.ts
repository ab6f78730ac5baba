// PLACEHOLDER: being implemented; replaced by the real rule.
import { defineRule, notEvaluated } from '../src/engine/types';

export default defineRule({
  id: 'app-access-token-version',
  meta: { title: 'app-access-token-version', severity: 'error', tags: [], requires: [] },
  *check() {
    yield notEvaluated('not implemented yet');
  },
});
