import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { shopServices } from './open-shop-service.ts';
import { defaultPorts } from './service-settings.ts';
import { shopNatsUsersConfig } from './shop-nats-users.ts';

// docs/deploy.md's recipes are files in deploy/: these checks keep them true to the code
// (services, entry point, ports, roles, probes, the NATS cluster config).
const root = resolve(import.meta.dirname, '..', '..', '..', '..');
const read = (path: string) => readFileSync(resolve(root, path), 'utf8');
const entry = 'apps/shop/src/services/main-service.ts';

describe('deploy/Procfile', () => {
  it('starts every service once, on its default port, with the service entry point', () => {
    const lines = read('deploy/Procfile').trim().split('\n');
    expect(lines.map((line) => line.split(':')[0])).toEqual([...shopServices]);
    for (const line of lines) {
      const name = line.split(':')[0] as (typeof shopServices)[number];
      expect(line).toContain(`SHOP_SERVICE=${name} `);
      expect(line).toContain(`PORT=${defaultPorts[name]} `);
      expect(line.trim().endsWith(`node --conditions=@duet/source --import tsx ${entry}`)).toBe(
        true,
      );
    }
    expect(existsSync(resolve(root, entry))).toBe(true);
  });
});

describe('deploy/systemd/duet-shop@.service', () => {
  it('runs the entry point with the instance name as the service and restarts it', () => {
    const unit = read('deploy/systemd/duet-shop@.service');
    expect(unit).toContain('Environment=SHOP_SERVICE=%i');
    expect(unit).toContain(
      `ExecStart=/usr/bin/node --conditions=@duet/source --import tsx ${entry}`,
    );
    expect(unit).toContain('Restart=always');
    expect(unit).toContain('KillSignal=SIGTERM');
  });
});

interface Container {
  command: string[];
  env: { name: string; value?: string }[];
  ports: { containerPort: number }[];
  livenessProbe: { httpGet: { path: string; port: number } };
  readinessProbe: { httpGet: { path: string; port: number } };
}
interface Manifest {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  spec: {
    replicas?: number;
    template: { spec: { containers: Container[] } };
  };
}

describe('deploy/kubernetes/shop.yaml', () => {
  const manifests = parseAllDocuments(read('deploy/kubernetes/shop.yaml')).map(
    (document) => document.toJS() as Manifest,
  );
  const deployments = manifests.filter((m) => m.kind === 'Deployment');
  const envOf = (container: Container, name: string) =>
    container.env.find((variable) => variable.name === name)?.value;

  it('parses, and runs every service with the entry point, its port and both health probes', () => {
    const services = new Set<string>();
    for (const deployment of deployments) {
      const [container] = deployment.spec.template.spec.containers;
      const service = envOf(container!, 'SHOP_SERVICE') as (typeof shopServices)[number];
      services.add(service);
      const port = defaultPorts[service];
      expect(container!.command).toEqual([
        'node',
        '--conditions=@duet/source',
        '--import',
        'tsx',
        entry,
      ]);
      expect(Number(envOf(container!, 'PORT'))).toBe(port);
      expect(container!.ports).toEqual([{ containerPort: port }]);
      expect(container!.livenessProbe.httpGet).toEqual({ path: '/health/live', port });
      expect(container!.readinessProbe.httpGet).toEqual({ path: '/health/ready', port });
    }
    expect([...services].sort()).toEqual([...shopServices].sort());
  });

  it('splits orders into one command, three query and two processors replicas', () => {
    const orders = deployments
      .filter((d) => envOf(d.spec.template.spec.containers[0]!, 'SHOP_SERVICE') === 'orders')
      .map((d) => [envOf(d.spec.template.spec.containers[0]!, 'SHOP_ROLES'), d.spec.replicas]);
    expect(orders).toEqual([
      ['command', 1],
      ['query', 3],
      ['processors', 2],
    ]);
  });

  it('runs three NATS nodes and tells the services to keep three copies of each stream', () => {
    const nats = manifests.find((m) => m.kind === 'StatefulSet' && m.metadata.name === 'nats');
    expect(nats?.spec.replicas).toBe(3);
    const config = manifests.find((m) => m.kind === 'ConfigMap' && m.metadata.name === 'duet-shop');
    expect(config?.data?.NATS_REPLICAS).toBe('3');
    expect(config?.data?.NATS_URL?.split(',')).toHaveLength(3);
    // The node config it mounts is the one the cluster tests start from.
    const env = nats!.spec.template.spec.containers[0]!.env.map((variable) => variable.name);
    for (const name of read('deploy/nats/cluster-node.conf').match(/\$NATS_[A-Z_0-9]+/g) ?? []) {
      expect(env).toContain(name.slice(1));
    }
  });
});

describe('deploy/nats/shop-users.conf', () => {
  it('is what shopNatsUsersConfig makes for tenant subjects (npm run nats-users --workspace apps/shop)', () => {
    expect(read('deploy/nats/shop-users.conf')).toBe(shopNatsUsersConfig({ tenantSubjects: true }));
  });
});
