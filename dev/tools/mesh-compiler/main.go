// Command mesh-compiler turns the committed Istio security resources (mesh/) into the Envoy
// configuration the sidecar of each workload would get from istiod, so that a local Envoy in
// front of each service enforces the same policy the cluster does. It translates nothing by
// hand: it builds istiod's PushContext from the files and calls the code istiod's listener
// builder calls for a sidecar's inbound side:
//
//   - AuthorizationPolicy: pilot/pkg/networking/plugin/authz (over pilot/pkg/security/authz/builder)
//     gives envoy.filters.http.rbac (and ext_authz for CUSTOM), and envoy.filters.network.rbac
//     for TCP filter chains;
//   - RequestAuthentication: pilot/pkg/networking/plugin/authn (over pilot/pkg/security/authn's
//     PolicyApplier) gives envoy.filters.http.jwt_authn, with the JWT payload in dynamic
//     metadata (jwt_authn, key "payload") where the RBAC filter's request-principal and claim
//     matchers read it;
//   - PeerAuthentication: the same PolicyApplier gives the inbound mTLS mode (STRICT,
//     PERMISSIVE, DISABLE) of the workload and of each port, and Istio's DownstreamTlsContext.
//
// Every filter is standard Envoy (no Istio-only extension), so the upstream Envoy loads it.
//
// Usage:
//
//	mesh-compiler compile --mesh mesh --manifests k8s/base --manifests k8s/components/tyk-gateway \
//	    [--workload user-service,...] [--namespace platform] \
//	    [--issuer https://auth.platform.example.test/realms/platform=http://localhost:18080/realms/platform] \
//	    [--jwks-uri http://127.0.0.1:18080/realms/platform/protocol/openid-connect/certs] \
//	    [--jwks-fetch envoy|istiod|hybrid] [--jwks-cluster keycloak-jwks] \
//	    [--port-map user-service:3000=3002,user-service:9090=9102] [--cert-dir DIR/{sa}]
//
// prints a JSON array, one object per workload: workload, namespace, serviceAccount, principal,
// labels, inboundTlsMode, portTlsModes, httpFilters (HttpFilter protojson, in order, to go
// before the router), networkFilters, jwksClusters (clusters remote_jwks needs) and, with
// --cert-dir, downstreamTlsContext. --issuer, --jwks-uri and --port-map rewrite input values
// (the cluster's issuer, JWKS address and container ports) to the local ones before Istio
// compiles them. The JWKS fetch mode defaults to the IstioOperator's PILOT_JWT_ENABLE_REMOTE_JWKS.
//
//	mesh-compiler issue --ca-dir DIR --out DIR --sa NAME [--namespace platform] [--ttl 12h]
//
// acts as Istio's CA does for a workload, with Istio's security/pkg/pki/util: creates a
// self-signed root in --ca-dir the first time (GenCertKeyFromOptions, IsCA; later calls reuse
// it), then, as istio-agent and istiod do, makes a key and CSR (GenCSR) and signs it
// (GenCertFromCSR): a short-lived certificate with an empty subject and the URI SAN
// spiffe://<trust domain>/ns/<namespace>/sa/<NAME> only. Writes cert-chain.pem, key.pem and
// root-cert.pem to --out.
//
// Locally, an RBAC destination_port matches the port Envoy listens on, and the issuer is the
// local Keycloak's: hence --port-map and --issuer.
//
// Bad input exits 2 with one line on stderr.
package main

import (
	"fmt"
	"os"

	"platform.local/tools/internal/istiocommand"
)

func main() {
	if len(os.Args) < 2 {
		istiocommand.Fail(fmt.Errorf("usage: mesh-compiler compile|issue [flags] (-h for the flags)"))
	}
	switch os.Args[1] {
	case "compile":
		runCompile(os.Args[2:])
	case "issue":
		runIssue(os.Args[2:])
	default:
		istiocommand.Fail(fmt.Errorf("unknown command %q: want compile or issue", os.Args[1]))
	}
}
