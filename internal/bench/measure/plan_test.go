package measure

import (
	"bytes"
	"strings"
	"testing"
)

func TestParseSections(t *testing.T) {
	sel, err := ParseSections("")
	if err != nil || len(sel) != len(Sections()) {
		t.Errorf("ParseSections(\"\") = %v, %v; want every section", sel, err)
	}
	sel, err = ParseSections(" memory,limiter ")
	if err != nil || len(sel) != 2 || !sel["memory"] || !sel["limiter"] {
		t.Errorf("ParseSections = %v, %v", sel, err)
	}
	if _, err := ParseSections("memory,,limiter"); err == nil || !strings.Contains(err.Error(), "sections:") {
		t.Errorf("an empty name: %v, want an error listing the sections", err)
	}
}

func TestParseCounts(t *testing.T) {
	got, err := ParseCounts("8, 32,128")
	if err != nil || len(got) != 3 || got[0] != 8 || got[1] != 32 || got[2] != 128 {
		t.Errorf("ParseCounts = %v, %v", got, err)
	}
	for _, s := range []string{"", "0", "4097", "-1", "8,x"} {
		if _, err := ParseCounts(s); err == nil {
			t.Errorf("ParseCounts(%q): no error", s)
		}
	}
}

func TestBareAnswersLikeTheMock(t *testing.T) {
	b, err := Bare()
	if err != nil {
		t.Fatal(err)
	}
	if b.Header().Get("Content-Type") != "application/json" || !bytes.Contains(b.Body(), []byte(`"companyId"`)) {
		t.Errorf("bare header %v body %s", b.Header(), b.Body())
	}
}

// TestSectionsAreEachRun: every section named is one Run can run.
func TestSectionsAreEachRun(t *testing.T) {
	for _, name := range Sections() {
		if sections[name] == nil {
			t.Errorf("section %q has no runner", name)
		}
	}
	if len(sections) != len(Sections()) {
		t.Errorf("%d runners for %d sections", len(sections), len(Sections()))
	}
}
