/**
 * The rehearsal environment: a virtual clock, scenarios, and a simulated world that implements
 * the driver's ports, so `bluegreen rehearse` and the driver's tests run the real driver offline.
 */
export { VirtualClock } from "./virtualClock";
export {
  ALARM_STATES,
  EVALUATION_STATES,
  FAULT_KINDS,
  OPERATOR_REQUESTS,
  SIGNALS,
  ScenarioError,
  parseScenario,
} from "./scenario";
export type {
  AlarmScenarioEvent,
  FaultKind,
  FaultScenarioEvent,
  OperatorScenarioEvent,
  Scenario,
  ScenarioEvent,
  ScenarioProblem,
  SignalScenarioEvent,
} from "./scenario";
export { SimulatedWorld } from "./simulatedWorld";
export type {
  FaultSwitches,
  InjectedEvent,
  RecordedUpdate,
  RecordedValueWrite,
  RecordedWrite,
  SimulatedWorldOptions,
} from "./simulatedWorld";
export {
  PROJECT_NAME,
  SIMULATED_ACCOUNT,
  SIMULATED_REGION,
  changedResources,
  enabledAlarmKeys,
  memberAlarmName,
  simulateProgram,
  simulatedAlarmNames,
} from "./simulatedProgram";
export type { SimulatedAlarmNames, SimulatedDeployment, SimulatedResource } from "./simulatedProgram";
export { MemoryControlChannel } from "./memoryControlChannel";
export { abortError, awsServiceError, commandError, throwIfAborted } from "./simulatedErrors";
export type { SimulatedServiceError } from "./simulatedErrors";
