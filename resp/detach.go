package resp

// detach turns a connection that subscribed into a pushed one: from then on
// every reply and every published message goes through the client's output
// queue, written by one writer goroutine, so publishers never wait on this
// connection's socket. It reports false when the replies before it could
// not be written.
func (s *Server) detach(c *Client) bool {
	c.wantDetach = false
	if !c.flush() {
		return false
	}
	if c.guard != nil {
		_ = c.guard.WriteDirect() // the queue writes while the loop reads
	}
	c.detached = true
	go c.out.run(c.conn)
	return true
}

// Hub returns the server's pub/sub hub.
func (s *Server) Hub() *Hub { return s.hub }

// Subscribe subscribes the connection to channels (patterns when pattern is
// set) and writes Redis's confirmations. The first subscription detaches the
// connection (see detach) so that messages can be pushed to it at any time.
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
