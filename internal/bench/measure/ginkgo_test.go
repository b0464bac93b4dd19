package measure

import (
	"testing"
)

func TestParseGinkgoRan(t *testing.T) {
	out := "SSS•••\n\nRan 36 of 67 Specs in 0.041 seconds\nSUCCESS! -- 36 Passed | 0 Failed | 0 Pending | 31 Skipped\nPASS\n"
	ran, total, secs, err := parseGinkgoRan(out)
	if err != nil || ran != 36 || total != 67 || secs != 0.041 {
		t.Errorf("parseGinkgoRan = %d, %d, %v, %v", ran, total, secs, err)
	}
	if ran, _, _, err := parseGinkgoRan("Ran 1 of 1 Spec in 2 seconds\n...\nRan 3 of 4 Specs in 5.5 seconds\n"); err != nil || ran != 3 {
		t.Errorf("last line: %d, %v", ran, err)
	}
	for _, bad := range []string{
		"",
		"--- FAIL: TestConformance\nFAIL\n", // a binary that died before the summary
		"Ran 5 of 3 Specs in 1.0 seconds",   // more run than exist
		"Ran 99999999999999999999 of 1 Specs in 1 seconds",  // overflow
		"\x1b[1mRan 36\x1b[0m of 67 Specs in 0.041 seconds", // colour codes split the line
	} {
		if _, _, _, err := parseGinkgoRan(bad); err == nil {
			t.Errorf("parseGinkgoRan(%q): no error", bad)
		}
	}
}
