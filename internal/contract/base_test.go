package contract_test

import (
	"slices"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"loginharness/internal/contract"
	"loginharness/internal/testkit"
)

func TestBaseOfTheEmbeddedSpecs(t *testing.T) {
	c := testkit.Contract(t)
	for api, want := range map[contract.API][]string{
		contract.Webex:     {"/v1"},
		contract.Commvault: {"/commandcenter/api", "/webconsole/api"},
	} {
		b := c.Spec(api).Base()
		got := slices.Sorted(slices.Values(b.Paths))
		if !slices.Equal(got, want) || b.URL == "" {
			t.Errorf("%s: Base() = %+v, want paths %q", api, b, want)
		}
	}
	webex := c.Spec(contract.Webex).Base()
	for path, ok := range map[string]bool{"/v1": true, "/v1/": true, "/proxy/v1": true, "": false, "/": false, "/v10": false, "/xv1": false, "/v1/telephony": false} {
		if webex.HasBasePath(path) != ok {
			t.Errorf("HasBasePath(%q) = %v, want %v", path, !ok, ok)
		}
	}
}

func TestBaseLeavesAnOpenPathOpen(t *testing.T) {
	for name, srv := range map[string]*openapi3.Server{
		"no path":           {URL: "https://example.com"},
		"variable, no enum": {URL: "https://example.com/{base}", Variables: map[string]*openapi3.ServerVariable{"base": {Default: "api"}}},
	} {
		s := &contract.Spec{Doc: &openapi3.T{Servers: openapi3.Servers{srv}}}
		if b := s.Base(); b.Paths != nil || !b.HasBasePath("/anything") {
			t.Errorf("%s: Base() = %+v, want an open path", name, b)
		}
	}
	if b := (&contract.Spec{Doc: &openapi3.T{}}).Base(); b.Paths != nil {
		t.Errorf("no server: %+v", b)
	}
}
