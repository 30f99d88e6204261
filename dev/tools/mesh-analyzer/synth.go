package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"istio.io/api/annotation"
	"istio.io/api/label"
	"istio.io/istio/pkg/kube/inject"
)

// document is the part of an input object this file needs.
type document struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Metadata   metav1.ObjectMeta `json:"metadata"`
	File       string            `json:"-"` // the input file it came from
	// Template is the pod template of a Deployment, StatefulSet or DaemonSet, nil otherwise.
	Template *corev1.PodTemplateSpec `json:"-"`
}

// workloadKinds are the apps/v1 kinds whose pods are synthesized; all keep their pod template
// at spec.template.
var workloadKinds = []string{"Deployment", "StatefulSet", "DaemonSet"}

// synthetic describes one object that was not in the input but was added to it.
type synthetic struct {
	Object string // as Istio names origins: "Pod platform/auth-service"
	Note   string // where it comes from and how it was made
}

// proxyImage only has to be non-empty: Istio's analyzers treat a pod as injected when it has an
// istio-proxy container with an image.
const proxyImage = "docker.io/istio/proxyv2"

// parseDocuments reads a multi-document YAML stream; a document that is not YAML or has no
// apiVersion/kind is bad input.
func parseDocuments(name string, content []byte) ([]document, error) {
	var docs []document
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(content)))
	for index := 0; ; index++ {
		raw, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", name, index, err)
		}
		if len(bytes.TrimSpace(raw)) == 0 {
			continue
		}
		var doc *document
		if err := yaml.Unmarshal(raw, &doc); err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", name, index, err)
		}
		if doc == nil { // only comments
			continue
		}
		if doc.APIVersion == "" || doc.Kind == "" {
			return nil, fmt.Errorf("%s: document %d: no apiVersion or kind", name, index)
		}
		// Only workloads' spec.template is read: other kinds may use the name for anything.
		if doc.APIVersion == "apps/v1" && slices.Contains(workloadKinds, doc.Kind) {
			var workload struct {
				Spec struct {
					Template *corev1.PodTemplateSpec `json:"template"`
				} `json:"spec"`
			}
			if err := yaml.Unmarshal(raw, &workload); err != nil {
				return nil, fmt.Errorf("%s: document %d: %w", name, index, err)
			}
			doc.Template = workload.Spec.Template
		}
		doc.File = name
		docs = append(docs, *doc)
	}
}

// synthesize returns, as YAML, what a cluster running these manifests would also hold:
//   - a Namespace for every namespace an input object lives in but that the input does not
//     declare, with no labels (so not injected), and the Istio root namespace;
//   - one Pod per Deployment, StatefulSet and DaemonSet, from its pod template, with the
//     sidecar the injector would add.
//
// Namespaces that are only referenced (e.g. by an AuthorizationPolicy's source.namespaces) are
// not made up: a reference to a namespace that exists nowhere is what the analyzers look for.
// It also describes each synthesized object.
func synthesize(docs []document) ([]byte, []synthetic, error) {
	namespaceLabels := map[string]map[string]string{}
	for _, doc := range docs {
		if doc.APIVersion == "v1" && doc.Kind == "Namespace" {
			namespaceLabels[doc.Metadata.Name] = doc.Metadata.Labels
		}
	}

	var objects []any
	var notes []synthetic
	addNamespace := func(name string) {
		if _, declared := namespaceLabels[name]; declared || name == "" {
			return
		}
		namespaceLabels[name] = nil
		objects = append(objects, &corev1.Namespace{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
			ObjectMeta: metav1.ObjectMeta{Name: name},
		})
		notes = append(notes, synthetic{Object: "Namespace " + name, Note: "no labels"})
	}
	addNamespace(istioNamespace)
	for _, doc := range docs {
		addNamespace(doc.Metadata.Namespace)
	}

	for _, doc := range docs {
		if doc.Template == nil {
			continue
		}
		pod, revision := podFor(doc, namespaceLabels[doc.Metadata.Namespace])
		note := fmt.Sprintf("from %s %s/%s in %s, ", doc.Kind, doc.Metadata.Namespace, doc.Metadata.Name, doc.File)
		if revision != "" {
			note += "sidecar injected, revision " + revision
		} else {
			note += "not injected"
		}
		objects = append(objects, pod)
		notes = append(notes, synthetic{Object: fmt.Sprintf("Pod %s/%s", pod.Namespace, pod.Name), Note: note})
	}

	var out bytes.Buffer
	for _, object := range objects {
		text, err := yaml.Marshal(object)
		if err != nil {
			return nil, nil, err
		}
		out.WriteString("---\n")
		out.Write(text)
	}
	return out.Bytes(), notes, nil
}

