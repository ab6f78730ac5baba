/**
 * Preloaded into a benchmarked child (`node -r dist/bench/support/peak-rss.js ...`): on exit, writes the process's
 * peak resident set size to stderr as `peak-rss-bytes=<n>`, for the harness to read (GNU time is not everywhere).
 * Worker threads inherit the preload: only the main thread reports, when the process exits (a worker that ends
 * early would report the peak so far).
 */
import { isMainThread } from 'node:worker_threads';

if (isMainThread) {
  process.on('exit', () => {
    // maxRSS is in kilobytes.
    process.stderr.write(`\npeak-rss-bytes=${process.resourceUsage().maxRSS * 1024}\n`);
  });
}
