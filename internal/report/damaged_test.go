package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFindGinkgoReportsNamesADamagedReport: a report cut short (a killed
// run, a partial artifact upload) is an error naming the file, while JSON
// that is simply not a Ginkgo report is still passed over.
func TestFindGinkgoReportsNamesADamagedReport(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("bench.json", `{"not": "a Ginkgo report"}`)
	write("list.json", `[1, 2, 3]`)
	if files, err := FindGinkgoReports(dir); err != nil || len(files) != 0 {
		t.Fatalf("other JSON files: %v, %v; want them passed over", files, err)
	}
	for name, data := range map[string]string{"truncated": `[{"SuitePath": "/x", "StartTime": "2026-`, "empty": ""} {
		write("ginkgo.json", data)
		_, err := FindGinkgoReports(dir)
		if err == nil || !strings.Contains(err.Error(), "ginkgo.json") || !strings.Contains(err.Error(), "not valid JSON") {
			t.Errorf("%s report: error %v, want one naming ginkgo.json as not valid JSON", name, err)
		}
	}
}
