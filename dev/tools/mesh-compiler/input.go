package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	kubeyaml "k8s.io/apimachinery/pkg/util/yaml"

	meshconfig "istio.io/api/mesh/v1alpha1"
	"istio.io/istio/pilot/pkg/config/kube/crd"
	"istio.io/istio/pkg/config"
	"istio.io/istio/pkg/config/mesh"
	"istio.io/istio/pkg/config/schema/gvk"
	"sigs.k8s.io/yaml"
)

// yamlFiles lists the .yaml/.yml files named by paths: files as given, directories recursively,
// in lexical order so that the output does not depend on the file system.
func yamlFiles(paths []string) ([]string, error) {
	var files []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && (strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(files)
	return slices.Compact(files), nil
}

// meshInput is what the compiler takes from the mesh files.
type meshInput struct {
	// Security resources (AuthorizationPolicy, RequestAuthentication, PeerAuthentication), parsed
	// and validated by Istio's own CRD parser.
	configs []config.Config
	// meshConfig is Istio's default mesh config with an IstioOperator's spec.meshConfig applied.
	meshConfig *meshconfig.MeshConfig
	// jwksFetchMode is PILOT_JWT_ENABLE_REMOTE_JWKS from an IstioOperator's pilot env, if any.
	jwksFetchMode string
}

var securityKinds = []config.GroupVersionKind{gvk.AuthorizationPolicy, gvk.RequestAuthentication, gvk.PeerAuthentication}

func readMesh(paths []string, defaultNamespace string) (*meshInput, error) {
	files, err := yamlFiles(paths)
	if err != nil {
		return nil, err
	}
	in := &meshInput{meshConfig: mesh.DefaultMeshConfig()}
	operators := 0
	for _, name := range files {
		content, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		configs, others, err := crd.ParseInputs(string(content))
		if err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		for _, c := range configs {
			if !slices.Contains(securityKinds, c.GroupVersionKind) {
				continue
			}
			if c.Namespace == "" {
				c.Namespace = defaultNamespace
			}
			in.configs = append(in.configs, c)
		}
		for _, o := range others {
			if o.Kind != "IstioOperator" {
				continue
			}
			operators++
			if operators > 1 {
				return nil, fmt.Errorf("%s: more than one IstioOperator in the mesh input", name)
			}
			if err := in.applyOperator(o.Spec); err != nil {
				return nil, fmt.Errorf("%s: IstioOperator: %v", name, err)
			}
		}
	}
	return in, nil
}

// applyOperator takes the two settings of an IstioOperator that change what istiod generates
// for a sidecar's inbound side: spec.meshConfig (trust domain, root namespace, ...) and the
// JWKS fetch mode given to istiod in spec.values.pilot.env.
func (in *meshInput) applyOperator(spec json.RawMessage) error {
	var op struct {
		MeshConfig json.RawMessage `json:"meshConfig"`
		Values     struct {
			Pilot struct {
				Env map[string]string `json:"env"`
			} `json:"pilot"`
		} `json:"values"`
	}
	if err := json.Unmarshal(spec, &op); err != nil {
		return err
	}
	if len(op.MeshConfig) > 0 {
		mc, err := mesh.ApplyMeshConfig(string(op.MeshConfig), mesh.DefaultMeshConfig())
		if err != nil {
			return err
		}
		in.meshConfig = mc
	}
	in.jwksFetchMode = op.Values.Pilot.Env["PILOT_JWT_ENABLE_REMOTE_JWKS"]
	return nil
}

// workload is a pod template that gets a sidecar: what istiod knows of the proxy.
type workload struct {
	Name           string
	Namespace      string
	ServiceAccount string
	Labels         map[string]string
	// Ports are the containers' ports (the workload ports PeerAuthentication's portLevelMtls
	// and AuthorizationPolicy's ports refer to).
	Ports  []uint32
	Source string
}

// readWorkloads takes Deployments, StatefulSets, DaemonSets and Pods from the manifests.
func readWorkloads(paths []string, defaultNamespace string) ([]workload, error) {
	files, err := yamlFiles(paths)
	if err != nil {
		return nil, err
	}
	var out []workload
	seen := map[string]string{}
	for _, name := range files {
		content, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		decoder := kubeyaml.NewYAMLOrJSONDecoder(bytes.NewReader(content), 4096)
		for {
			var doc map[string]any
			if err := decoder.Decode(&doc); err != nil {
				if errors.Is(err, io.EOF) {
					break
				}
				return nil, fmt.Errorf("%s: %v", name, err)
			}
			w, ok, err := workloadFrom(doc)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", name, err)
			}
			if !ok {
				continue
			}
			if w.Namespace == "" {
				w.Namespace = defaultNamespace
			}
			w.Source = name
			key := w.Namespace + "/" + w.Name
			if prev, dup := seen[key]; dup {
				return nil, fmt.Errorf("workload %s is in both %s and %s: give the base manifests or a rendered overlay, not both", key, prev, name)
			}
			seen[key] = name
			out = append(out, w)
		}
	}
	return out, nil
}

func workloadFrom(doc map[string]any) (workload, bool, error) {
	kind, _ := doc["kind"].(string)
	raw, err := json.Marshal(doc)
	if err != nil {
		return workload{}, false, err
	}
	var meta struct {
		Metadata struct {
			Name      string            `json:"name"`
			Namespace string            `json:"namespace"`
			Labels    map[string]string `json:"labels"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(raw, &meta); err != nil {
		return workload{}, false, err
	}
	var template corev1.PodTemplateSpec
	switch kind {
	case "Deployment", "StatefulSet", "DaemonSet":
		// All three keep their pod template at spec.template; nothing else of them is read.
		var w struct {
			Spec struct {
				Template corev1.PodTemplateSpec `json:"template"`
			} `json:"spec"`
		}
		err = yaml.Unmarshal(raw, &w)
		template = w.Spec.Template
	case "Pod":
		var p corev1.Pod
		err = yaml.Unmarshal(raw, &p)
		template = corev1.PodTemplateSpec{ObjectMeta: p.ObjectMeta, Spec: p.Spec}
	default:
		return workload{}, false, nil
	}
	if err != nil {
		return workload{}, false, fmt.Errorf("%s %s: %v", kind, meta.Metadata.Name, err)
	}
	sa := template.Spec.ServiceAccountName
	if sa == "" {
		sa = "default"
	}
	var ports []uint32
	for _, c := range template.Spec.Containers {
		for _, p := range c.Ports {
			if p.ContainerPort > 0 && !slices.Contains(ports, uint32(p.ContainerPort)) {
				ports = append(ports, uint32(p.ContainerPort))
			}
		}
	}
	slices.Sort(ports)
	return workload{
		Name:           meta.Metadata.Name,
		Namespace:      meta.Metadata.Namespace,
		ServiceAccount: sa,
		Labels:         template.Labels,
		Ports:          ports,
	}, true, nil
}