// podFor makes the Pod a workload's controller would create, named like the workload, and
// injects the sidecar when the injector would. It returns the revision injected, or "".
func podFor(doc document, namespaceLabels map[string]string) (*corev1.Pod, string) {
	template := doc.Template.DeepCopy()
	pod := &corev1.Pod{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{
			Name:        doc.Metadata.Name,
			Namespace:   doc.Metadata.Namespace,
			Labels:      template.Labels,
			Annotations: template.Annotations,
		},
		Spec: template.Spec,
	}
	revision := injectionRevision(pod, namespaceLabels)
	if revision == "" {
		return pod, ""
	}

	// The injector adds istio-proxy as a container, or as an init container that keeps running
	// (a Kubernetes native sidecar) when asked to. An existing istio-proxy container (manual
	// injection, gateways' `image: auto`) is merged with the injector's, which sets the image.
	status := inject.SidecarInjectionStatus{Revision: revision}
	if i := slices.IndexFunc(pod.Spec.Containers, func(c corev1.Container) bool { return c.Name == "istio-proxy" }); i >= 0 {
		pod.Spec.Containers[i].Image = proxyImage
		status.Containers = []string{"istio-proxy"}
	} else if pod.Annotations[annotation.SidecarNativeSidecar.Name] == "true" {
		always := corev1.ContainerRestartPolicyAlways
		pod.Spec.InitContainers = append(pod.Spec.InitContainers,
			corev1.Container{Name: "istio-proxy", Image: proxyImage, RestartPolicy: &always})
		status.InitContainers = []string{"istio-proxy"}
	} else {
		pod.Spec.Containers = append(pod.Spec.Containers, corev1.Container{Name: "istio-proxy", Image: proxyImage})
		status.Containers = []string{"istio-proxy"}
	}
	statusJSON, _ := json.Marshal(status)
	if pod.Annotations == nil {
		pod.Annotations = map[string]string{}
	}
	pod.Annotations[annotation.SidecarStatus.Name] = string(statusJSON)
	return pod, revision
}

// injectionRevision decides, as a default Istio install would, whether the sidecar injector
// injects this pod, and returns the revision that does ("" for none). It mirrors the selectors
// of the istio-sidecar-injector MutatingWebhookConfiguration (Istio's istio-discovery chart),
// then the injector's own checks (pkg/kube/inject injectRequired, policy "enabled").
// Any istio.io/rev value is taken to name an installed revision.
func injectionRevision(pod *corev1.Pod, namespaceLabels map[string]string) string {
	nsInjection, nsHasInjection := namespaceLabels["istio-injection"]
	nsRevision, nsHasRevision := namespaceLabels[label.IoIstioRev.Name]
	podInject, podHasInject := pod.Labels[label.SidecarInject.Name]
	podRevision, podHasRevision := pod.Labels[label.IoIstioRev.Name]

	// Webhooks select on labels only.
	revision := ""
	switch {
	case nsInjection == "enabled" && podInject != "false":
		revision = "default"
	case nsHasRevision && !nsHasInjection && podInject != "false":
		revision = nsRevision
	case !nsHasRevision && !nsHasInjection && podHasRevision && podInject != "false":
		revision = podRevision
	case !nsHasRevision && !nsHasInjection && !podHasRevision && podInject == "true":
		revision = "default"
	}
	if revision == "" {
		return ""
	}

	// The injector: the label wins over the legacy annotation; host-network pods and the
	// Kubernetes system namespaces are never injected.
	optOut := pod.Annotations[annotation.SidecarInject.Name]
	if podHasInject {
		optOut = podInject
	}
	if optOut == "false" || pod.Spec.HostNetwork || inject.IgnoredNamespaces.Contains(pod.Namespace) {
		return ""
	}
	return revision
}
