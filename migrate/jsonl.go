package migrate

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/imredis/imredis/engine"
)

// jsonlFile returns the file of database db in the backup at path.
func jsonlFile(path string, db int) string {
	if db == 0 {
		return path
	}
	return path + ".db" + strconv.Itoa(db)
}

// jsonlDB returns N when name is the file base + ".dbN" (N >= 1, no leading zero).
func jsonlDB(base, name string) (int, bool) {
	digits, ok := strings.CutPrefix(name, base+".db")
	if !ok || digits == "" || digits[0] == '0' || strings.Trim(digits, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(digits)
	return n, err == nil
}

// eachLine calls fn with every non-blank line of the file at path and its
// 1-based number; a missing file has no lines.
func eachLine(path string, fn func(no int, line []byte) error) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<16)
	for no := 1; ; no++ {
		line, err := r.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			if ferr := fn(no, line); ferr != nil {
				return ferr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// jsonlReader reads a backup written by jsonlWriter.
type jsonlReader struct{ path string }

// openJSONLReader checks that the backup at path exists and holds no
// database file outside 0 to dbs-1.
func openJSONLReader(path string, dbs int) (*jsonlReader, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	dir, base := filepath.Split(path)
	entries, err := os.ReadDir(filepath.Clean(dir + "."))
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if n, ok := jsonlDB(base, e.Name()); ok && n >= dbs {
			return nil, fmt.Errorf("%s holds database %d, but only databases 0 to %d are migrated",
				filepath.Join(dir, e.Name()), n, dbs-1)
		}
	}
	return &jsonlReader{path: path}, nil
}

// Count returns the number of non-blank lines of database db's file.
func (r *jsonlReader) Count(_ context.Context, db int) (int64, error) {
	var n int64
	err := eachLine(jsonlFile(r.path, db), func(int, []byte) error { n++; return nil })
	return n, err
}

// Scan validates each line of database db's file and hands them on n at a time.
func (r *jsonlReader) Scan(ctx context.Context, db, n int, fn func([]*engine.Incident) error) error {
	file := jsonlFile(r.path, db)
	batch := make([]*engine.Incident, 0, n)
	err := eachLine(file, func(no int, line []byte) error {
		inc, err := engine.Parse(line, 0, time.Now())
		if err != nil {
			return fmt.Errorf("%s line %d: %w", file, no, err)
		}
		if batch = append(batch, inc); len(batch) < n {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		err = fn(batch)
		batch = make([]*engine.Incident, 0, n)
		return err
	})
	if err == nil && len(batch) > 0 {
		err = fn(batch)
	}
	return err
}

// Close does nothing: each Count and Scan closes its file.
func (r *jsonlReader) Close() error { return nil }
