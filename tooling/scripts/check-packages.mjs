// `pnpm check:packages`: packs every published package with `pnpm pack` (what `pnpm publish`
// uploads: workspace deps rewritten to versions) and runs publint (--strict) and
// @arethetypeswrong/cli (profile esm-only: the packages are ESM-only) on each tarball; also checks
// that each package's LICENSE is the root one. Exits 1 when any check fails. Run `pnpm build` first.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const PACKAGES = ['tensor', 'scan-kernels', 'mamba-model', 'tokenizer'];
const bin = (name) => join(repo, 'node_modules/.bin', name);
const license = readFileSync(join(repo, 'LICENSE'), 'utf8');

const out = mkdtempSync(join(tmpdir(), 'mamba-webgpu-check-packages-'));
const failed = [];
try {
  for (const name of PACKAGES) {
    const dir = join(repo, 'packages', name);
    console.log(`\n=== check:packages: @mamba-webgpu/${name}`);
    if (!existsSync(join(dir, 'dist'))) {
      failed.push(`${name}: dist/ is missing (run pnpm build)`);
      continue;
    }
    if (readFileSync(join(dir, 'LICENSE'), 'utf8') !== license)
      failed.push(`${name}: LICENSE differs from the root one`);
    const dest = join(out, name);
    execFileSync('pnpm', ['pack', '--pack-destination', dest], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const tarball = join(
      dest,
      readdirSync(dest).find((f) => f.endsWith('.tgz')),
    );
    for (const [tool, args] of [
      ['publint', ['--strict', tarball]],
      ['attw', ['--profile', 'esm-only', '--format', 'table-flipped', tarball]],
    ]) {
      const result = spawnSync(bin(tool), args, { stdio: 'inherit' });
      if (result.status !== 0) failed.push(`${name}: ${tool} failed (exit ${result.status})`);
    }
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
if (failed.length > 0) {
  console.error(`\ncheck:packages: ${failed.length} failure(s):\n  ${failed.join('\n  ')}`);
  process.exit(1);
}
console.log(`\ncheck:packages: ${PACKAGES.length} packages pass publint and attw (esm-only)`);
