package resp

import (
	"sort"
	"sync"

	"github.com/imredis/imredis/internal/glob"
)

// Hub routes published messages to subscribed connections. Publishing only
// queues bytes, so a subscriber that stops reading never slows a publisher;
// it is dropped when its queue passes the output limit.
type Hub struct {
	mu       sync.RWMutex
	channels map[string]map[*Client]struct{}
	patterns map[string]map[*Client]struct{}
}

// NewHub returns an empty hub.
func NewHub() *Hub {
	return &Hub{
		channels: make(map[string]map[*Client]struct{}),
		patterns: make(map[string]map[*Client]struct{}),
	}
}

// subs is a client's subscription state, guarded by the hub's lock.
type subs struct {
	channels map[string]struct{}
	patterns map[string]struct{}
}

func (s *subs) count() int { return len(s.channels) + len(s.patterns) }

// Publish sends payload to every subscriber of channel and of a matching
// pattern, and returns how many received it.
func (h *Hub) Publish(channel string, payload []byte) int {
	return h.PublishFunc(channel, func() []byte { return payload })
}

// PublishFunc is Publish of a payload rendered by render, which it calls
// (once) only when someone receives the message.
func (h *Hub) PublishFunc(channel string, render func() []byte) int {
	var enc [2][]byte // by protocol: RESP2, RESP3
	n := 0
	h.mu.RLock()
	defer h.mu.RUnlock()
	if len(h.channels[channel]) == 0 && len(h.patterns) == 0 {
		return 0
	}
	payload := render()
	for c := range h.channels[channel] {
		h.deliver(c, message(&enc, c.Proto(), "", channel, payload))
		n++
	}
	for pat, cs := range h.patterns {
		if !glob.Match(pat, channel) {
			continue
		}
		var penc [2][]byte
		for c := range cs {
			h.deliver(c, message(&penc, c.Proto(), pat, channel, payload))
			n++
		}
	}
	return n
}

// message encodes (once per protocol) a message or pmessage push.
func message(enc *[2][]byte, proto int, pattern, channel string, payload []byte) []byte {
	i := 0
	if proto >= 3 {
		i = 1
	}
	if enc[i] == nil {
		w := Writer{proto: proto}
		if pattern == "" {
			w.Push(3)
			w.BulkString("message")
		} else {
			w.Push(4)
			w.BulkString("pmessage")
			w.BulkString(pattern)
		}
		w.BulkString(channel)
		w.Bulk(payload)
		enc[i] = w.b
	}
	return enc[i]
}

func (h *Hub) deliver(c *Client, b []byte) {
	if q := c.out; q == nil || !q.push(b) {
		c.Kill() // output buffer limit reached: drop the subscriber
	}
}

// subscribe adds c to channel or pattern names and writes the confirmations.
func (h *Hub) subscribe(c *Client, w *Writer, pattern bool, names []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	kind, idx, mine := h.pick(c, pattern, true)
	for _, n := range names {
		if _, ok := mine[n]; !ok {
			mine[n] = struct{}{}
			if idx[n] == nil {
				idx[n] = make(map[*Client]struct{})
			}
			idx[n][c] = struct{}{}
		}
		confirm(w, kind, n, true, c.subs.count())
	}
	counted(c)
}

// unsubscribe removes c from names (all when names is empty) and writes the
// confirmations.
func (h *Hub) unsubscribe(c *Client, w *Writer, pattern bool, names []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	kind, idx, mine := h.pick(c, pattern, false)
	if len(names) == 0 {
		for n := range mine {
			names = append(names, n)
		}
		sort.Strings(names)
		if len(names) == 0 {
			confirm(w, kind, "", false, c.subs.count())
			return
		}
	}
	for _, n := range names {
		if _, ok := mine[n]; ok {
			delete(mine, n)
			delete(idx[n], c)
			if len(idx[n]) == 0 {
				delete(idx, n)
			}
		}
		confirm(w, kind, n, true, c.subs.count())
	}
	counted(c)
}

// pick returns the reply kind, the hub index and the client's own set; the
// caller holds the lock.
func (h *Hub) pick(c *Client, pattern, sub bool) (string, map[string]map[*Client]struct{}, map[string]struct{}) {
	if c.subs.channels == nil {
		c.subs.channels = make(map[string]struct{})
		c.subs.patterns = make(map[string]struct{})
	}
	kind := "subscribe"
	idx, mine := h.channels, c.subs.channels
	if pattern {
		kind, idx, mine = "psubscribe", h.patterns, c.subs.patterns
	}
	if !sub {
		kind = "un" + kind
		if pattern {
			kind = "punsubscribe"
		}
	}
	return kind, idx, mine
}

// counted records c's subscription counts for CLIENT LIST; the caller holds the lock.
func counted(c *Client) {
	c.nsub.Store(int32(len(c.subs.channels)))
	c.npsub.Store(int32(len(c.subs.patterns)))
}

func confirm(w *Writer, kind, name string, named bool, count int) {
	w.Push(3)
	w.BulkString(kind)
	if named {
		w.BulkString(name)
	} else {
		w.Null()
	}
	w.Int(int64(count))
}

// drop removes every subscription of c.
func (h *Hub) drop(c *Client) {
	var w Writer
	h.unsubscribe(c, &w, false, nil)
	h.unsubscribe(c, &w, true, nil)
}

// Channels returns the active channels matching pattern ("" for all), sorted.
func (h *Hub) Channels(pattern string) []string {
	h.mu.RLock()
	defer h.mu.RUnlock()
	var out []string
	for ch := range h.channels {
		if pattern == "" || glob.Match(pattern, ch) {
			out = append(out, ch)
		}
	}
	sort.Strings(out)
	return out
}

// NumSub returns the number of subscribers of channel.
func (h *Hub) NumSub(channel string) int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.channels[channel])
}

// NumPat returns the number of patterns subscribed to.
func (h *Hub) NumPat() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.patterns)
}

// Subscribers returns how many connections hold at least one subscription.
func (h *Hub) Subscribers() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	seen := map[*Client]struct{}{}
	for _, cs := range h.channels {
		for c := range cs {
			seen[c] = struct{}{}
		}
	}
	for _, cs := range h.patterns {
		for c := range cs {
			seen[c] = struct{}{}
		}
	}
	return len(seen)
}
