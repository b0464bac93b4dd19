// Package contract loads the OpenAPI documents of the login APIs and judges
// exchanges against them: which operation was called, whether its status,
// content type, headers and body keep the contract, and which oneOf variant a
// body is. Problems come back as structured findings with secrets redacted,
// cheap enough to check every response of a load run.
package contract

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"maps"
	"reflect"
	"slices"
	"sync/atomic"

	"github.com/getkin/kin-openapi/openapi3"

	"loginharness/specs"

	"loginharness/internal/contract/finding"
)

// Contract holds the loaded specs. It is read-only after loading but for
// its counters, so one Contract serves any number of goroutines.
type Contract struct {
	specs map[API]*Spec

	// What the fast path of ValidateResponse left to kin-openapi: fallbacks
	// are (parts of) responses it had not compiled, rechecks responses it
	// did not accept, judged again for the findings.
	fallbacks, rechecks atomic.Uint64
}

// Spec is one loaded and validated OpenAPI document.
type Spec struct {
	API     API
	File    string
	Doc     *openapi3.T
	SHA256  string // of the YAML bytes, hex
	Version string // info.version

	ops []*operation
}

// Load reads the specs embedded in the binary.
func Load() (*Contract, error) {
	files := make(map[API]string, len(specs.Files))
	for name, file := range specs.Files {
		api, err := ParseAPI(name)
		if err != nil {
			return nil, fmt.Errorf("specs.Files: %w", err)
		}
		files[api] = file
	}
	return LoadFS(specs.FS, files)
}

// LoadFS reads the named documents from fsys, for instance a --spec-dir, and
// validates each one with kin-openapi.
func LoadFS(fsys fs.FS, files map[API]string) (*Contract, error) {
	c := &Contract{specs: make(map[API]*Spec, len(files))}
	for _, api := range slices.Sorted(maps.Keys(files)) {
		s, err := loadSpec(fsys, api, files[api])
		if err != nil {
			return nil, err
		}
		c.specs[api] = s
	}
	return c, nil
}

// Spec returns the document of api, or nil when it was not loaded.
func (c *Contract) Spec(api API) *Spec { return c.specs[api] }

// SpecIDs names the spec of each API c holds, in the order of APIs.
func (c *Contract) SpecIDs() []finding.SpecID {
	var out []finding.SpecID
	for _, api := range APIs() {
		if s := c.Spec(api); s != nil {
			out = append(out, finding.SpecID{API: string(api), File: s.File, Version: s.Version, SHA256: s.SHA256})
		}
	}
	return out
}

// Operations lists the spec's operations by path, then method. The slices
// are copies: changing them does not change the contract.
func (s *Spec) Operations() []Operation {
	out := make([]Operation, 0, len(s.ops))
	for _, op := range s.ops {
		out = append(out, op.meta.clone())
	}
	return out
}

func loadSpec(fsys fs.FS, api API, file string) (*Spec, error) {
	data, err := fs.ReadFile(fsys, file)
	if err != nil {
		return nil, fmt.Errorf("spec of %s: %w", api, err)
	}
	loader := &openapi3.Loader{IncludeOrigin: true, Context: context.Background()}
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("%s: not a readable OpenAPI document: %w", file, err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("%s: invalid OpenAPI document: %w", location(file, err), err)
	}
	sum := sha256.Sum256(data)
	return &Spec{
		API:     api,
		File:    file,
		Doc:     doc,
		SHA256:  hex.EncodeToString(sum[:]),
		Version: doc.Info.Version,
		ops:     compileOperations(api, doc),
	}, nil
}

// location names file and, when kin-openapi recorded where the offending
// element sits, its line. kin-openapi's validation errors carry that place in
// an Origin field of several dozen error types, hence the reflection.
func location(file string, err error) string {
	for _, e := range errorChain(err) {
		v := reflect.ValueOf(e)
		if v.Kind() == reflect.Pointer {
			v = v.Elem()
		}
		if v.Kind() != reflect.Struct {
			continue
		}
		f := v.FieldByName("Origin")
		if !f.IsValid() || !f.CanInterface() {
			continue
		}
		if origin, ok := f.Interface().(*openapi3.Origin); ok && origin != nil && origin.Key != nil && origin.Key.Line > 0 {
			return fmt.Sprintf("%s:%d", file, origin.Key.Line)
		}
	}
	return file
}

// errorChain lists err and everything it wraps, depth first.
func errorChain(err error) []error {
	if err == nil {
		return nil
	}
	out := []error{err}
	switch e := err.(type) {
	case openapi3.MultiError:
		for _, inner := range e {
			out = append(out, errorChain(inner)...)
		}
	case interface{ Unwrap() error }:
		out = append(out, errorChain(e.Unwrap())...)
	case interface{ Unwrap() []error }:
		for _, inner := range e.Unwrap() {
			out = append(out, errorChain(inner)...)
		}
	}
	return out
}
