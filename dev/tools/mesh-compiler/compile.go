package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"

	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	jwtauthn "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/jwt_authn/v3"
	hcm "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	matcherv3 "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"

	meshconfig "istio.io/api/mesh/v1alpha1"
	"istio.io/api/security/v1beta1"
	"istio.io/istio/pilot/pkg/config/memory"
	"istio.io/istio/pilot/pkg/features"
	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pilot/pkg/networking"
	authnplugin "istio.io/istio/pilot/pkg/networking/plugin/authn"
	authzplugin "istio.io/istio/pilot/pkg/networking/plugin/authz"
	memregistry "istio.io/istio/pilot/pkg/serviceregistry/memory"
	"istio.io/istio/pkg/config"
	"istio.io/istio/pkg/config/host"
	"istio.io/istio/pkg/config/mesh/meshwatcher"
	"istio.io/istio/pkg/config/protocol"
	"istio.io/istio/pkg/config/schema/collections"
	"istio.io/istio/pkg/config/security"
	"istio.io/istio/pkg/jwt"
	"istio.io/istio/pkg/kube"
	"istio.io/istio/pkg/kube/krt"
	"istio.io/istio/pkg/spiffe"

	"platform.local/tools/internal/istiocommand"
)

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// jwksCluster is an Envoy cluster a remote_jwks provider fetches keys through; the renderer must
// define it (pointing at the host and port of uri).
type jwksCluster struct {
	Name string `json:"name"`
	URI  string `json:"uri"`
	Host string `json:"host"`
	Port int    `json:"port"`
	TLS  bool   `json:"tls"`
}

type workloadOutput struct {
	Workload       string            `json:"workload"`
	Namespace      string            `json:"namespace"`
	ServiceAccount string            `json:"serviceAccount"`
	Principal      string            `json:"principal"`
	Labels         map[string]string `json:"labels"`
	// InboundTLSMode is the workload-wide mode; PortTLSModes the mode of each workload port
	// (after --port-map), which portLevelMtls may change.
	InboundTLSMode string            `json:"inboundTlsMode"`
	PortTLSModes   map[string]string `json:"portTlsModes"`
	// HTTPFilters go, in this order, before the router in the inbound HTTP connection manager;
	// NetworkFilters are for inbound filter chains that are not HTTP (TCP ports).
	HTTPFilters    []json.RawMessage `json:"httpFilters"`
	NetworkFilters []json.RawMessage `json:"networkFilters"`
	JwksClusters   []jwksCluster     `json:"jwksClusters"`
	// DownstreamTLSContext is Istio's inbound mTLS context with its SDS secrets replaced by the
	// files of --cert-dir (present when --cert-dir is given and the mode is not DISABLE).
	DownstreamTLSContext json.RawMessage `json:"downstreamTlsContext,omitempty"`
}

var protoJSON = protojson.MarshalOptions{UseProtoNames: true}

