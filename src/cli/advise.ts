/** `paoding advise`: the rules of thumb, checked against the latest lab runs (src/lab/node/advise.ts). */
export async function main(args: string[]): Promise<number> {
  return (await import('../lab/node/advise.js')).main(args);
}
