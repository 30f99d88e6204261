// Package istiocommand is what every command here built on Istio's packages does around its work:
// keep Istio's logging off stdout, and report bad input the same way, so that the TypeScript
// callers can read stdout as JSON and stderr as one line.
package istiocommand

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"istio.io/istio/pkg/log"
)

// QuietIstioLogs sends Istio's logs (stdout by default) to stderr, errors only, so stdout
// carries the command's JSON alone and bad input costs one line of stderr (Istio's own warning
// would repeat it).
func QuietIstioLogs() {
	options := log.DefaultOptions()
	options.OutputPaths = []string{"stderr"}
	options.ErrorOutputPaths = []string{"stderr"}
	options.SetDefaultOutputLevel(log.OverrideScopeName, log.ErrorLevel)
	if err := log.Configure(options); err != nil {
		Fail(err)
	}
}

// Fail reports bad input on one line of stderr, prefixed with the command's name (callers strip
// that prefix), and exits 2. Istio's multi-errors span several lines, hence the folding.
func Fail(err error) {
	line := strings.Join(strings.Fields(err.Error()), " ")
	fmt.Fprintf(os.Stderr, "%s: %s\n", filepath.Base(os.Args[0]), line)
	os.Exit(2)
}
