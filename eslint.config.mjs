import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/**", "dist/**", "bin/**", ".bluegreen/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-console": "off",
    },
  },
  {
    files: ["components/**/*.ts", "infra/**/*.ts", "automation/core/**/*.ts"],
    rules: {
      "no-restricted-globals": [
        "error",
        { name: "process", message: "Only the CLI entry point touches process." },
      ],
    },
  },
);
