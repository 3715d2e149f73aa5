import { runCli } from './cli/run-cli';

// The helper's entry point: everything is a CLI command, `serve` included.
process.exitCode = await runCli(process.argv.slice(2));
