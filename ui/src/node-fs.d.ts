// The one Node API a unit test uses (a11y.test.ts reads the stylesheet); vitest runs on Node.
declare module "node:fs" {
  export function readFileSync(path: string, encoding: "utf8"): string;
}
