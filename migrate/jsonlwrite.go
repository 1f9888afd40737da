package migrate

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/imredis/imredis/engine"
)

// jsonlWriter writes each database to a temporary file beside its final
// name and moves them all into place on Commit.
type jsonlWriter struct {
	path    string
	dbs     int
	cur     *os.File      // the open temporary file, or nil
	buf     *bufio.Writer // buffers cur
	pending map[int]string
}

// newJSONLWriter prepares a backup at path, creating its directory.
func newJSONLWriter(path string, dbs int) (*jsonlWriter, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	return &jsonlWriter{path: path, dbs: dbs, pending: map[int]string{}}, nil
}

// Write appends each incident's document as one line of database db's file.
func (w *jsonlWriter) Write(_ context.Context, db int, incs []*engine.Incident) (int, error) {
	if w.cur == nil {
		f, err := w.temp()
		if err != nil {
			return 0, err
		}
		w.cur, w.buf = f, bufio.NewWriterSize(f, 1<<16)
		w.pending[db] = f.Name()
	}
	for _, inc := range incs {
		w.buf.Write(inc.Doc)
		if err := w.buf.WriteByte('\n'); err != nil {
			return 0, fmt.Errorf("write %s: %w", w.cur.Name(), err)
		}
	}
	return len(incs), nil
}

// temp creates a temporary file beside the backup.
func (w *jsonlWriter) temp() (*os.File, error) {
	return os.CreateTemp(filepath.Dir(w.path), filepath.Base(w.path)+".*.tmp")
}

// Done flushes, fsyncs and closes database db's temporary file.
func (w *jsonlWriter) Done(context.Context, int) error {
	if w.cur == nil {
		return nil
	}
	f := w.cur
	w.cur = nil
	err := w.buf.Flush()
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", f.Name(), err)
	}
	return nil
}

// Commit renames every database's temporary file to its final name, writes
// an empty file for an empty database 0, removes the file of any other
// empty database, and fsyncs the directory.
func (w *jsonlWriter) Commit(ctx context.Context) error {
	if err := w.Done(ctx, 0); err != nil {
		return err
	}
	if _, ok := w.pending[0]; !ok {
		f, err := w.temp()
		if err != nil {
			return err
		}
		w.pending[0] = f.Name()
		if err := errors.Join(f.Sync(), f.Close()); err != nil {
			return err
		}
	}
	for db := range w.dbs {
		final := jsonlFile(w.path, db)
		tmp, ok := w.pending[db]
		var err error
		if ok {
			err = os.Rename(tmp, final)
			delete(w.pending, db)
		} else if err = os.Remove(final); errors.Is(err, os.ErrNotExist) {
			err = nil
		}
		if err != nil {
			return err
		}
	}
	return syncDir(filepath.Dir(w.path))
}

// Count returns the number of lines in database db's committed file.
func (w *jsonlWriter) Count(ctx context.Context, db int) (int64, error) {
	return (&jsonlReader{path: w.path}).Count(ctx, db)
}

// Close removes every temporary file not committed.
func (w *jsonlWriter) Close() error {
	if w.cur != nil {
		w.cur.Close()
		w.cur = nil
	}
	var errs []error
	for db, tmp := range w.pending {
		delete(w.pending, db)
		if err := os.Remove(tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// syncDir fsyncs a directory, making renames and removals in it durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
