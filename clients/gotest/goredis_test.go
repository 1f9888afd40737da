package gotest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/imredis/imredis/commands"
	"github.com/imredis/imredis/internal/servertest"
)

const (
	password = "secret"
	events   = "llm-im:events"
)

// incident returns a valid incident document with a fresh v4 id.
func incident(t *testing.T, source string) (id, doc string) {
	t.Helper()
	id = uuid.NewString()
	b, err := json.Marshal(map[string]string{
		"id": id, "severity": "P1", "incident_type": "Infrastructure",
		"source": source, "title": "client matrix probe",
	})
	if err != nil {
		t.Fatal(err)
	}
	return id, string(b)
}

// start serves imredis with requirepass and returns a client for proto.
func start(t *testing.T, proto int) (*servertest.Server, *redis.Client) {
	t.Helper()
	s := servertest.Start(t, servertest.WithConfig(func(c *commands.Config) { c.Password = password }))
	return s, s.ClientWith(t, &redis.Options{Protocol: proto, Password: password})
}

func TestGoRedis(t *testing.T) {
	for _, proto := range []int{3, 2} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			t.Parallel()
			s, c := start(t, proto)
			t.Run("connect", func(t *testing.T) { testConnect(t, c, proto) })
			t.Run("incident commands", func(t *testing.T) { testIncidentCommands(t, c, proto) })
			t.Run("pipeline", func(t *testing.T) { testPipeline(t, c) })
			t.Run("seed layout", func(t *testing.T) { testSeedLayout(t, c) })
			t.Run("change feed", func(t *testing.T) { testChangeFeed(t, s, c, proto) })
			t.Run("error reply", func(t *testing.T) { testErrorReply(t, c) })
			t.Run("info server", func(t *testing.T) { testInfoServer(t, c) })
			t.Run("client name", func(t *testing.T) { testClientName(t, c, proto) })
			t.Run("noauth", func(t *testing.T) { testNoAuth(t, s, proto) })
			t.Run("wrong password", func(t *testing.T) { testWrongPassword(t, s, proto) })
			t.Run("command table", func(t *testing.T) { testCommandTable(t, s, c) })
		})
	}
}

func testConnect(t *testing.T, c *redis.Client, proto int) {
	ctx := t.Context()
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	info, err := c.ClientInfo(ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	if info.Resp != proto || info.User != "default" || !strings.HasPrefix(info.LibName, "go-redis") {
		t.Fatalf("CLIENT INFO = resp %d user %q lib-name %q; want resp %d, default, go-redis...", info.Resp, info.User, info.LibName, proto)
	}
}

func testIncidentCommands(t *testing.T, c *redis.Client, proto int) {
	ctx := t.Context()
	source := "go-" + uuid.NewString()
	id, doc := incident(t, source)
	if got, err := c.Do(ctx, "INC.SAVE", doc).Text(); err != nil || got != id {
		t.Fatalf("INC.SAVE = %q, %v; want %q", got, err, id)
	}
	js, err := c.Do(ctx, "INC.GET", id).Text()
	if err != nil || !strings.Contains(js, `"state":"Detected"`) {
		t.Fatalf("INC.GET = %s, %v", js, err)
	}
	list, err := c.Do(ctx, "INC.LIST", "SOURCE", source).StringSlice()
	if err != nil || len(list) != 1 || !strings.Contains(list[0], id) {
		t.Fatalf("INC.LIST = %q, %v", list, err)
	}
	if n, err := c.Do(ctx, "INC.COUNT", "SOURCE", source).Int(); err != nil || n != 1 {
		t.Fatalf("INC.COUNT = %d, %v", n, err)
	}
	if err := c.Do(ctx, "INC.GET", uuid.NewString()).Err(); !errors.Is(err, redis.Nil) {
		t.Fatalf("INC.GET of a missing id: err %v, want redis.Nil", err)
	}
	stats, err := c.Do(ctx, "INC.STATS").Result()
	if err != nil {
		t.Fatal(err)
	}
	switch v := stats.(type) {
	case map[any]any:
		if proto != 3 || v["total"] == nil {
			t.Fatalf("INC.STATS under RESP%d = %#v", proto, v)
		}
	case []any:
		if proto != 2 || len(v) < 2 || v[0] != "total" {
			t.Fatalf("INC.STATS under RESP%d = %#v", proto, v)
		}
	default:
		t.Fatalf("INC.STATS = %#v", stats)
	}
}

func testPipeline(t *testing.T, c *redis.Client) {
	ctx := t.Context()
	ids := make([]string, 50)
	cmds, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i := range ids {
			id, doc := incident(t, "go-pipeline")
			ids[i] = id
			p.Do(ctx, "INC.SAVE", doc)
			p.Do(ctx, "INC.GET", id)
		}
		return nil
	})
	if err != nil || len(cmds) != 100 {
		t.Fatalf("pipeline: %d replies, %v", len(cmds), err)
	}
	for i, id := range ids {
		if got := cmds[2*i].(*redis.Cmd).Val(); got != id {
			t.Fatalf("reply %d = %v, want %s", 2*i, got, id)
		}
		if got, _ := cmds[2*i+1].(*redis.Cmd).Text(); !strings.Contains(got, id) {
			t.Fatalf("reply %d = %s", 2*i+1, got)
		}
	}
	args := []any{"INC.DEL"}
	for _, id := range ids {
		args = append(args, id)
	}
	if n, err := c.Do(ctx, args...).Int(); err != nil || n != 50 {
		t.Fatalf("INC.DEL = %d, %v", n, err)
	}
}

