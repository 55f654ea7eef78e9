/**
 * The package as an application installs it: compiled with its build config (contracts built in) and loaded by
 * plain Node.js, not through Jest's module sandbox, so jose (ES modules only) loads the way it does in production.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { keyRingFixture } from '../../contracts/fixtures';

// Inside the repository so that Node resolves the installed dependencies, as in an application's node_modules.
const outDir = mkdtempSync(join(__dirname, '..', '.build-test-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

it('builds with contracts inside and signs and verifies a JWT in plain Node.js', () => {
  const tsc = join(__dirname, '..', '..', 'node_modules', '.bin', 'tsc');
  execFileSync(tsc, ['-p', join(__dirname, '..', 'tsconfig.build.json'), '--outDir', outDir], { stdio: 'pipe' });
  const script = `
    const { JwtKeyRing, SecretValue } = require(${JSON.stringify(join(outDir, 'client', 'src', 'index.js'))});
    const ring = JSON.parse(process.argv[1]);
    const jwt = new JwtKeyRing(async () => new SecretValue(ring, { secretId: 'gaara-store/dev/jwt-secret' }));
    (async () => {
      const token = await jwt.sign({ sub: 'user-1' });
      const { payload, kid } = await jwt.verify(token);
      console.log(JSON.stringify({ sub: payload.sub, kid, redacted: String(new SecretValue(ring, { secretId: 'x' })) }));
    })().catch((e) => { console.error(e.message); process.exit(1); });`;
  const out = execFileSync(process.execPath, ['-e', script, JSON.stringify(keyRingFixture)], { encoding: 'utf8' });
  expect(JSON.parse(out)).toEqual({ sub: 'user-1', kid: keyRingFixture.current.kid, redacted: '[REDACTED]' });
});
