// Types of the lint toolchain's entry, for the unit test that lints fixtures (test/unit/lint-rules.test.ts).
export const ESLint: new (options: { cwd?: string }) => {
  lintText(
    code: string,
    options: { filePath: string },
  ): Promise<{ messages: { ruleId: string | null; message: string; fatal?: boolean }[] }[]>;
};
export const tseslint: unknown;
export const dreamPlugin: unknown;
