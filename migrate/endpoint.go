package migrate

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/imredis/imredis/engine/factory"
)

// Endpoints lists the URL forms Run accepts, for help texts and errors.
var Endpoints = []string{"buntdb:PATH", "jsonl:PATH", "redis://HOST:PORT[/DB]", "rediss://HOST:PORT[/DB]", "memory:"}

// kind returns the endpoint kind of rawURL ("buntdb", "jsonl", "redis" or
// "memory") and its path for buntdb and jsonl, or an error naming the forms.
func kind(rawURL string) (k, path string, err error) {
	scheme, rest, found := strings.Cut(rawURL, ":")
	switch k = strings.ToLower(scheme); {
	case !found || rawURL == "":
	case k == "buntdb" || k == "jsonl":
		if rest == "" {
			return "", "", fmt.Errorf("%s needs a path: %s:PATH", k, k)
		}
		return k, rest, nil
	case k == "redis" || k == "rediss":
		if !strings.HasPrefix(rest, "//") {
			break
		}
		if _, err := url.Parse(rawURL); err != nil {
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err // url.Error repeats the URL, password and all
			}
			return "", "", fmt.Errorf("bad %s URL: %w", k, err)
		}
		return "redis", "", nil
	case k == "memory":
		return k, "", nil
	}
	return "", "", fmt.Errorf("unknown endpoint %q: the endpoints are %s",
		redact(rawURL), strings.Join(Endpoints, ", "))
}

// redact returns rawURL with any password replaced by "xxxxx", also when
// rawURL does not parse.
func redact(rawURL string) string {
	if _, err := url.Parse(rawURL); err == nil {
		return factory.Redact(rawURL)
	}
	scheme, rest, ok := strings.Cut(rawURL, "://")
	if at := strings.LastIndex(rest, "@"); ok && at >= 0 {
		user, _, _ := strings.Cut(rest[:at], ":")
		return scheme + "://" + user + ":xxxxx" + rest[at:]
	}
	return rawURL
}

// checkPair checks both URLs before anything is opened.
func checkPair(from, to string) error {
	_, fromPath, err := kind(from)
	if err != nil {
		return fmt.Errorf("migrate: source: %w", err)
	}
	_, toPath, err := kind(to)
	if err != nil {
		return fmt.Errorf("migrate: target: %w", err)
	}
	if from == to && from != "memory:" || fromPath != "" && fromPath == toPath {
		return fmt.Errorf("migrate: source and target are the same: %s", redact(from))
	}
	return nil
}

// openReader opens the source endpoint rawURL.
func openReader(ctx context.Context, rawURL string, o Options) (reader, error) {
	k, path, err := kind(rawURL)
	if err != nil {
		return nil, err
	}
	switch k {
	case "jsonl":
		return openJSONLReader(path, o.Databases)
	case "buntdb":
		// buntdb.Open creates a missing file: a source must exist.
		if _, err := os.Stat(path); err != nil {
			return nil, err
		}
	}
	return openStore(ctx, rawURL, o)
}

// openWriter opens the target endpoint rawURL.
func openWriter(ctx context.Context, rawURL string, o Options) (writer, error) {
	k, path, err := kind(rawURL)
	if err != nil {
		return nil, err
	}
	if k == "jsonl" {
		return newJSONLWriter(path, o.Databases)
	}
	return openStore(ctx, rawURL, o)
}