func testSeedLayout(t *testing.T, c *redis.Client) {
	ctx := t.Context()
	id, doc := incident(t, "go-seed")
	if err := c.Do(ctx, "INC.SAVE", doc).Err(); err != nil {
		t.Fatal(err)
	}
	key := "llm-im:incident:" + id
	if js, err := c.Get(ctx, key).Result(); err != nil || !strings.Contains(js, id) {
		t.Fatalf("GET %s = %s, %v", key, js, err)
	}
	if m, err := c.SMembers(ctx, "llm-im:severity:P1").Result(); err != nil || !slices.Contains(m, id) {
		t.Fatalf("SMEMBERS llm-im:severity:P1 lacks %s: %v", id, err)
	}
	if n, err := c.SAdd(ctx, "llm-im:severity:P1", id).Result(); err != nil || n != 0 {
		t.Fatalf("SADD of a member = %d, %v", n, err)
	}
	temp := "llm-im:temp:" + uuid.NewString()
	if n, err := c.SUnionStore(ctx, temp, "llm-im:severity:P1", "llm-im:severity:P2").Result(); err != nil || n < 1 {
		t.Fatalf("SUNIONSTORE = %d, %v", n, err)
	}
	if ok, err := c.Expire(ctx, temp, time.Minute).Result(); err != nil || !ok {
		t.Fatalf("EXPIRE = %v, %v", ok, err)
	}
	if ttl, err := c.TTL(ctx, temp).Result(); err != nil || ttl <= 0 || ttl > time.Minute {
		t.Fatalf("TTL = %v, %v", ttl, err)
	}
	if m, err := c.SInter(ctx, temp, "llm-im:state:Detected").Result(); err != nil || !slices.Contains(m, id) {
		t.Fatalf("SINTER lacks %s: %v", id, err)
	}
	if keys := scan(t, c, key); !slices.Equal(keys, []string{key}) {
		t.Fatalf("SCAN MATCH %s = %q", key, keys)
	}
	if n, err := c.Del(ctx, key).Result(); err != nil || n != 1 {
		t.Fatalf("DEL %s = %d, %v", key, n, err)
	}
	if keys := scan(t, c, key); len(keys) != 0 {
		t.Fatalf("SCAN MATCH %s after DEL = %q", key, keys)
	}
	if ok, err := c.SIsMember(ctx, "llm-im:incidents", id).Result(); err != nil || ok {
		t.Fatalf("SISMEMBER llm-im:incidents after DEL = %v, %v", ok, err)
	}
	if n, err := c.Del(ctx, temp).Result(); err != nil || n != 1 {
		t.Fatalf("DEL %s = %d, %v", temp, n, err)
	}
}

// event is one change-feed message.
type event struct {
	Op        string `json:"op"`
	DB        *int   `json:"db"`
	ID        string `json:"id"`
	Severity  string `json:"severity"`
	State     string `json:"state"`
	UpdatedAt string `json:"updated_at"`
}

// scan walks the keyspace with go-redis's SCAN iterator.
func scan(t *testing.T, c *redis.Client, match string) []string {
	t.Helper()
	var keys []string
	it := c.Scan(t.Context(), 0, match, 500).Iterator()
	for it.Next(t.Context()) {
		keys = append(keys, it.Val())
	}
	if err := it.Err(); err != nil {
		t.Fatalf("SCAN MATCH %s: %v", match, err)
	}
	return keys
}

func testChangeFeed(t *testing.T, s *servertest.Server, c *redis.Client, proto int) {
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	sub := s.ClientWith(t, &redis.Options{Protocol: proto, Password: password}).Subscribe(ctx, events)
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil {
		t.Fatal(err)
	}
	id, doc := incident(t, "go-feed")
	if err := c.Do(ctx, "INC.SAVE", doc).Err(); err != nil {
		t.Fatal(err)
	}
	for {
		msg, err := sub.ReceiveMessage(ctx)
		if err != nil {
			t.Fatalf("no change-feed message for %s: %v", id, err)
		}
		var ev event
		if err := json.Unmarshal([]byte(msg.Payload), &ev); err != nil {
			t.Fatalf("payload %q: %v", msg.Payload, err)
		}
		if ev.ID != id {
			continue
		}
		if msg.Channel != events || ev.Op != "saved" || ev.DB == nil || *ev.DB != 0 ||
			ev.Severity != "P1" || ev.State != "Detected" || ev.UpdatedAt == "" {
			t.Fatalf("change-feed message on %q: %s", msg.Channel, msg.Payload)
		}
		return
	}
}

