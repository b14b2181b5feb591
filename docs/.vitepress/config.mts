import { defineConfig } from 'vitepress';

// The docs site. Pages come from docs/ and the package READMEs as they are in the repo
// (srcDir is the repo root), so the links between them stay plain relative Markdown links
// that read on GitHub too, and the build's dead-link check (on by default) covers them. Every ts block in them is cut from a tested file
// (scripts/check-snippets.mjs, run by `npm run lint`).
export default defineConfig({
  title: 'Duet',
  description: 'CQRS with event sourcing for TypeScript services',
  srcDir: '..',
  srcExclude: [
    'README.md',
    'bench/**',
    // The shop's source folders hold no pages but the placement saga's README.
    'apps/shop/src/!(orders)/**',
    'apps/shop/src/orders/!(placement)/**',
    'scratch/**',
    '**/.data/**',
    '**/coverage/**',
  ],
  // Pages keep their paths in the repo (/docs/cli, /packages/core/README): VitePress
  // resolves relative links against rewritten paths, and the docs' links are written
  // against the repo's, so only the home page moves.
  rewrites: { 'docs/index.md': 'index.md' },
  // Files of the repo that are not pages (deploy/'s Procfile, unit files, configs): the
  // docs link them for readers of the repo; the site has no copy of them.
  ignoreDeadLinks: [/(^|\/)deploy(\/|$)/],
  cleanUrls: true,
  lastUpdated: false,
  themeConfig: {
    search: { provider: 'local' },
    outline: { level: [2, 3] },
    nav: [
      { text: 'Guide', link: '/docs/getting-started/shop' },
      { text: 'Packages', link: '/packages/core/README' },
      { text: 'Operations', link: '/docs/cli' },
    ],
    sidebar: [
      {
        text: 'Getting started',
        items: [
          { text: 'Run the shop', link: '/docs/getting-started/shop' },
          { text: 'A new service', link: '/docs/getting-started/new-service' },
          { text: 'The guide: one request through Duet', link: '/docs/guide' },
        ],
      },
      {
        text: 'Concepts',
        items: [
          { text: 'Commands and queries', link: '/docs/concepts/command-and-query' },
          { text: 'Events as the source of truth', link: '/docs/concepts/events' },
          { text: 'Eventual consistency, reading your writes', link: '/docs/concepts/consistency' },
          { text: 'Sagas', link: '/docs/concepts/sagas' },
        ],
      },
      {
        text: 'Topics',
        items: [
          { text: 'Projections and read models', link: '/docs/projections' },
          { text: 'Messaging between services', link: '/docs/messaging' },
          { text: 'HTTP', link: '/docs/http' },
          { text: 'NATS', link: '/docs/nats' },
          { text: 'Tenants', link: '/docs/tenants' },
          { text: 'Personal data', link: '/docs/personal-data' },
          { text: 'Testing', link: '/docs/testing' },
        ],
      },
      {
        text: 'Packages',
        items: [
          { text: '@duet/core', link: '/packages/core/README' },
          { text: '@duet/postgres', link: '/packages/postgres/README' },
          { text: '@duet/nats', link: '/packages/nats/README' },
          { text: '@duet/http', link: '/packages/http/README' },
          { text: '@duet/cli', link: '/packages/cli/README' },
          { text: '@duet/console', link: '/packages/console/README' },
          { text: 'The shop (example app)', link: '/apps/shop/README' },
          { text: 'The shop: placement saga', link: '/apps/shop/src/orders/placement/README' },
        ],
      },
      {
        text: 'Operations',
        items: [
          { text: 'CLI', link: '/docs/cli' },
          { text: 'Console', link: '/docs/console' },
          { text: 'Observability', link: '/docs/observability' },
          { text: 'Deploy', link: '/docs/deploy' },
          { text: 'Reliability', link: '/docs/reliability' },
          { text: 'Benchmarks', link: '/docs/benchmarks' },
        ],
      },
      {
        text: 'Coming from',
        items: [
          { text: 'Emmett', link: '/docs/coming-from/emmett' },
          { text: 'Marten', link: '/docs/coming-from/marten' },
          { text: 'NestJS CQRS', link: '/docs/coming-from/nestjs-cqrs' },
        ],
      },
    ],
  },
});