func runCompile(args []string) {
	fs := flag.NewFlagSet("compile", flag.ExitOnError)
	var meshPaths, manifestPaths, workloadNames, issuers stringList
	fs.Var(&meshPaths, "mesh", "Istio resources: a YAML file or a directory (recursive); repeatable")
	fs.Var(&manifestPaths, "manifests", "Kubernetes manifests with the workloads (Deployment, StatefulSet, DaemonSet, Pod): file or directory; repeatable")
	fs.Var(&workloadNames, "workload", "workload name(s) to compile, comma-separated or repeated (default: every workload found)")
	fs.Var(&issuers, "issuer", "FROM=TO: replace JWT issuer FROM by TO in RequestAuthentication and AuthorizationPolicy; repeatable")
	namespace := fs.String("namespace", "platform", "namespace of resources and workloads that do not name one")
	jwksURI := fs.String("jwks-uri", "", "replace every RequestAuthentication jwksUri (and inline jwks) by this URI")
	jwksFetch := fs.String("jwks-fetch", "", "who fetches the JWKS: envoy (remote_jwks), istiod (this tool fetches now and inlines local_jwks) or hybrid; default: the IstioOperator's PILOT_JWT_ENABLE_REMOTE_JWKS, else Istio's default (istiod)")
	jwksClusterName := fs.String("jwks-cluster", "", "name for the Envoy cluster of remote_jwks (default: Istio's outbound|PORT||HOST)")
	portMap := fs.String("port-map", "", "[WORKLOAD:]FROM=TO,...: workload port FROM is port TO on the local Envoy listener")
	certDir := fs.String("cert-dir", "", "directory (as the Envoy process sees it) holding cert-chain.pem, key.pem and root-cert.pem; {workload} and {sa} are replaced; adds downstreamTlsContext")
	_ = fs.Parse(args)
	if len(meshPaths) == 0 || len(manifestPaths) == 0 || fs.NArg() > 0 {
		istiocommand.Fail(fmt.Errorf("usage: mesh-compiler compile --mesh PATH --manifests PATH [--workload NAME] [--namespace NS] [--issuer FROM=TO] [--jwks-uri URI] [--jwks-fetch envoy|istiod|hybrid] [--jwks-cluster NAME] [--port-map [W:]FROM=TO] [--cert-dir DIR]"))
	}
	istiocommand.QuietIstioLogs()

	var issuerRewrites []issuerRewrite
	for _, s := range issuers {
		r, err := parseIssuerRewrite(s)
		if err != nil {
			istiocommand.Fail(err)
		}
		issuerRewrites = append(issuerRewrites, r)
	}
	portRewrites, err := parsePortRewrites(*portMap)
	if err != nil {
		istiocommand.Fail(err)
	}
	in, err := readMesh(meshPaths, *namespace)
	if err != nil {
		istiocommand.Fail(err)
	}
	fetch := *jwksFetch
	if fetch == "" {
		fetch = in.jwksFetchMode
	}
	switch fetch {
	case "", "false", "istiod", "true", "hybrid", "envoy":
	default:
		istiocommand.Fail(fmt.Errorf("--jwks-fetch %q: want envoy, istiod or hybrid", fetch))
	}
	// The same switch istiod reads from PILOT_JWT_ENABLE_REMOTE_JWKS.
	features.JwksFetchMode = jwt.ConvertToJwksFetchMode(fetch)

	workloads, err := readWorkloads(manifestPaths, *namespace)
	if err != nil {
		istiocommand.Fail(err)
	}
	var wanted []string
	for _, w := range workloadNames {
		for _, n := range strings.Split(w, ",") {
			if n = strings.TrimSpace(n); n != "" {
				wanted = append(wanted, n)
			}
		}
	}
	for _, n := range wanted {
		if !slices.ContainsFunc(workloads, func(w workload) bool { return w.Name == n }) {
			istiocommand.Fail(fmt.Errorf("workload %q is not in the manifests", n))
		}
	}
	for _, r := range portRewrites {
		if r.workload != "" && !slices.ContainsFunc(workloads, func(w workload) bool { return w.Name == r.workload }) {
			istiocommand.Fail(fmt.Errorf("--port-map names workload %q, which is not in the manifests", r.workload))
		}
	}

	out := []workloadOutput{}
	for _, w := range workloads {
		if len(wanted) > 0 && !slices.Contains(wanted, w.Name) {
			continue
		}
		ports := map[uint32]uint32{}
		for _, r := range portRewrites {
			if r.workload == "" || r.workload == w.Name {
				ports[r.from] = r.to
			}
		}
		configs := rewriteConfigs(in.configs, issuerRewrites, *jwksURI, ports)
		o, err := compileWorkload(w, configs, in.meshConfig, ports, *jwksClusterName, *certDir)
		if err != nil {
			istiocommand.Fail(fmt.Errorf("%s: %v", w.Name, err))
		}
		out = append(out, o)
	}
	encoder := json.NewEncoder(os.Stdout)
	encoder.SetIndent("", "  ")
	if err := encoder.Encode(out); err != nil {
		istiocommand.Fail(err)
	}
}

// newPushContext builds istiod's PushContext (the snapshot its xDS generators read) from the
// configs, the way Istio's own networking tests do: an in-memory config store, a fixed mesh
// config and an in-memory service registry.
func newPushContext(configs []config.Config, services []*model.Service, mc *meshconfig.MeshConfig) (*model.PushContext, func(), error) {
	store := memory.NewController(memory.Make(collections.Pilot))
	for _, c := range configs {
		if _, err := store.Create(c); err != nil {
			return nil, nil, fmt.Errorf("%s %s/%s: %v", c.GroupVersionKind.Kind, c.Namespace, c.Name, err)
		}
	}
	watcher := meshwatcher.NewTestWatcher(mc)
	env := model.NewEnvironment()
	env.ServiceDiscovery = memregistry.NewServiceDiscovery(services...)
	env.ConfigStore = store
	env.Watcher = watcher
	env.VirtualServiceController = model.NewVirtualServiceController(store, model.VSControllerOptions{KrtDebugger: krt.GlobalDebugHandler}, watcher)
	stop := make(chan struct{})
	go store.Run(stop)
	go env.VirtualServiceController.Run(stop)
	kube.WaitForCacheSync("mesh-compiler", stop, store.HasSynced, env.VirtualServiceController.HasSynced)
	env.Init()
	push := model.NewPushContext()
	push.InitContext(env, nil, nil)
	env.SetPushContext(push)
	push.JwtKeyResolver = model.NewJwksResolver(model.JwtPubKeyEvictionDuration, model.JwtPubKeyRefreshInterval,
		model.JwtPubKeyRefreshIntervalOnFailure, model.JwtPubKeyRetryInterval)
	return push, func() {
		push.JwtKeyResolver.Close()
		close(stop)
	}, nil
}

