package mock

import (
	"hash/maphash"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// keyedLimiter keeps one token bucket per key in bounded memory.
//
// Keys are stored as 128-bit hashes, so long tokens cost nothing extra. Each
// of the 64 shards holds at most its share of maxKeys (so at most maxKeys,
// and at least 64 in all), in least-recently-used order.
// Only a full bucket is ever evicted: it is indistinguishable from a new
// one, so eviction never makes the limiter lenient. When a shard is full of
// busy buckets, new keys share one overflow bucket: a flood of fresh keys is
// throttled as one client, and the keys already tracked keep their buckets.
type keyedLimiter struct {
	limit    rate.Limit
	burst    int
	perShard int
	seeds    [2]maphash.Seed
	shards   [limiterShards]limiterShard
	overflow *rate.Limiter
}

const limiterShards = 64

type limiterShard struct {
	mu         sync.Mutex
	buckets    map[[2]uint64]*bucket
	head, tail *bucket  // most and least recently used
	_          [64]byte // keeps shards' locks off each other's cache lines
}

type bucket struct {
	key        [2]uint64
	lim        *rate.Limiter
	prev, next *bucket
}

func newKeyedLimiter(perSecond float64, burst, maxKeys int) *keyedLimiter {
	l := &keyedLimiter{
		limit:    rate.Limit(perSecond),
		burst:    burst,
		perShard: max(1, maxKeys/limiterShards),
		seeds:    [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()},
		overflow: rate.NewLimiter(rate.Limit(perSecond), burst),
	}
	for i := range l.shards {
		l.shards[i].buckets = map[[2]uint64]*bucket{}
	}
	return l
}

// admit takes one token for key at now. It returns 0 when the request may
// be served, or else how long until a request of this key would be: the
// token is then given back, since the refused request is not served.
func (l *keyedLimiter) admit(key string, now time.Time) time.Duration {
	h := [2]uint64{maphash.String(l.seeds[0], key), maphash.String(l.seeds[1], key)}
	s := &l.shards[h[0]%limiterShards]
	s.mu.Lock()
	defer s.mu.Unlock()
	r := l.bucketFor(s, h, now).ReserveN(now, 1)
	wait := r.DelayFrom(now)
	if wait > 0 {
		r.CancelAt(now)
	}
	return wait
}

func (l *keyedLimiter) bucketFor(s *limiterShard, key [2]uint64, now time.Time) *rate.Limiter {
	if b, ok := s.buckets[key]; ok {
		s.moveToFront(b)
		return b.lim
	}
	var b *bucket
	switch {
	case len(s.buckets) < l.perShard:
		b = &bucket{lim: rate.NewLimiter(l.limit, l.burst)}
	case s.tail.lim.TokensAt(now) >= float64(l.burst):
		b = s.tail // full, so as good as new
		s.unlink(b)
		delete(s.buckets, b.key)
	default:
		return l.overflow
	}
	b.key = key
	s.buckets[key] = b
	s.pushFront(b)
	return b.lim
}

func (s *limiterShard) moveToFront(b *bucket) {
	if s.head != b {
		s.unlink(b)
		s.pushFront(b)
	}
}

func (s *limiterShard) pushFront(b *bucket) {
	b.prev, b.next = nil, s.head
	if s.head != nil {
		s.head.prev = b
	}
	s.head = b
	if s.tail == nil {
		s.tail = b
	}
}

func (s *limiterShard) unlink(b *bucket) {
	if b.prev != nil {
		b.prev.next = b.next
	} else {
		s.head = b.next
	}
	if b.next != nil {
		b.next.prev = b.prev
	} else {
		s.tail = b.prev
	}
	b.prev, b.next = nil, nil
}
