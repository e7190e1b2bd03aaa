// loading
export * from './loading/node.js';