// jwksServices stands in for the ServiceEntry (or Kubernetes Service) istiod needs to find the
// Envoy cluster of a jwksUri when Envoy fetches the keys itself.
func jwksServices(configs []config.Config) ([]*model.Service, error) {
	if features.JwksFetchMode == jwt.Istiod {
		return nil, nil
	}
	seen := map[host.Name]bool{}
	var out []*model.Service
	for _, c := range configs {
		ra, ok := c.Spec.(*v1beta1.RequestAuthentication)
		if !ok {
			continue
		}
		for _, rule := range ra.JwtRules {
			if rule.JwksUri == "" {
				continue
			}
			info, err := security.ParseJwksURI(rule.JwksUri)
			if err != nil {
				return nil, fmt.Errorf("jwksUri %q: %v", rule.JwksUri, err)
			}
			if seen[info.Hostname] {
				continue
			}
			seen[info.Hostname] = true
			out = append(out, &model.Service{
				Hostname:   info.Hostname,
				Resolution: model.DNSLB,
				Ports:      model.PortList{{Name: "http", Port: info.Port, Protocol: protocol.HTTP}},
				Attributes: model.ServiceAttributes{
					Name:            string(info.Hostname),
					Namespace:       "jwks",
					ServiceRegistry: "External",
				},
				MeshExternal: true,
			})
		}
	}
	return out, nil
}

func compileWorkload(w workload, configs []config.Config, mc *meshconfig.MeshConfig, ports map[uint32]uint32,
	jwksClusterName, certDir string,
) (workloadOutput, error) {
	services, err := jwksServices(configs)
	if err != nil {
		return workloadOutput{}, err
	}
	push, done, err := newPushContext(configs, services, mc)
	if err != nil {
		return workloadOutput{}, err
	}
	defer done()

	// The sidecar as istiod sees it: the pod's namespace, labels and service account.
	proxy := &model.Proxy{
		Type:            model.SidecarProxy,
		ID:              w.Name + "." + w.Namespace,
		ConfigNamespace: w.Namespace,
		Labels:          w.Labels,
		Metadata: &model.NodeMetadata{
			Namespace:      w.Namespace,
			Labels:         w.Labels,
			ServiceAccount: w.ServiceAccount,
		},
	}
	identity := spiffe.Identity{TrustDomain: mc.GetTrustDomain(), Namespace: w.Namespace, ServiceAccount: w.ServiceAccount}

	// What the sidecar's inbound HTTP filter chain gets from security policy, in the order of
	// pilot/pkg/networking/core/listener_builder.go: CUSTOM authz (ext_authz), authn
	// (jwt_authn), then ALLOW/DENY/AUDIT authz (RBAC). A sidecar's inbound chain uses
	// Envoy's own peer principal (useFilterState false, as istiod passes for non-waypoints).
	class := networking.ListenerClassSidecarInbound
	authn := authnplugin.NewBuilder(push, proxy)
	authzCustom := authzplugin.NewBuilder(authzplugin.Custom, push, proxy, false)
	authzLocal := authzplugin.NewBuilder(authzplugin.Local, push, proxy, false)
	var httpFilters []*hcm.HttpFilter
	httpFilters = append(httpFilters, authzCustom.BuildHTTP(class)...)
	httpFilters = append(httpFilters, authn.BuildHTTP(class)...)
	httpFilters = append(httpFilters, authzLocal.BuildHTTP(class)...)
	var networkFilters []*listener.Filter
	networkFilters = append(networkFilters, authzCustom.BuildTCP()...)
	networkFilters = append(networkFilters, authzLocal.BuildTCP()...)

	out := workloadOutput{
		Workload:       w.Name,
		Namespace:      w.Namespace,
		ServiceAccount: w.ServiceAccount,
		Principal:      identity.String(),
		Labels:         w.Labels,
		PortTLSModes:   map[string]string{},
		HTTPFilters:    []json.RawMessage{},
		NetworkFilters: []json.RawMessage{},
		JwksClusters:   []jwksCluster{},
	}
	for _, f := range httpFilters {
		if err := renameJwksClusters(f, jwksClusterName, &out.JwksClusters); err != nil {
			return out, err
		}
		raw, err := protoJSON.Marshal(f)
		if err != nil {
			return out, err
		}
		out.HTTPFilters = append(out.HTTPFilters, raw)
	}
	for _, f := range networkFilters {
		raw, err := protoJSON.Marshal(f)
		if err != nil {
			return out, err
		}
		out.NetworkFilters = append(out.NetworkFilters, raw)
	}

	// PeerAuthentication: the mode for the workload (port 0 has no port-level setting) and
	// for each of its ports.
	whole := authn.ForPort(0)
	out.InboundTLSMode = whole.Mode.String()
	for _, p := range w.Ports {
		if to, ok := ports[p]; ok {
			p = to
		}
		out.PortTLSModes[strconv.FormatUint(uint64(p), 10)] = authn.ForPort(p).Mode.String()
	}
	if certDir != "" && whole.HTTP != nil {
		dir := strings.NewReplacer("{workload}", w.Name, "{sa}", w.ServiceAccount).Replace(certDir)
		ctx, err := fileBasedTLS(whole.HTTP, dir)
		if err != nil {
			return out, err
		}
		raw, err := protoJSON.Marshal(ctx)
		if err != nil {
			return out, err
		}
		out.DownstreamTLSContext = raw
	}
	return out, nil
}

