package testkit

import (
	"errors"
	"fmt"
	"io"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// DecodeResults reads a Vegeta result stream to its end with Vegeta's own
// decoder and hands each result to each (when not nil). It returns how
// many results decoded, and an error naming the first that did not: a
// truncated or corrupt file.
func DecodeResults(r io.Reader, each func(*vegeta.Result)) (int, error) {
	dec := vegeta.NewDecoder(r)
	n := 0
	for {
		var res vegeta.Result
		err := dec.Decode(&res)
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("result %d does not decode: %w", n+1, err)
		}
		n++
		if each != nil {
			each(&res)
		}
	}
}
