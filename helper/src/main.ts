import { runCli } from './cli/run-cli';

// The helper's entry point: everything is a CLI command, `serve` included. No top-level await:
// the bundle is CommonJS (see build.mjs).
void runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
