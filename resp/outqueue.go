package resp

import (
	"net"
	"sync"
)

// outQueue holds the bytes waiting to be written to a detached connection:
// command replies and pub/sub messages, in order. Pushing never blocks; a
// queue that grows past its limit refuses the push and its client is dropped.
type outQueue struct {
	mu         sync.Mutex
	cond       *sync.Cond
	buf        []byte
	limit      int
	closed     bool // no more pushes; the writer exits once drained
	closeAfter bool // close the connection once drained
}

func newOutQueue(limit int) *outQueue {
	q := &outQueue{limit: limit}
	q.cond = sync.NewCond(&q.mu)
	return q
}

// push appends b; false when the queue is closed or b would pass the limit.
func (q *outQueue) push(b []byte) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed || (q.limit > 0 && len(q.buf)+len(b) > q.limit) {
		return false
	}
	q.buf = append(q.buf, b...)
	q.cond.Signal()
	return true
}

// finish stops the queue; with closeConn the writer closes the connection
// after writing what is queued.
func (q *outQueue) finish(closeConn bool) {
	q.mu.Lock()
	q.closed = true
	q.closeAfter = q.closeAfter || closeConn
	q.cond.Signal()
	q.mu.Unlock()
}

// run writes queued bytes to conn until the queue is finished and drained or
// a write fails.
func (q *outQueue) run(conn net.Conn) {
	var spare []byte
	for {
		q.mu.Lock()
		for len(q.buf) == 0 && !q.closed {
			q.cond.Wait()
		}
		if len(q.buf) == 0 {
			closeConn := q.closeAfter
			q.mu.Unlock()
			if closeConn {
				conn.Close()
			}
			return
		}
		buf := q.buf
		q.buf = spare[:0]
		q.mu.Unlock()
		if _, err := conn.Write(buf); err != nil {
			q.finish(false)
			conn.Close()
			return
		}
		spare = buf
	}
}
