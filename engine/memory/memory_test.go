package memory_test

import (
	"testing"

	"github.com/imredis/imredis/conformance"
	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/engine/memory"
)

func TestConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T, o engine.Options) engine.Store { return memory.New(o) })
}
