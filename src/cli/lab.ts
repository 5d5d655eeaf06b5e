/** `paoding lab`: the experiments live in src/lab/; the Node command is src/lab/node/cli.ts. */
export async function main(args: string[]): Promise<number> {
  return (await import('../lab/node/cli.js')).main(args);
}
