package commands

import (
	"bytes"

	"github.com/tidwall/gjson"

	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/resp"
)

// GET key
// MGET key [key ...]
// SET key value

func (k *keyspace) cmdGet(c *resp.Ctx, a [][]byte) {
	ref := k.key(a[1])
	if ref.kind == keyIncident {
		doc, err := k.getIncident(c, &ref)
		switch {
		case err != nil:
			c.W.Err(err)
		case doc == nil:
			c.W.Null()
		default:
			c.W.Bulk(doc)
		}
		return
	}
	ok, err := k.exists(c.Context(), c.DB(), &ref)
	switch {
	case err != nil:
		c.W.Err(err)
	case ok:
		c.W.Err(resp.ErrWrongType)
	default:
		c.W.Null()
	}
}

func (k *keyspace) getIncident(c *resp.Ctx, ref *keyRef) ([]byte, error) {
	if !engine.ValidUUID(ref.id) {
		return nil, nil
	}
	return k.d.Store.Get(c.Context(), c.DB(), ref.id)
}

// cmdMGet answers nil for every key that is not an existing incident, as
// Redis does for keys of another type.
func (k *keyspace) cmdMGet(c *resp.Ctx, a [][]byte) {
	refs, err := k.keys(a[1:])
	if err != nil {
		c.W.Err(err)
		return
	}
	var ids []string
	var at []int
	for i := range refs {
		if refs[i].kind == keyIncident && engine.ValidUUID(refs[i].id) {
			ids, at = append(ids, refs[i].id), append(at, i)
		}
	}
	out := make([][]byte, len(refs))
	if len(ids) > 0 {
		found, err := k.d.Store.MGet(c.Context(), c.DB(), ids)
		if err != nil {
			c.W.Err(err)
			return
		}
		for j, doc := range found {
			out[at[j]] = doc
		}
	}
	docs(c.W, out)
}

// parseSet accepts SET key value; options such as EX or NX are refused.
func parseSet(a [][]byte) (key, value []byte, err error) {
	if len(a) != 3 {
		return nil, nil, resp.ErrSyntax
	}
	return a[1], a[2], nil
}

// cmdSet saves an incident under its key, as INC.SAVE does. The document's
// id must be the key's; a document without one takes the key's.
func (k *keyspace) cmdSet(c *resp.Ctx, a [][]byte) {
	key, value, err := parseSet(a)
	if err != nil {
		c.W.Err(err)
		return
	}
	ref := k.key(key)
	switch {
	case ref.kind == keyOutside:
		err = resp.ErrOutsideKeys
	case ref.kind != keyIncident:
		err = resp.ErrWrongType // a set key of this keyspace cannot hold a string
	case !engine.ValidUUID(ref.id):
		err = engine.Invalidf("id must be a UUID")
	}
	if err != nil {
		c.W.Err(err)
		return
	}
	inc, err := engine.ParseShared(withKeyID(value, ref.id), k.d.Config.MaxIncidentBytes, k.d.now())
	if err == nil {
		defer inc.Release()
	}
	if err == nil && inc.ID != ref.id {
		err = engine.Invalidf("id %s does not match the key's id %s", inc.ID, ref.id)
	}
	if err == nil {
		err = k.d.Store.Save(c.Context(), c.DB(), inc)
	}
	if err != nil {
		c.W.Err(err)
		return
	}
	c.W.Simple("OK")
}

// withKeyID gives a JSON object without an id (absent or null) the key's id.
// Anything else is returned unchanged for engine.Parse to judge.
func withKeyID(doc []byte, id string) []byte {
	if !gjson.ValidBytes(doc) {
		return doc
	}
	root := gjson.ParseBytes(doc)
	if !root.IsObject() {
		return doc
	}
	quoted := `"` + id + `"`
	v := root.Get("id")
	switch {
	case v.Exists() && v.Type != gjson.Null:
		return doc
	case v.Exists():
		if v.Index <= 0 || v.Index+len(v.Raw) > len(doc) {
			return doc
		}
		out := append([]byte{}, doc[:v.Index]...)
		out = append(out, quoted...)
		return append(out, doc[v.Index+len(v.Raw):]...)
	}
	open := bytes.IndexByte(doc, '{') + 1
	field := `"id":` + quoted
	root.ForEach(func(_, _ gjson.Result) bool {
		field += "," // the object has fields: separate the new one
		return false
	})
	out := append([]byte{}, doc[:open]...)
	out = append(out, field...)
	return append(out, doc[open:]...)
}
