package contract

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
