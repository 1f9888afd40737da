package resp

import (
	"github.com/tidwall/redcon"
)

// runDetached serves a connection that subscribed: redcon hands it over, and
// from then on every reply and every published message goes through the
// client's output queue, written by one writer goroutine, so publishers never
// wait on this connection's socket.
func (s *Server) runDetached(c *Client, dc redcon.DetachedConn) {
	if c.guard != nil {
		_ = c.guard.WriteDirect() // the queue writes while this loop reads
	}
	dc.Flush() // replies redcon still buffered, before the queue writes anything
	go c.out.run(dc.NetConn())
	defer s.dropDetached(c, dc)
	for {
		cmd, err := dc.ReadCommand()
		if err != nil {
			return
		}
		if !c.out.push(s.exec(c, cmd.Args)) {
			return
		}
		if c.closing {
			return
		}
	}
}

func (s *Server) dropDetached(c *Client, dc redcon.DetachedConn) {
	s.hub.drop(c)
	c.out.finish(true)
	s.clients.remove(c)
	if s.opts.OnDisconnect != nil {
		s.opts.OnDisconnect()
	}
}

// Hub returns the server's pub/sub hub.
func (s *Server) Hub() *Hub { return s.hub }

// Subscribe subscribes the connection to channels (patterns when pattern is
// set) and writes Redis's confirmations. The first subscription detaches the
// connection from redcon so that messages can be pushed to it at any time.
func (c *Ctx) Subscribe(pattern bool, names []string) {
	if c.out == nil {
		c.out = newOutQueue(c.srv.opts.OutputLimit)
		c.wantDetach = true
	}
	c.srv.hub.subscribe(c.Client, c.W, pattern, names)
}

// Unsubscribe removes subscriptions (all of the kind when names is empty).
func (c *Ctx) Unsubscribe(pattern bool, names []string) {
	c.srv.hub.unsubscribe(c.Client, c.W, pattern, names)
}

// Subscribed reports whether the connection holds any subscription.
func (c *Ctx) Subscribed() bool { return c.subs.count() > 0 }

// ResetConn returns the connection to its initial state (RESET), dropping its
// subscriptions.
func (c *Ctx) ResetConn(authed bool) {
	c.srv.hub.drop(c.Client)
	c.Client.Reset(authed)
}
