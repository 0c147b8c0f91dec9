import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import {
  GATEWAY_RBAC_EXAMPLE,
  checkGatewayAccess,
  gatewayRevertPermissions,
} from "../../../../automation/adapters/kubernetes/gatewayAccess";
import type { AccessRequest } from "../../../../automation/adapters/kubernetes/kubernetesApi";
import type { GatewayRouting } from "../../../../components/domain";

const ROUTING: GatewayRouting = {
  kind: "gateway",
  namespace: "catalog-dev",
  routeName: "catalog",
  serviceNames: { blue: "catalog-blue", green: "catalog-green" },
};

interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  resourceNames?: string[];
  verbs: string[];
}

function grants(rules: PolicyRule[], request: AccessRequest): boolean {
  const resource = request.subresource ? `${request.resource}/${request.subresource}` : request.resource;
  return rules.some(
    (rule) =>
      rule.apiGroups.includes(request.group) &&
      rule.resources.includes(resource) &&
      rule.verbs.includes(request.verb) &&
      (rule.resourceNames === undefined ||
        (request.name !== undefined && rule.resourceNames.includes(request.name))),
  );
}

describe("gateway access", () => {
  it("the example Role grants every permission the driver checks for, and nothing on other objects", () => {
    const text = fs.readFileSync(path.join(__dirname, "..", "..", "..", "..", GATEWAY_RBAC_EXAMPLE), "utf8");
    const documents = parseAllDocuments(text).map((document) => document.toJS() as Record<string, unknown>);
    const role = documents.find((document) => document.kind === "Role") as {
      metadata: { namespace: string };
      rules: PolicyRule[];
    };
    const binding = documents.find((document) => document.kind === "RoleBinding") as {
      roleRef: { name: string };
      metadata: { namespace: string };
    };
    assert.equal(role.metadata.namespace, ROUTING.namespace);
    assert.equal(binding.metadata.namespace, ROUTING.namespace);
    assert.equal(binding.roleRef.name, "bluegreen-revert");
    for (const request of gatewayRevertPermissions(ROUTING)) {
      assert.ok(grants(role.rules, request), `the Role grants ${JSON.stringify(request)}`);
    }
    assert.equal(
      grants(role.rules, {
        verb: "delete",
        group: "gateway.networking.k8s.io",
        resource: "httproutes",
        name: "catalog",
      }),
      false,
    );
    assert.equal(
      grants(role.rules, { verb: "update", group: "apps", resource: "deployments", name: "catalog-green" }),
      false,
    );
    assert.equal(
      grants(role.rules, { verb: "get", group: "", resource: "services/proxy", name: "other" }),
      false,
    );
  });

  it("lists every missing permission in one message", async () => {
    const denied = new Set(["update httproutes", "get services"]);
    const result = await checkGatewayAccess(
      { allowed: async (_namespace, request) => !denied.has(`${request.verb} ${request.resource}`) },
      ROUTING,
    );
    assert.equal(result.ok, false);
    assert.match(
      result.detail,
      /may not update httproutes catalog, get services\/proxy catalog-blue, get services\/proxy catalog-green in namespace catalog-dev/,
    );
  });

  it("asks in the route's namespace", async () => {
    const namespaces = new Set<string>();
    const result = await checkGatewayAccess(
      {
        allowed: async (namespace) => {
          namespaces.add(namespace);
          return true;
        },
      },
      ROUTING,
    );
    assert.equal(result.ok, true);
    assert.deepEqual([...namespaces], ["catalog-dev"]);
  });
});
