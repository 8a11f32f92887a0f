export { type ApiResponse, MrClient, startTestMr, type TestMr } from './test-mr.ts';
