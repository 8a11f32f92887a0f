import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The dev server and `vite preview` forward the admin API to a running MR (the party server by default).
const mrUrl = process.env['FH_MR_URL'] ?? 'http://127.0.0.1:8085';
const proxy = { '/mr-api': { target: mrUrl, changeOrigin: false }, '/info': { target: mrUrl } };

export default defineConfig({
  base: '/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, assetsDir: 'assets', sourcemap: false, target: 'es2022' },
  server: { proxy },
  preview: { proxy },
});
