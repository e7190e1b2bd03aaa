// loading
export * from './loading/node.js';
// training
export * from './training/node.js';
// model
export { type LoadModelNodeOptions, loadModel } from './model/load-node.js';
// serving over HTTP
export { createServer, type RunningServer, type ServerOptions } from './serving/node-server.js';
