// The application of the start-up benchmark: it does nothing and exits at once (process.exit,
// so a listening endpoint or an exit flush does not count: only the start-up does).
setImmediate(() => process.exit(0));
