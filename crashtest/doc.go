// Package crashtest holds the black-box durability tests of the buntdb
// engine: they build the real imredis binary, drive it over RESP from many
// clients, kill it with SIGKILL at random moments and check on restart that
// every acknowledged write survived, that the secondary indexes agree with
// the documents, that a second process is kept out of the data directory,
// that a redis-cli --pipe bulk load survives a crash and that a damaged file
// is refused until --repair fixes it.
//
// go test ./crashtest/ runs 20 crash cycles per fsync policy; CRASH_CYCLES
// sets another number (make crash runs 200) and CRASH_SEED replays a run.
package crashtest
