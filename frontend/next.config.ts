import type { NextConfig } from 'next';

// /api/* and /docs are forwarded to the backend by src/proxy.ts, which reads API_URL when each
// request arrives, so one build can be pointed at any backend.
const nextConfig: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
