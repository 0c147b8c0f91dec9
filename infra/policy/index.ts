/**
 * The `bluegreen-sop` policy pack: the deployment SOP enforced on the resources themselves.
 *
 *     pulumi preview --policy-pack infra/policy
 *
 * The policies and their levels are in ./policies.ts, the rules in ./rules; README "Policy pack".
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("bluegreen-sop", {
  description:
    "The bluegreen deployment SOP: alarms that judge each colour, valid weighted routing, TLS, a closed test listener, no $LATEST, protected control state, ready Kubernetes colours.",
  policies,
});
