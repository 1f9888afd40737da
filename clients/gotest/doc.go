// Package gotest runs go-redis v9, over RESP3 (its default) and RESP2, through
// the client matrix of clients/: AUTH, the incident commands, a pipeline, the
// seed's llm-im: keyspace flow, the change feed and error replies. The checks
// live in its tests; `go test ./...` runs them on an in-process server.
package gotest
