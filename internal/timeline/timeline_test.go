package timeline

import (
	"context"
	"sync"
	"testing"
	"time"
)

func TestKeyIsTheBaseURL(t *testing.T) {
	for _, u := range []string{"HTTP://Example.com:8080/v1/", "http://example.com:8080/v1", "http://user:pw@example.com:8080/v1?x=1"} {
		if k := Key(u); k != "http://example.com:8080/v1" {
			t.Errorf("Key(%q) = %q", u, k)
		}
	}
	if Key("http://example.com/v1") == Key("http://example.com/commandcenter/api") {
		t.Error("two APIs of one host share a key")
	}
}

func TestJournalKeepsEveryPartInSendingOrder(t *testing.T) {
	j := NewJournal()
	at := time.Now()
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Go(func() {
			j.Add("http://h/v1/", Record{Sent: at.Add(time.Duration(100-i) * time.Millisecond), Part: LoadPart("ramp", "ramp")})
		})
	}
	wg.Wait()
	j.Add("http://h/v1", Record{Sent: at.Add(-time.Second), Part: PartPreflight})
	tl := j.Timeline("http://H/v1")
	if len(tl) != 101 || tl[0].Part != PartPreflight {
		t.Fatalf("%d records, first %q", len(tl), tl[0].Part)
	}
	for i := 1; i < len(tl); i++ {
		if tl[i].Sent.Before(tl[i-1].Sent) {
			t.Fatalf("record %d sent before %d", i, i-1)
		}
	}
	tl[0].Status = 999
	if j.Timeline("http://h/v1")[0].Status == 999 {
		t.Error("Timeline handed out the journal's own records")
	}
}

func TestParts(t *testing.T) {
	p := LoadPart("obeying-client", "naive")
	if p.Scenario() != "obeying-client" || p.Attack() != "naive" {
		t.Errorf("%q: scenario %q attack %q", p, p.Scenario(), p.Attack())
	}
	if PartPreflight.Scenario() != "" || PartOf(context.Background()) != PartTargetClient {
		t.Error("a part outside load names a scenario, or the default part is wrong")
	}
	if PartOf(WithPart(context.Background(), PartPreflight)) != PartPreflight {
		t.Error("WithPart is lost")
	}
}

func TestWindowHorizonAndSettled(t *testing.T) {
	at := time.Now()
	told := Record{Sent: at, Latency: 10 * time.Millisecond, Status: 429, RetryAfter: RetryAfter{Present: true, Raw: "3", Wait: 3 * time.Second}}
	policy := Record{Sent: at, Status: 200, RateLimit: RateLimit{Policies: []Policy{{Quota: 10, Window: 5 * time.Second}}}}
	if w := Window([]Record{told}, MinWindow, true); w != 3*time.Second {
		t.Errorf("window of a 3 s Retry-After: %s", w)
	}
	if w := Window([]Record{told}, MinWindow, false); w != MinWindow {
		t.Errorf("window without Retry-After counted: %s", w)
	}
	if w := Window([]Record{told, policy}, MinWindow, true); w != 5*time.Second {
		t.Errorf("window with a 5 s policy: %s", w)
	}
	if h := Horizon(nil); h != 2*MinWindow {
		t.Errorf("horizon of nothing: %s", h)
	}
	if s := Settled([]Record{told}); !s.Equal(told.Received().Add(6 * time.Second)) {
		t.Errorf("settled %s after the 429, want two 3 s windows after its answer", s.Sub(told.Received()))
	}
	if !Settled(nil).IsZero() {
		t.Error("nothing sent, yet something to wait for")
	}
	if r := DeclaredRate([]Record{policy}); r != 2 {
		t.Errorf("declared rate %v, want 2/s", r)
	}
}
