// loading
export * from './loading/node.js';
// model
export { type LoadModelNodeOptions, loadModel } from './model/load-node.js';
