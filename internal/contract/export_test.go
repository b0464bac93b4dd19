package contract

import (
	"context"
	"fmt"
	"maps"
	"slices"
)

// BodyVariants reports, for the JSON body documented for a request (status
// 0) or a response, every variant body matches, trying all of them, and
// whether the load-time proof lets validation stop at the first match.
func (c *Contract) BodyVariants(api API, method, path string, status int, body []byte) (matches []string, exclusive bool, ok bool) {
	op, _ := c.find(api, &Exchange{Method: method, Path: path}, false)
	if op == nil {
		return nil, false, false
	}
	docs := op.request
	if status != 0 {
		resp := op.responses.find(status)
		if resp == nil {
			return nil, false, false
		}
		docs = resp.body
	}
	b := docs.bodies[docs.types.Get("application/json")]
	if b == nil {
		return nil, false, false
	}
	value, err := b.decode("application/json", body)
	if err != nil {
		return nil, false, false
	}
	return b.matchingVariants(value), b.exclusive, true
}

// FastResponse runs only the fast path of ValidateResponse: its result and
// "accepted", "rejected" or "undecided" (left to kin-openapi).
func (c *Contract) FastResponse(api API, ex *Exchange) (Result, string) {
	res, v := c.fastResponse(context.Background(), api, ex)
	return res, [...]string{accepted: "accepted", rejected: "rejected", undecided: "undecided"}[v]
}

// KinResponse runs only the kin-openapi path of ValidateResponse.
func (c *Contract) KinResponse(api API, ex *Exchange) Result {
	return c.explainResponse(context.Background(), api, ex)
}

// FastPathCounts reports what the fast path left to kin-openapi so far.
func (c *Contract) FastPathCounts() (fallbacks, rechecks uint64) {
	return c.fallbacks.Load(), c.rechecks.Load()
}

// Uncompiled lists the parts of the documented responses that the fast
// path leaves to kin-openapi: headers, whole bodies, and the sub-schemas
// of compiled bodies, as "api status what".
func (c *Contract) Uncompiled() []string {
	var out []string
	for _, api := range slices.Sorted(maps.Keys(c.specs)) {
		for _, op := range c.specs[api].ops {
			for _, status := range op.meta.Statuses {
				resp := op.responses.byCode[status]
				where := fmt.Sprintf("%s %d ", api, status)
				for _, h := range resp.headers {
					if h.value == nil {
						out = append(out, where+"header "+h.name)
					}
				}
				for name, mt := range resp.body.types {
					b := resp.body.bodies[mt]
					switch {
					case b.schema == nil:
					case b.compiled == nil:
						out = append(out, where+"body "+name)
					default:
						if n := fallbackNodes(b.compiled); n > 0 {
							out = append(out, fmt.Sprintf("%sbody %s: %d sub-schemas", where, name, n))
						}
					}
				}
			}
		}
	}
	return out
}

func fallbackNodes(roots []*schemaNode) int {
	seen := map[*schemaNode]bool{}
	count := 0
	var walk func(n *schemaNode)
	walk = func(n *schemaNode) {
		if n == nil || seen[n] {
			return
		}
		seen[n] = true
		if n.fallback {
			count++
			return
		}
		for _, m := range slices.Concat([]*schemaNode{n.not, n.items, n.additional}, n.oneOf, n.anyOf, n.allOf, n.props) {
			walk(m)
		}
	}
	for _, n := range roots {
		walk(n)
	}
	return count
}

// ReadsAsJSON tells whether the fast path's JSON reader takes text.
func ReadsAsJSON(text string) bool {
	var t tape
	return t.read(text)
}
