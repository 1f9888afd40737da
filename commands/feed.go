package commands

import (
	"strconv"

	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/resp"
)

// ChangeFeed returns the engine.Options.OnCommit function that publishes each
// committed write on "<prefix>:events" through hub, as API.md's change feed
// describes. The engine calls it in commit order; publishing only queues bytes,
// and renders the message only when someone is subscribed.
func ChangeFeed(hub *resp.Hub, prefix string) func(engine.Event) {
	channel := prefix + ":events"
	return func(e engine.Event) {
		hub.PublishFunc(channel, func() []byte { return EventJSON(e) })
	}
}

// EventJSON renders one change-feed message.
func EventJSON(e engine.Event) []byte {
	b := make([]byte, 0, 160)
	b = append(b, `{"op":"`...)
	b = append(b, e.Op...)
	b = append(b, `","db":`...)
	b = strconv.AppendInt(b, int64(e.DB), 10)
	b = append(b, `,"id":"`...)
	b = append(b, e.ID...)
	b = append(b, `","severity":"`...)
	b = append(b, e.Severity.String()...)
	b = append(b, `","state":"`...)
	b = append(b, e.State.String()...)
	b = append(b, `","updated_at":"`...)
	b = engine.AppendTime(b, e.UpdatedAt)
	return append(b, `"}`...)
}
