package contract

import (
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"
)

// RequestVariant is one shape an operation's JSON request body may take: a
// member of a bare oneOf, named as Operation.RequestVariants names it, or,
// when the body has no oneOf, the whole schema with an empty Name.
type RequestVariant struct {
	Name   string
	Schema *openapi3.Schema
}

// RequestVariants lists the shapes of op's application/json request body in
// the spec's order, so that a suite can derive inputs from each without
// reading the document again.
func (s *Spec) RequestVariants(op Operation) ([]RequestVariant, error) {
	compiled := s.operation(op)
	if compiled == nil {
		return nil, fmt.Errorf("%s: %s %s is not an operation of %s", op.ID, op.Method, op.Path, s.File)
	}
	mt := compiled.request.types.Get("application/json")
	check := compiled.request.bodies[mt]
	if mt == nil || check == nil || check.schema == nil {
		return nil, fmt.Errorf("%s: no application/json request schema is documented", op.ID)
	}
	if len(check.variants) == 0 {
		return []RequestVariant{{Schema: check.schema}}, nil
	}
	out := make([]RequestVariant, 0, len(check.variants))
	for _, v := range check.variants {
		out = append(out, RequestVariant{Name: v.name, Schema: v.schema})
	}
	return out, nil
}

// operation is the compiled operation op describes, nil when there is none.
func (s *Spec) operation(op Operation) *operation {
	for _, o := range s.ops {
		if o.meta.Method == op.Method && o.meta.Path == op.Path {
			return o
		}
	}
	return nil
}

// LoginOperation is the sign-in operation of api: the one operation each
// login spec documents.
func (c *Contract) LoginOperation(api API) (Operation, error) {
	s := c.Spec(api)
	if s == nil {
		return Operation{}, fmt.Errorf("the contract has no %s spec", api)
	}
	if len(s.ops) != 1 {
		return Operation{}, fmt.Errorf("the %s spec has %d operations, want the login alone", api, len(s.ops))
	}
	return s.ops[0].meta.clone(), nil
}
