// Command mesh-analyzer runs every one of Istio's configuration analyzers on rendered
// Kubernetes manifests (the output of `kustomize build`), using Istio's own analysis packages.
//
// `istioctl analyze --use-kube=false` drops Services, Namespaces, Pods and Secrets from file
// input, so every analyzer that needs one of them is skipped. This command feeds files through
// the source Istio's own analyzer tests use (AddTestReaderKubeSource), which keeps those kinds,
// and adds the Pods and Namespaces a cluster would have (see synth.go).
//
// Usage: mesh-analyzer FILE...
//
// Stdout carries one JSON document: the analyzers that ran and were skipped, what was
// synthesized, and the messages found. The exit code is 0 whenever the analysis ran, whatever
// it found; bad input exits 2 with one line on stderr.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"slices"

	"istio.io/istio/pkg/config/analysis/analyzers"
	"istio.io/istio/pkg/config/analysis/local"
	"istio.io/istio/pkg/config/resource"

	"platform.local/tools/internal/istiocommand"
)

// istioNamespace is the Istio root namespace (the mesh config default) the cluster runs Istio in.
const istioNamespace = "istio-system"

// synthesizedSource names the stream of objects synthesize adds.
const synthesizedSource = "synthesized"

type message struct {
	Code   string `json:"code"`
	Level  string `json:"level"`
	Origin string `json:"origin"`
	Text   string `json:"text"`
	// Reference is file:line of the resource, when Istio knows it.
	Reference string `json:"reference,omitempty"`
}

type report struct {
	Analyzers struct {
		Ran     []string `json:"ran"`
		Skipped []string `json:"skipped"`
	} `json:"analyzers"`
	// Synthesized lists every object that was not in the input but was added for the analysis.
	Synthesized []string  `json:"synthesized"`
	Messages    []message `json:"messages"`
}

func main() {
	if len(os.Args) < 2 {
		istiocommand.Fail(fmt.Errorf("usage: mesh-analyzer FILE..."))
	}
	istiocommand.QuietIstioLogs()

	var sources []local.ReaderSource
	var docs []document
	for _, name := range os.Args[1:] {
		content, err := os.ReadFile(name)
		if err != nil {
			istiocommand.Fail(err)
		}
		parsed, err := parseDocuments(name, content)
		if err != nil {
			istiocommand.Fail(err)
		}
		docs = append(docs, parsed...)
		sources = append(sources, local.ReaderSource{Name: name, Reader: bytes.NewReader(content)})
	}
	extra, synthesized, err := synthesize(docs)
	if err != nil {
		istiocommand.Fail(err)
	}
	sources = append(sources, local.ReaderSource{Name: synthesizedSource, Reader: bytes.NewReader(extra)})

	// An empty namespace means "all namespaces": messages from every namespace are kept.
	sa := local.NewIstiodAnalyzer(analyzers.AllCombined(), "", resource.Namespace(istioNamespace), nil)
	// The test source keeps the runtime kinds (Service, Namespace, Pod, Secret, Node) that the
	// plain file source (AddReaderKubeSource) removes; it must be added first, because
	// AddDefaultResources reuses whichever file source exists.
	if err := sa.AddTestReaderKubeSource(sources); err != nil {
		istiocommand.Fail(err)
	}
	// Like istioctl on files: a stand-in for the ingress gateway Istio installs in istio-system.
	if err := sa.AddDefaultResources(); err != nil {
		istiocommand.Fail(err)
	}
	synthesized = append(synthesized,
		synthetic{Object: "Pod istio-system/istio-ingressgateway-dummypod", Note: "Istio's default ingress gateway, as istioctl adds on files"},
		synthetic{Object: "Service istio-system/istio-ingressgateway", Note: "Istio's default ingress gateway, as istioctl adds on files"})
	notes := map[string]string{}
	for _, s := range synthesized {
		notes[s.Object] = s.Note
	}

	cancel := make(chan struct{})
	defer close(cancel)
	result, err := sa.Analyze(cancel)
	if err != nil {
		istiocommand.Fail(err)
	}

	var out report
	out.Analyzers.Skipped = append([]string{}, result.SkippedAnalyzers...)
	// ExecutedAnalyzers is taken before the skipped ones are removed, so remove them here.
	out.Analyzers.Ran = []string{}
	for _, name := range result.ExecutedAnalyzers {
		if !slices.Contains(result.SkippedAnalyzers, name) {
			out.Analyzers.Ran = append(out.Analyzers.Ran, name)
		}
	}
	out.Synthesized = []string{}
	for _, s := range synthesized {
		out.Synthesized = append(out.Synthesized, s.Object+" ("+s.Note+")")
	}
	out.Messages = []message{}
	for _, m := range result.Messages {
		entry := message{Code: m.Type.Code(), Level: m.Type.Level().String(), Text: fmt.Sprintf(m.Type.Template(), m.Parameters...)}
		if m.Resource != nil {
			entry.Origin = m.Resource.Origin.FriendlyName()
			if ref := m.Resource.Origin.Reference(); ref != nil {
				entry.Reference = ref.String()
				if m.Line != 0 {
					entry.Reference = m.ReplaceLine(entry.Reference)
				}
			}
			// A line in the synthesized stream means nothing to the reader: say where it came from.
			if note, ok := notes[entry.Origin]; ok {
				entry.Reference = "synthesized, " + note
			}
		}
		out.Messages = append(out.Messages, entry)
	}
	encoder := json.NewEncoder(os.Stdout)
	encoder.SetIndent("", "  ")
	if err := encoder.Encode(out); err != nil {
		istiocommand.Fail(err)
	}
}
