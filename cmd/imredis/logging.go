package main

import (
	"io"
	"os"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// logOutput is where the logs go: stderr, or a file that Reopen opens anew
// (on SIGHUP, after logrotate has moved the old one away).
type logOutput struct {
	mu   sync.Mutex
	path string   // empty: stderr
	f    *os.File // nil for stderr
}

// openLogOutput opens path for appending, or returns stderr when path is empty.
func openLogOutput(path string) (*logOutput, error) {
	o := &logOutput{path: path}
	if path == "" {
		return o, nil
	}
	f, err := openLogFile(path)
	if err != nil {
		return nil, err
	}
	o.f = f
	return o, nil
}

func openLogFile(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
}

// Write writes one log line.
func (o *logOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.f == nil {
		return os.Stderr.Write(p)
	}
	return o.f.Write(p)
}

// Reopen opens the file again and closes the old one; a no-op for stderr.
// On failure the old file stays in use.
func (o *logOutput) Reopen() error {
	if o.path == "" {
		return nil
	}
	f, err := openLogFile(o.path)
	if err != nil {
		return err
	}
	o.mu.Lock()
	old := o.f
	o.f = f
	o.mu.Unlock()
	return old.Close()
}

// Close closes the file, if any.
func (o *logOutput) Close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.f == nil {
		return nil
	}
	err := o.f.Close()
	o.f = nil
	o.path = ""
	return err
}

// newLogger returns the one logger of the process: JSON lines, or
// human-readable lines with --log-format console (uncoloured into a file).
func newLogger(cfg Config, out *logOutput) zerolog.Logger {
	level, _ := zerolog.ParseLevel(cfg.LogLevel)
	var w io.Writer = out
	if cfg.LogFormat == "console" {
		w = zerolog.ConsoleWriter{Out: out, TimeFormat: time.RFC3339, NoColor: cfg.LogFile != ""}
	}
	return zerolog.New(w).Level(level).With().Timestamp().Logger()
}
