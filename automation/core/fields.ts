/**
 * Reading records that come back from storage someone else may have written (another version of
 * the driver, a person with the console): every field is checked for its form, and a field that
 * is missing or wrong is reported by its path, never defaulted. Pure: the caller adds where the
 * record came from (a table, an item key) to the error it shows.
 */

/** A field of a stored record that is missing or has the wrong form. */
export class InvalidFieldError extends Error {
  /**
   * @param field the field's path in the record: `run.weights.blue`
   * @param problem what is wrong with it: `must be a whole number from 0 to 100, got "10%"`
   */
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field} ${problem}`);
    this.name = "InvalidFieldError";
  }
}

/** Bounds of a number field. */
export interface NumberRule {
  /** Only whole numbers. @default false */
  readonly integer?: boolean;
  readonly min?: number;
  readonly max?: number;
}

/** Reads the typed fields of one map of a stored record, naming each by its path. */
export class FieldReader {
  private constructor(
    private readonly fields: Readonly<Record<string, unknown>>,
    private readonly path: string,
  ) {}

  /**
   * A reader of `value`, which must be a map. `path` names it in errors; the empty path is the
   * record itself, whose fields are then named without a prefix.
   */
  static of(value: unknown, path: string): FieldReader {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new InvalidFieldError(path === "" ? "the record" : path, `must be a map, got ${describe(value)}`);
    }
    return new FieldReader(value as Readonly<Record<string, unknown>>, path);
  }

  /** Whether the field is present (DynamoDB has no null in our records: absent means unset). */
  has(name: string): boolean {
    return this.fields[name] !== undefined && this.fields[name] !== null;
  }

  /** A non-empty string. */
  string(name: string): string {
    const value = this.required(name);
    if (typeof value !== "string" || value === "") {
      throw this.invalid(name, `must be a non-empty string, got ${describe(value)}`);
    }
    return value;
  }

  /** A non-empty string, or undefined when absent. */
  optionalString(name: string): string | undefined {
    return this.has(name) ? this.string(name) : undefined;
  }

  /** A finite number within `rule`. */
  number(name: string, rule: NumberRule = {}): number {
    const value = this.required(name);
    const ok =
      typeof value === "number" &&
      Number.isFinite(value) &&
      (!rule.integer || Number.isInteger(value)) &&
      (rule.min === undefined || value >= rule.min) &&
      (rule.max === undefined || value <= rule.max);
    if (!ok) throw this.invalid(name, `must be ${describeRule(rule)}, got ${describe(value)}`);
    return value as number;
  }

  /** A number within `rule`, or undefined when absent. */
  optionalNumber(name: string, rule: NumberRule = {}): number | undefined {
    return this.has(name) ? this.number(name, rule) : undefined;
  }

  /** A boolean. */
  boolean(name: string): boolean {
    const value = this.required(name);
    if (typeof value !== "boolean") throw this.invalid(name, `must be true or false, got ${describe(value)}`);
    return value;
  }

  /** One of `values`. */
  oneOf<T extends string>(name: string, values: readonly T[]): T {
    const value = this.required(name);
    const found = values.find((candidate) => candidate === value);
    if (found === undefined) {
      throw this.invalid(name, `must be one of ${values.join(", ")}, got ${describe(value)}`);
    }
    return found;
  }

  /** The names of the fields present. */
  keys(): string[] {
    return Object.keys(this.fields).filter((name) => this.has(name));
  }

  /** A nested map. */
  map(name: string): FieldReader {
    return FieldReader.of(this.required(name), this.pathOf(name));
  }

  /** A nested map, or undefined when absent. */
  optionalMap(name: string): FieldReader | undefined {
    return this.has(name) ? this.map(name) : undefined;
  }

  /** An error about field `name` of this map, for rules that span fields. */
  invalid(name: string, problem: string): InvalidFieldError {
    return new InvalidFieldError(this.pathOf(name), problem);
  }

  private required(name: string): unknown {
    if (!this.has(name)) throw this.invalid(name, "is missing");
    return this.fields[name];
  }

  private pathOf(name: string): string {
    return this.path === "" ? name : `${this.path}.${name}`;
  }
}

function describeRule(rule: NumberRule): string {
  const kind = rule.integer ? "a whole number" : "a number";
  if (rule.min !== undefined && rule.max !== undefined) return `${kind} from ${rule.min} to ${rule.max}`;
  if (rule.min !== undefined) return `${kind} of at least ${rule.min}`;
  if (rule.max !== undefined) return `${kind} of at most ${rule.max}`;
  return kind;
}

/** A value for a message: JSON where it has one, shortened, so a huge blob never floods the error. */
function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
