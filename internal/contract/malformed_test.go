package contract_test

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"loginharness/internal/contract"
)

// TestLoadFSRefusesHostileSpecs feeds LoadFS spec files a --spec-dir could
// hold by mistake or malice: each is refused with an error naming the file,
// quickly, without a panic, and without reaching outside the document.
func TestLoadFSRefusesHostileSpecs(t *testing.T) {
	laughs := "openapi: 3.0.3\ninfo: {title: x, version: '1'}\nx-a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
	prev := "a"
	for _, name := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		laughs += "x-" + name + ": &" + name + " [*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + "]\n"
		prev = name
	}
	laughs += "paths: {}\n"
	op := func(schema string) string {
		return "openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n" +
			"          description: ok\n          content:\n            application/json:\n              schema: " + schema + "\n"
	}
	tests := []struct {
		name, doc string
		want      []string // in the error
	}{
		{"empty file", "", []string{"x.yaml", "openapi must be a non-empty string"}},
		{"binary garbage", "\x00\x01\x02\xff\xfe", []string{"x.yaml", "not a readable OpenAPI document"}},
		{"a YAML list", "- a\n- b\n", []string{"x.yaml", "not a readable OpenAPI document"}},
		{"Swagger 2.0", "swagger: '2.0'\ninfo: {title: x, version: '1'}\npaths: {}\n", []string{"x.yaml", "openapi must be a non-empty string"}},
		{"alias bomb", laughs, []string{"x.yaml", "excessive aliasing"}},
		{"external file $ref", op("{$ref: '/etc/passwd#/x'}"), []string{"x.yaml", "disallowed external reference"}},
		{"remote $ref", op("{$ref: 'http://127.0.0.1:1/s.yaml#/x'}"), []string{"x.yaml", "disallowed external reference"}},
		{"dangling local $ref", op("{$ref: '#/components/schemas/Nope'}"), []string{"x.yaml", "components/schemas/Nope"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{"x.yaml": &fstest.MapFile{Data: []byte(tt.doc)}}
			done := make(chan error, 1)
			go func() {
				_, err := contract.LoadFS(fsys, map[contract.API]string{contract.Webex: "x.yaml"})
				done <- err
			}()
			select {
			case err := <-done:
				if err == nil {
					t.Fatal("LoadFS accepted it")
				}
				for _, w := range tt.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not say %q", err, w)
					}
				}
			case <-time.After(20 * time.Second): // a hang guard, not a timing assertion
				t.Fatal("LoadFS hung")
			}
		})
	}
}
