#!/usr/bin/env node
// Entry point of `mamba-bench` / `pnpm bench`: runs main() and exits with its code (explicitly,
// since a live Dawn instance can keep the event loop running).
import { main } from './main.js';

const code = await main(process.argv.slice(2));
process.exit(code);
