/** Where a renderer writes: stdout in the CLI, a string buffer in tests. */
export interface TextWriter {
  write(text: string): void;
}