// renameJwksClusters lists the clusters remote_jwks providers use, renaming them to name if set.
func renameJwksClusters(f *hcm.HttpFilter, name string, clusters *[]jwksCluster) error {
	typed := f.GetTypedConfig()
	if typed == nil || !typed.MessageIs(&jwtauthn.JwtAuthentication{}) {
		return nil
	}
	cfg := &jwtauthn.JwtAuthentication{}
	if err := typed.UnmarshalTo(cfg); err != nil {
		return err
	}
	for _, p := range cfg.Providers {
		uri := p.GetRemoteJwks().GetHttpUri()
		if uri == nil {
			continue
		}
		if name != "" {
			uri.HttpUpstreamType = &core.HttpUri_Cluster{Cluster: name}
		}
		info, err := security.ParseJwksURI(uri.Uri)
		if err != nil {
			return err
		}
		c := jwksCluster{Name: uri.GetCluster(), URI: uri.Uri, Host: string(info.Hostname), Port: info.Port, TLS: info.UseSSL}
		if !slices.Contains(*clusters, c) {
			*clusters = append(*clusters, c)
		}
	}
	a, err := anypb.New(cfg)
	if err != nil {
		return err
	}
	f.ConfigType = &hcm.HttpFilter_TypedConfig{TypedConfig: a}
	return nil
}

// fileBasedTLS turns Istio's inbound DownstreamTlsContext, whose certificate and root come over
// SDS from the istio-agent (absent locally), into one that reads the files issue writes.
// Everything else (ALPN, TLS versions, ciphers, client certificate requirement, SAN match on
// the trust domain) is Istio's. The untyped SAN matchers Istio emits become typed URI SAN
// matchers (the SPIFFE ID is a URI SAN).
func fileBasedTLS(in *tlsv3.DownstreamTlsContext, dir string) (*tlsv3.DownstreamTlsContext, error) {
	ctx := proto.Clone(in).(*tlsv3.DownstreamTlsContext)
	common := ctx.CommonTlsContext
	file := func(name string) *core.DataSource {
		return &core.DataSource{Specifier: &core.DataSource_Filename{Filename: path.Join(dir, name)}}
	}
	if len(common.TlsCertificateSdsSecretConfigs) != 1 {
		return nil, fmt.Errorf("expected one SDS certificate in Istio's inbound TLS context, got %d", len(common.TlsCertificateSdsSecretConfigs))
	}
	common.TlsCertificateSdsSecretConfigs = nil
	common.TlsCertificates = []*tlsv3.TlsCertificate{{CertificateChain: file("cert-chain.pem"), PrivateKey: file("key.pem")}}
	if combined := common.GetCombinedValidationContext(); combined != nil {
		validation := proto.Clone(combined.DefaultValidationContext).(*tlsv3.CertificateValidationContext)
		if validation == nil {
			validation = &tlsv3.CertificateValidationContext{}
		}
		validation.TrustedCa = file("root-cert.pem")
		//nolint:staticcheck // MatchSubjectAltNames is what Istio emits; it is converted here.
		for _, m := range validation.MatchSubjectAltNames {
			validation.MatchTypedSubjectAltNames = append(validation.MatchTypedSubjectAltNames, &tlsv3.SubjectAltNameMatcher{
				SanType: tlsv3.SubjectAltNameMatcher_URI,
				Matcher: proto.Clone(m).(*matcherv3.StringMatcher),
			})
		}
		validation.MatchSubjectAltNames = nil //nolint:staticcheck
		common.ValidationContextType = &tlsv3.CommonTlsContext_ValidationContext{ValidationContext: validation}
	} else if common.ValidationContextType != nil {
		return nil, fmt.Errorf("unexpected validation context in Istio's inbound TLS context")
	}
	return ctx, nil
}
