/**
 * Preloaded into a benchmarked child (`node -r dist/bench/support/peak-rss.js ...`): on exit, writes the process's
 * peak resident set size to stderr as `peak-rss-bytes=<n>`, for the harness to read (GNU time is not everywhere).
 */
process.on('exit', () => {
  // maxRSS is in kilobytes.
  process.stderr.write(`\npeak-rss-bytes=${process.resourceUsage().maxRSS * 1024}\n`);
});