func testErrorReply(t *testing.T, c *redis.Client) {
	ctx := t.Context()
	err := c.Do(ctx, "INC.SAVE", "{not json").Err()
	var rerr redis.Error
	if !errors.As(err, &rerr) || !strings.HasPrefix(err.Error(), "INVALID ") {
		t.Fatalf("INC.SAVE of bad JSON: %T %v; want a redis.Error starting INVALID", err, err)
	}
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatal(err)
	}
}

func testInfoServer(t *testing.T, c *redis.Client) {
	info, err := c.Info(t.Context(), "server").Result()
	if err != nil || !strings.Contains(info, "\r\nredis_version:"+servertest.RedisVersion+"\r\n") {
		t.Fatalf("INFO server = %q, %v", info, err)
	}
}

func testClientName(t *testing.T, c *redis.Client, proto int) {
	ctx := t.Context()
	// go-redis pools connections: pin one so GETNAME sees its own SETNAME.
	conn := c.Conn()
	defer conn.Close()
	name := fmt.Sprintf("go-resp%d", proto)
	if ok, err := conn.ClientSetName(ctx, name).Result(); err != nil || !ok {
		t.Fatalf("CLIENT SETNAME = %v, %v", ok, err)
	}
	if got, err := conn.ClientGetName(ctx).Result(); err != nil || got != name {
		t.Fatalf("CLIENT GETNAME = %q, %v", got, err)
	}
}

func testNoAuth(t *testing.T, s *servertest.Server, proto int) {
	anon := s.ClientWith(t, &redis.Options{Protocol: proto})
	err := anon.Do(t.Context(), "INC.COUNT").Err()
	if err == nil || err.Error() != "NOAUTH Authentication required." {
		t.Fatalf("INC.COUNT before AUTH: %v; want NOAUTH Authentication required.", err)
	}
}

func testWrongPassword(t *testing.T, s *servertest.Server, proto int) {
	bad := s.ClientWith(t, &redis.Options{Protocol: proto, Password: "wrong-password"})
	err := bad.Do(t.Context(), "INC.COUNT").Err()
	if err == nil || err.Error() != "WRONGPASS invalid username-password pair or user is disabled." {
		t.Fatalf("wrong password: %v; want WRONGPASS", err)
	}
}

// matrixCommands are the commands the client matrix sends, by name.
var matrixCommands = []string{
	"auth", "hello", "ping", "echo", "quit", "reset", "select", "client", "info", "command", "config",
	"inc.save", "inc.get", "inc.mget", "inc.update", "inc.del", "inc.list", "inc.count", "inc.fp", "inc.stats",
	"get", "mget", "set", "del", "exists", "type", "smembers", "scard", "sismember", "smismember",
	"sinter", "sunion", "sdiff", "sintercard", "sadd", "srem", "sunionstore", "sinterstore", "sdiffstore",
	"expire", "pexpire", "ttl", "pttl", "persist", "keys", "scan",
	"subscribe", "psubscribe", "unsubscribe", "punsubscribe", "publish", "pubsub",
}

// testCommandTable checks that COMMAND COUNT, COMMAND LIST and COMMAND (as
// go-redis parses it) cover every command the server serves.
func testCommandTable(t *testing.T, s *servertest.Server, c *redis.Client) {
	ctx := t.Context()
	var served []string
	for _, cmd := range s.Table.All() {
		served = append(served, cmd.Name)
	}
	if n, err := c.Do(ctx, "COMMAND", "COUNT").Int(); err != nil || n != len(served) {
		t.Fatalf("COMMAND COUNT = %d, %v; the table serves %d", n, err, len(served))
	}
	list, err := c.CommandList(ctx, nil).Result()
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(list)
	if !slices.Equal(list, served) {
		t.Fatalf("COMMAND LIST = %q\nserved: %q", list, served)
	}
	infos, err := c.Command(ctx).Result()
	if err != nil {
		t.Fatalf("COMMAND as go-redis parses it: %v", err)
	}
	for _, name := range served {
		if infos[name] == nil {
			t.Errorf("COMMAND lacks %s", name)
		}
	}
	for _, name := range matrixCommands {
		if !slices.Contains(served, name) {
			t.Errorf("%s is not served", name)
		}
	}
}
