// Command kube-strict decodes Kubernetes manifests (a YAML stream on stdin) into the API's own Go
// types the way the API server does with strict field validation: an unknown or duplicated field,
// or a value of the wrong type, is an error. Kinds the built-in scheme does not know (custom
// resources) are skipped; their schemas are checked elsewhere.
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes/scheme"
)

func main() {
	decoder := serializer.NewCodecFactory(scheme.Scheme, serializer.EnableStrict).UniversalDeserializer()
	reader := utilyaml.NewYAMLReader(bufio.NewReader(os.Stdin))
	checked, skipped, failed := 0, 0, 0
	for index := 0; ; index++ {
		document, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "document %d: %v\n", index, err)
			os.Exit(2)
		}
		object, kind, err := decoder.Decode(document, nil, nil)
		switch {
		case err != nil && runtime.IsNotRegisteredError(err):
			skipped++
		case err != nil:
			failed++
			fmt.Printf("document %d (%v): %v\n", index, kind, err)
		case object != nil:
			checked++
		}
	}
	fmt.Fprintf(os.Stderr, "kube-strict: %d checked, %d custom resources skipped, %d invalid\n", checked, skipped, failed)
	if failed > 0 {
		os.Exit(1)
	}
}
