// Loaded into every suite by jest (setupFilesAfterEnv): folders made with makeTempDir go when the suite ends.
import { removeTempDirs } from './temp';

afterAll(removeTempDirs);
