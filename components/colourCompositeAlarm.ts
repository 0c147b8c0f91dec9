/**
 * One colour's deployment alarm when the platform publishes no per-colour metrics of its own
 * (Kubernetes behind a Gateway): a composite over CloudWatch alarms the team owns and names in
 * `bluegreen:alarms.colourAlarms`, which the rollout driver watches as one.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  Colour,
  MAX_RULE_ALARMS,
  MAX_RULE_LENGTH,
  anyAlarmRule,
  isColour,
  ruleAlarmNameProblem,
} from "./domain";
/** Arguments of {@link ColourCompositeAlarm}. */
export interface ColourCompositeAlarmArgs {
  /** The colour the composite judges. */
  readonly colour: Colour;
  /** Existing CloudWatch alarms that judge this colour; the composite is in ALARM when any of them is. */
  readonly alarmNames: readonly string[];
  /**
   * SNS topic ARNs notified when the composite enters ALARM and when it returns to OK.
   * @default [] (no notifications; the rollout driver polls the alarm state)
   */
  readonly alarmActions?: pulumi.Input<string>[];
  /**
   * The composite alarm's name. CloudWatch generates no names for composite alarms, so it must be
   * unique in the account and region: include the stack when two stacks share an account.
   * @default the component name
   */
  readonly compositeAlarmName?: string;
  /**
   * Tags of the composite; it also carries the colour.
   * @default {}
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/** A composite alarm over alarms the team owns, in ALARM whenever any of them is. */
export class ColourCompositeAlarm extends pulumi.ComponentResource {
  /** The composite alarm the driver watches for this colour. */
  public readonly compositeAlarmName: pulumi.Output<string>;
  /** The alarms behind the composite: the given names. */
  public readonly memberAlarmNames: pulumi.Output<string[]>;

  constructor(name: string, args: ColourCompositeAlarmArgs, opts?: pulumi.ComponentResourceOptions) {
    super("bluegreen:aws:ColourCompositeAlarm", name, {}, opts);
    const compositeName = args.compositeAlarmName ?? name;
    this.validate(name, compositeName, args);

    const { colour } = args;
    const actions = args.alarmActions ?? [];
    const composite = new aws.cloudwatch.CompositeAlarm(
      `${name}-composite`,
      {
        alarmName: compositeName,
        alarmDescription: `Any of the team's alarms for the ${colour} colour is in ALARM: judges the ${colour} colour as one; a rollout reverts when it fires.`,
        alarmRule: anyAlarmRule(args.alarmNames),
        actionsEnabled: actions.length > 0,
        alarmActions: actions,
        okActions: actions,
        tags: { ...(args.tags ?? {}), "bluegreen:colour": colour },
      },
      { parent: this },
    );
    this.compositeAlarmName = composite.alarmName;
    this.memberAlarmNames = pulumi.output([...args.alarmNames]);

    this.registerOutputs({
      compositeAlarmName: this.compositeAlarmName,
      memberAlarmNames: this.memberAlarmNames,
    });
  }

  private validate(name: string, compositeName: string, args: ColourCompositeAlarmArgs): void {
    const fail = (message: string): never => {
      throw new pulumi.ResourceError(`ColourCompositeAlarm ${name}: ${message}`, this);
    };
    if (!isColour(args.colour)) {
      fail(`colour is ${JSON.stringify(args.colour)}; expected "blue" or "green"`);
    }
    const names = args.alarmNames;
    if (names.length === 0) {
      fail(
        `alarmNames is empty; name at least one CloudWatch alarm that judges the ${args.colour} colour (bluegreen:alarms.colourAlarms.${args.colour}), or the colour would always look healthy`,
      );
    }
    if (names.length > MAX_RULE_ALARMS) {
      fail(
        `alarmNames has ${names.length} alarms; a composite alarm rule references at most ${MAX_RULE_ALARMS}`,
      );
    }
    const seen = new Set<string>();
    for (const alarm of names) {
      const problem = ruleAlarmNameProblem(alarm);
      if (problem !== undefined) fail(`alarmNames holds ${JSON.stringify(alarm)}; an alarm name ${problem}`);
      if (alarm === compositeName) {
        fail(
          `alarmNames holds ${JSON.stringify(alarm)}, the composite's own name; a composite cannot watch itself`,
        );
      }
      if (seen.has(alarm)) fail(`alarmNames lists ${JSON.stringify(alarm)} twice; list each alarm once`);
      seen.add(alarm);
    }
    const compositeProblem = ruleAlarmNameProblem(compositeName);
    if (compositeProblem !== undefined) {
      fail(`the composite alarm name ${JSON.stringify(compositeName)} ${compositeProblem}`);
    }
    const rule = anyAlarmRule(names);
    if (rule.length > MAX_RULE_LENGTH) {
      fail(
        `the alarm rule over ${names.length} alarms has ${rule.length} characters; CloudWatch allows ${MAX_RULE_LENGTH}: split them across fewer, broader alarms`,
      );
    }
  }
}
