package contract_test

import (
	"net/http"
	"slices"
	"testing"

	"loginharness/internal/contract"
	"loginharness/internal/testkit"
)

func TestRequestVariantsNameTheOneOfMembersAsOperationsDo(t *testing.T) {
	c := testkit.Contract(t)
	for _, api := range contract.APIs() {
		op, err := c.LoginOperation(api)
		if err != nil {
			t.Fatal(err)
		}
		variants, err := c.Spec(api).RequestVariants(op)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, v := range variants {
			if v.Schema == nil {
				t.Errorf("%s: variant %q has no schema", api, v.Name)
			}
			names = append(names, v.Name)
		}
		want := op.RequestVariants
		if len(want) == 0 {
			want = []string{""} // no oneOf: the whole schema, unnamed
		}
		if !slices.Equal(names, want) {
			t.Errorf("%s: RequestVariants named %q, the operation %q", api, names, want)
		}
	}
	if _, err := c.Spec(contract.Webex).RequestVariants(contract.Operation{ID: "none", Method: "GET", Path: "/nowhere"}); err == nil {
		t.Error("an operation the spec lacks got variants")
	}
}

func TestLoginOperation(t *testing.T) {
	c := testkit.Contract(t)
	op, err := c.LoginOperation(contract.Commvault)
	if err != nil || op.Method != http.MethodPost || op.Path != "/Login" {
		t.Errorf("commvault login: %+v, %v", op, err)
	}
	if _, err := (&contract.Contract{}).LoginOperation(contract.Webex); err == nil {
		t.Error("an empty contract has a login operation")
	}
}

func TestApply405Rule(t *testing.T) {
	op := contract.Operation{Method: http.MethodPost, Path: "/Login"}
	undocumented := []contract.Finding{{Check: contract.CheckStatusDocumented}}
	answer := func(status int, allow ...string) *contract.Exchange {
		return &contract.Exchange{Method: http.MethodGet, Path: "/Login", Status: status, Header: http.Header{"Allow": allow}}
	}
	for _, tt := range []struct {
		name     string
		ex       *contract.Exchange
		findings []contract.Finding
		want     []contract.Check
	}{
		{"Allow names the method", answer(405, "GET, post"), undocumented, nil},
		{"over several fields", answer(405, "GET", "HEAD,POST"), undocumented, nil},
		{"no operation for the method", answer(405, "POST"), []contract.Finding{{Check: contract.CheckOperation}}, nil},
		{"Allow missing", answer(405), undocumented, []contract.Check{contract.CheckHeader}},
		{"Allow without the method", answer(405, "GET"), undocumented, []contract.Check{contract.CheckHeader}},
		{"not a 405", answer(404), undocumented, []contract.Check{contract.CheckStatusDocumented}},
		{"a documented 405 judged otherwise", answer(405), []contract.Finding{{Check: contract.CheckSchema}}, []contract.Check{contract.CheckSchema}},
		{"more than one finding", answer(405, "POST"), append(undocumented, contract.Finding{Check: contract.CheckSchema}),
			[]contract.Check{contract.CheckStatusDocumented, contract.CheckSchema}},
	} {
		var got []contract.Check
		for _, f := range contract.Apply405Rule(op, tt.ex, tt.findings) {
			got = append(got, f.Check)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: checks %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestTruncateAndPlural(t *testing.T) {
	for in, want := range map[[2]any]string{
		{"short", 10}: "short",
		{"abcdef", 3}: "abc…",
		{"aé", 2}:     "a…", // é is two bytes: no half character
	} {
		if got := contract.Truncate(in[0].(string), in[1].(int)); got != want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", in[0], in[1], got, want)
		}
	}
	if contract.Plural(1, "spec") != "1 spec" || contract.Plural(2, "spec") != "2 specs" {
		t.Error("Plural")
	}
}

func TestFindingRedacted(t *testing.T) {
	f := contract.Finding{Check: contract.CheckSchema, Pointer: "/p-s3cret", Expected: "s3cret", Actual: "x s3cret", Message: "m s3cret"}
	got := f.Redacted("s3cret")
	if got.Check != f.Check || got.Pointer == f.Pointer || got.Expected == f.Expected || got.Actual == f.Actual || got.Message == f.Message {
		t.Errorf("Redacted: %+v", got)
	}
	if f.Redacted() != f {
		t.Error("no secrets changed the finding")
	}
}
