package report

import (
	"reflect"
	"runtime"
	"strconv"
	"strings"

	"github.com/onsi/ginkgo/v2/types"
)

// modulePath is this module's path ("loginharness"), and moduleRoot where
// its sources were when the binary was built: an absolute folder, or the
// module path for a -trimpath build, which Ginkgo's code locations begin
// with.
var modulePath, moduleRoot = func() (string, string) {
	pkg := reflect.TypeFor[Page]().PkgPath()
	const here = "internal/report"
	_, file, _, _ := runtime.Caller(0)
	dir := file[:max(0, strings.LastIndex(file, "/")+1)]
	return strings.TrimSuffix(pkg, "/"+here), strings.TrimSuffix(dir, here+"/")
}()

// relativeLocation shows a code location relative to the module root: a
// report travels as a CI artifact, where the folders of the machine that
// ran the suite mean nothing. A location outside the module stays whole.
func relativeLocation(loc types.CodeLocation) string {
	file := loc.FileName
	for _, prefix := range []string{moduleRoot, modulePath + "/"} {
		if rest, ok := strings.CutPrefix(file, prefix); ok && prefix != "" && prefix != "/" {
			file = rest
			break
		}
	}
	if loc.LineNumber == 0 {
		return file
	}
	return file + ":" + strconv.Itoa(loc.LineNumber)
}
