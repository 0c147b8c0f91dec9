/**
 * The renderer for a terminal: a live line rewritten in place (`\r` and erase-line) with the step,
 * the weight and the bake countdown, and permanent lines for everything worth scrolling back to.
 */
import type { EventSink, RolloutEvent } from "../events";
import { type FormattedLine, type Tone, formatBaking, formatElapsed, formatEvent } from "./format";
import type { TextWriter } from "./writer";
import type { Colour } from "../../components/domain";

/** Options of the terminal renderer. */
export interface TerminalSinkOptions {
  /** ANSI colours; off when NO_COLOR is set. @default true */
  readonly colour?: boolean;
}

const ERASE_LINE = "\r\x1b[2K";
const TONES: Record<Tone, string | undefined> = {
  info: undefined,
  good: "\x1b[32m",
  bad: "\x1b[31m",
  warn: "\x1b[33m",
};
const RESET = "\x1b[0m";
const DIM = "\x1b[2m";

/** Renders events for a person watching a TTY. */
export class TerminalSink implements EventSink {
  private candidate?: Colour;
  private live?: string;
  private readonly colour: boolean;

  constructor(
    private readonly out: TextWriter,
    options: TerminalSinkOptions = {},
  ) {
    this.colour = options.colour ?? true;
  }

  /** Rewrites the live line for bake progress; prints a permanent line for everything else. */
  emit(event: RolloutEvent): void {
    if (event.type === "started") this.candidate = event.candidate;
    if (event.type === "baking") {
      this.live = `${formatElapsed(event.elapsedSeconds)} ${formatBaking(event)}`;
      this.out.write(`${ERASE_LINE}${this.paint(this.live, "info", true)}`);
      return;
    }
    const line = formatEvent(event, { candidate: this.candidate });
    // A shift starts a new bake, a pause has no bake left, and the end of a run has nothing left to count down.
    if (
      event.type === "shifted" ||
      event.type === "paused" ||
      event.type === "reverted" ||
      event.type === "completed"
    ) {
      this.live = undefined;
    }
    this.out.write(`${ERASE_LINE}${this.permanent(event.elapsedSeconds, line)}\n`);
    if (this.live !== undefined) this.out.write(this.paint(this.live, "info", true));
  }

  private permanent(elapsedSeconds: number, line: FormattedLine): string {
    return `${formatElapsed(elapsedSeconds)} ${this.paint(line.text, line.tone, false)}`;
  }

  private paint(text: string, tone: Tone, dim: boolean): string {
    if (!this.colour) return text;
    const code = dim ? DIM : TONES[tone];
    return code === undefined ? text : `${code}${text}${RESET}`;
  }
}
