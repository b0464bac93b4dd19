package load

import (
	"bufio"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"loginharness/internal/results"
	"loginharness/internal/target"
	"loginharness/internal/timeline"
)

// A shard's merge judges each shared scenario with everything every shard
// sent the server before it: the preflight's sign-in and the conformance
// specs count against the limit too. Each shard writes that traffic, as
// its timeline holds it when the shared load begins, to trafficFile in
// Vegeta's encoding, for the merge to read with the scenarios' results.

// trafficFile is the file of a shard's traffic before its load.
const trafficFile = "traffic-before-load" + results.VegetaSuffix

// writeTraffic writes the timeline of the server at baseURL, as it is
// now, to dir's traffic file, atomically.
func writeTraffic(dir, baseURL string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+trafficFile+".tmp-*")
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	buf := bufio.NewWriter(tmp)
	enc := vegeta.NewEncoder(buf)
	for _, rc := range timeline.Process().Timeline(baseURL) {
		if err = enc.Encode(trafficResult(rc)); err != nil {
			break
		}
	}
	err = errors.Join(err, buf.Flush(), tmp.Chmod(0o644), tmp.Close())
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(dir, trafficFile))
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("load: write %s: %w", trafficFile, err)
	}
	return nil
}

// trafficResult is a record as a Vegeta result: its part as the attack
// name, the fields a record is read from as its headers (an HTTP-date
// Retry-After is then read on the client's clock, the server's Date not
// being kept).
func trafficResult(rc timeline.Record) *vegeta.Result {
	h := http.Header{}
	if rc.RetryAfter.Present {
		h.Set("Retry-After", rc.RetryAfter.Raw)
	}
	if rc.RateLimit.PolicyRaw != "" {
		h.Set("RateLimit-Policy", rc.RateLimit.PolicyRaw)
	}
	if rc.RateLimit.LimitRaw != "" {
		h.Set("RateLimit", rc.RateLimit.LimitRaw)
	}
	return &vegeta.Result{Attack: string(rc.Part), Timestamp: rc.Sent, Latency: rc.Latency, Code: uint16(rc.Status), Error: rc.Cause, Headers: h}
}

// readTraffic reads dir's traffic file; a shard that wrote none (written
// before shards kept their traffic) sent nothing the merge can see.
func readTraffic(dir string) ([]timeline.Record, error) {
	got, err := readResultFile(filepath.Join(dir, trafficFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var rr target.RecordReader
	out := make([]timeline.Record, len(got))
	for i := range got {
		out[i] = rr.Read(got[i].Timestamp, got[i].Latency, int(got[i].Code), got[i].Headers, got[i].Error)
		out[i].Part = timeline.Part(got[i].Attack)
	}
	return out, nil
}
