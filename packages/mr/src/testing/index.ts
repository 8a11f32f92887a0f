export { type ApiResponse, MrClient, startTestMr, type TestMr } from './mr-harness.ts';
