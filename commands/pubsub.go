package commands

import (
	"strings"

	"github.com/imredis/imredis/resp"
)

// SUBSCRIBE channel [channel ...]      PSUBSCRIBE pattern [pattern ...]
// UNSUBSCRIBE [channel ...]            PUNSUBSCRIBE [pattern ...]
// PUBLISH channel message              PUBSUB CHANNELS [pattern] | NUMSUB [channel ...] | NUMPAT

func registerPubSub(t *resp.Table, d *Deps) {
	const g = "pubsub"
	ps := resp.FlagPubSub | resp.FlagLoading
	sub := ps | resp.FlagSubscribed
	for _, c := range []resp.Command{
		{Name: "subscribe", Arity: -2, Flags: sub, Syntax: "channel [channel ...]", Summary: "Listens for messages published to channels.", Handler: subscribeCmd(false, true)},
		{Name: "psubscribe", Arity: -2, Flags: sub, Syntax: "pattern [pattern ...]", Summary: "Listens for messages published to channels that match patterns.", Handler: subscribeCmd(true, true)},
		{Name: "unsubscribe", Arity: -1, Flags: sub, Syntax: "[channel [channel ...]]", Summary: "Stops listening to channels.", Handler: subscribeCmd(false, false)},
		{Name: "punsubscribe", Arity: -1, Flags: sub, Syntax: "[pattern [pattern ...]]", Summary: "Stops listening to patterns.", Handler: subscribeCmd(true, false)},
		{Name: "publish", Arity: 3, Flags: ps | resp.FlagFast, Syntax: "channel message", Summary: "Posts a message to a channel.", Handler: cmdPublish},
		{Name: "pubsub", Arity: -2, Flags: ps, Syntax: "CHANNELS [pattern] | NUMSUB [channel ...] | NUMPAT", Summary: "Inspects the state of the pub/sub subsystem.", Handler: cmdPubSub},
	} {
		c.Group = g
		t.Register(c)
	}
}

func strs(a [][]byte) []string {
	out := make([]string, len(a))
	for i, b := range a {
		out[i] = string(b)
	}
	return out
}

func subscribeCmd(pattern, sub bool) resp.Handler {
	return func(c *resp.Ctx, a [][]byte) {
		if sub {
			c.Subscribe(pattern, strs(a[1:]))
			return
		}
		c.Unsubscribe(pattern, strs(a[1:]))
	}
}

func cmdPublish(c *resp.Ctx, a [][]byte) {
	c.W.Int(int64(c.Server().Hub().Publish(string(a[1]), a[2])))
}

func cmdPubSub(c *resp.Ctx, a [][]byte) {
	hub := c.Server().Hub()
	switch sub := strings.ToLower(string(a[1])); sub {
	case "channels":
		if len(a) > 3 {
			c.W.Err(resp.WrongArity("pubsub|channels"))
			return
		}
		pattern := ""
		if len(a) == 3 {
			pattern = string(a[2])
		}
		c.W.StringList(hub.Channels(pattern))
	case "numsub":
		c.W.Array(2 * (len(a) - 2)) // a flat array under RESP3 too, as Redis replies
		for _, ch := range a[2:] {
			c.W.Bulk(ch)
			c.W.Int(int64(hub.NumSub(string(ch))))
		}
	case "numpat":
		if len(a) != 2 {
			c.W.Err(resp.WrongArity("pubsub|numpat"))
			return
		}
		c.W.Int(int64(hub.NumPat()))
	default:
		c.W.Err(resp.UnknownSubcommand(a[1], "pubsub"))
	}
}
