// Child process of node-hub-lock.test.ts: resolves a hub checkpoint with the built package
// (dist/node.js, as a second user of the cache would) and prints the folder.
// Usage: node hub-child.mjs <hub-id> <options as JSON>

import { resolveCheckpoint } from '../../dist/node.js';

const [id, options] = process.argv.slice(2);
process.stdout.write(await resolveCheckpoint(id, JSON.parse(options)));
