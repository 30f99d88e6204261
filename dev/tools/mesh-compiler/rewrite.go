package main

import (
	"fmt"
	"strconv"
	"strings"

	"istio.io/api/security/v1beta1"
	"istio.io/istio/pkg/config"
)

// The rewrites below change input values only (names the cluster uses that differ locally),
// before Istio compiles them: the semantics stay Istio's.

// issuerRewrite replaces a JWT issuer (the cluster's public Keycloak URL) by another (the local
// Keycloak's), in RequestAuthentication and wherever AuthorizationPolicy names the issuer.
type issuerRewrite struct{ from, to string }

// portRewrite replaces a workload port (the container port policies name) by the port the
// local Envoy listens on, for one workload or (workload "") all.
type portRewrite struct {
	workload string
	from, to uint32
}

func parseIssuerRewrite(s string) (issuerRewrite, error) {
	from, to, ok := strings.Cut(s, "=")
	if !ok || from == "" || to == "" {
		return issuerRewrite{}, fmt.Errorf("--issuer %q: want FROM=TO", s)
	}
	return issuerRewrite{from: strings.TrimSuffix(from, "/"), to: strings.TrimSuffix(to, "/")}, nil
}

func parsePortRewrites(s string) ([]portRewrite, error) {
	var out []portRewrite
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		var r portRewrite
		spec := item
		if w, rest, ok := strings.Cut(item, ":"); ok {
			r.workload, spec = w, rest
		}
		from, to, ok := strings.Cut(spec, "=")
		f, err1 := strconv.ParseUint(from, 10, 16)
		t, err2 := strconv.ParseUint(to, 10, 16)
		if !ok || err1 != nil || err2 != nil || f == 0 || t == 0 {
			return nil, fmt.Errorf("--port-map %q: want [WORKLOAD:]FROM=TO with ports 1-65535", item)
		}
		r.from, r.to = uint32(f), uint32(t)
		out = append(out, r)
	}
	return out, nil
}

func (r issuerRewrite) principal(v string) string {
	if v == r.from {
		return r.to
	}
	if strings.HasPrefix(v, r.from+"/") {
		return r.to + v[len(r.from):]
	}
	return v
}

func mapStrings(values []string, f func(string) string) {
	for i, v := range values {
		values[i] = f(v)
	}
}

// rewriteConfigs returns deep copies of configs with the rewrites applied for workload w.
func rewriteConfigs(configs []config.Config, issuers []issuerRewrite, jwksURI string, ports map[uint32]uint32) []config.Config {
	out := make([]config.Config, 0, len(configs))
	port := func(v string) string {
		if p, err := strconv.ParseUint(v, 10, 32); err == nil {
			if to, ok := ports[uint32(p)]; ok {
				return strconv.FormatUint(uint64(to), 10)
			}
		}
		return v
	}
	for _, orig := range configs {
		c := orig.DeepCopy()
		switch spec := c.Spec.(type) {
		case *v1beta1.RequestAuthentication:
			for _, rule := range spec.JwtRules {
				for _, r := range issuers {
					if strings.TrimSuffix(rule.Issuer, "/") == r.from {
						rule.Issuer = r.to
					}
				}
				if jwksURI != "" {
					rule.JwksUri = jwksURI
					rule.Jwks = ""
				}
			}
		case *v1beta1.AuthorizationPolicy:
			for _, rule := range spec.Rules {
				for _, from := range rule.GetFrom() {
					if s := from.GetSource(); s != nil {
						for _, r := range issuers {
							mapStrings(s.RequestPrincipals, r.principal)
							mapStrings(s.NotRequestPrincipals, r.principal)
						}
					}
				}
				for _, to := range rule.GetTo() {
					if op := to.GetOperation(); op != nil {
						mapStrings(op.Ports, port)
						mapStrings(op.NotPorts, port)
					}
				}
				for _, cond := range rule.GetWhen() {
					switch cond.Key {
					case "request.auth.principal":
						for _, r := range issuers {
							mapStrings(cond.Values, r.principal)
							mapStrings(cond.NotValues, r.principal)
						}
					case "request.auth.claims[iss]":
						for _, r := range issuers {
							exact := func(v string) string {
								if strings.TrimSuffix(v, "/") == r.from {
									return r.to
								}
								return v
							}
							mapStrings(cond.Values, exact)
							mapStrings(cond.NotValues, exact)
						}
					case "destination.port":
						mapStrings(cond.Values, port)
						mapStrings(cond.NotValues, port)
					}
				}
			}
		case *v1beta1.PeerAuthentication:
			if len(spec.PortLevelMtls) > 0 && len(ports) > 0 {
				mapped := make(map[uint32]*v1beta1.PeerAuthentication_MutualTLS, len(spec.PortLevelMtls))
				for p, m := range spec.PortLevelMtls {
					if to, ok := ports[p]; ok {
						p = to
					}
					mapped[p] = m
				}
				spec.PortLevelMtls = mapped
			}
		}
		out = append(out, c)
	}
	return out
}
