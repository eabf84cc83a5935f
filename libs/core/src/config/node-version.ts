/** Nest 12 loads through Node's require(esm), which needs Node >= 20.19. */
export function assertNodeVersion(version = process.versions.node): void {
  const [major, minor] = version.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    throw new Error(`Node ${version} is too old: this project needs Node >= 20.19 (engines.node in package.json).`);
  }
}
