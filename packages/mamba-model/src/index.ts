// loading
export * from './loading/index.js';
