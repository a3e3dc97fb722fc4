// An independent verifier of Cohort's transparency log (issue 18), built
// against Go's own golang.org/x/mod/sumdb/note and sumdb/tlog (Debian's
// golang-golang-x-mod-dev, GOPATH mode: nothing is downloaded).
//
//	go-verifier BASE_URL VERIFIER_KEY [OLD_CHECKPOINT_FILE]
//
// It opens the signed checkpoint with the note verifier key, reads the
// tiles (C2SP tlog-tiles paths) through tlog's TileHashReader, which checks
// every tile against the signed tree hash, checks each leaf of the entry
// bundles against the level-0 hashes, checks Cohort's own inclusion proof
// of every leaf and, given an older checkpoint, Cohort's consistency proof
// from it. It prints "ok SIZE" or the first problem, exiting 1.
package main

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

var base string

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	os.Exit(1)
}

func get(path string) []byte {
	res, err := http.Get(base + path)
	if err != nil {
		fail("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != 200 {
		fail("GET %s: status %d %s", path, res.StatusCode, body)
	}
	return body
}

// open verifies a checkpoint note and parses its tree (C2SP tlog-checkpoint:
// origin, size, base64 root hash).
func open(msg []byte, verifier note.Verifier) tlog.Tree {
	n, err := note.Open(msg, note.VerifierList(verifier))
	if err != nil {
		fail("checkpoint signature: %v", err)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 || lines[0] != verifier.Name() {
		fail("checkpoint origin %q is not the key's name %q", lines[0], verifier.Name())
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 {
		fail("checkpoint size %q", lines[1])
	}
	h, err := tlog.ParseHash(lines[2])
	if err != nil {
		fail("checkpoint hash %q", lines[2])
	}
	return tlog.Tree{N: size, Hash: h}
}

// tiles reads tiles over HTTP at C2SP paths (tlog's paths without the height).
type tiles struct{}

func (tiles) Height() int { return 8 }

func c2sp(t tlog.Tile) string {
	return "/log/tile/" + strings.TrimPrefix(t.Path(), "tile/8/")
}

func (tiles) ReadTiles(ts []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(ts))
	for i, t := range ts {
		out[i] = get(c2sp(t))
	}
	return out, nil
}

func (tiles) SaveTiles([]tlog.Tile, [][]byte) {}

func hashes(list []string) []tlog.Hash {
	var out []tlog.Hash
	for _, s := range list {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(b) != tlog.HashSize {
			fail("bad hash %q in a proof", s)
		}
		var h tlog.Hash
		copy(h[:], b)
		out = append(out, h)
	}
	return out
}

func entries(tree tlog.Tree) [][]byte {
	var leaves [][]byte
	for start := int64(0); start < tree.N; start += 256 {
		w := tree.N - start
		t := tlog.Tile{H: 8, L: 0, N: start / 256, W: int(w)}
		if w >= 256 {
			t.W = 256
		}
		path := "/log/tile/entries/" + strings.TrimPrefix(t.Path(), "tile/8/0/")
		body := get(path)
		for len(body) > 0 {
			if len(body) < 2 {
				fail("entry bundle %s is cut short", path)
			}
			n := int(binary.BigEndian.Uint16(body))
			if len(body) < 2+n {
				fail("entry bundle %s is cut short", path)
			}
			leaves = append(leaves, body[2:2+n])
			body = body[2+n:]
		}
	}
	if int64(len(leaves)) != tree.N {
		fail("the entry bundles hold %d leaves, the checkpoint %d", len(leaves), tree.N)
	}
	return leaves
}

func main() {
	if len(os.Args) < 3 {
		fail("usage: go-verifier BASE_URL VERIFIER_KEY [OLD_CHECKPOINT_FILE]")
	}
	base = strings.TrimSuffix(os.Args[1], "/")
	verifier, err := note.NewVerifier(os.Args[2])
	if err != nil {
		fail("verifier key: %v", err)
	}
	tree := open(get("/log/checkpoint"), verifier)
	hr := tlog.TileHashReader(tree, tiles{})

	// The root from the tiles is the signed one (TileHashReader checks each
	// tile it reads against it).
	if tree.N > 0 {
		th, err := tlog.TreeHash(tree.N, hr)
		if err != nil || th != tree.Hash {
			fail("tree hash from the tiles: %v %v", th, err)
		}
	}
	for i, leaf := range entries(tree) {
		idx := int64(i)
		rh := tlog.RecordHash(leaf)
		stored, err := hr.ReadHashes([]int64{tlog.StoredHashIndex(0, idx)})
		if err != nil || stored[0] != rh {
			fail("leaf %d of the entry bundle is not the leaf hashed in the tree (%v)", idx, err)
		}
		var p struct {
			Proof []string `json:"proof"`
		}
		if err := json.Unmarshal(get(fmt.Sprintf("/log/proof/inclusion?index=%d&size=%d", idx, tree.N)), &p); err != nil {
			fail("inclusion proof %d: %v", idx, err)
		}
		if err := tlog.CheckRecord(hashes(p.Proof), tree.N, tree.Hash, idx, rh); err != nil {
			fail("Cohort's inclusion proof of leaf %d: %v", idx, err)
		}
		own, err := tlog.ProveRecord(tree.N, idx, hr)
		if err != nil || tlog.CheckRecord(own, tree.N, tree.Hash, idx, rh) != nil {
			fail("inclusion of leaf %d from the tiles: %v", idx, err)
		}
	}
	if len(os.Args) > 3 {
		old, err := os.ReadFile(os.Args[3])
		if err != nil {
			fail("reading %s: %v", os.Args[3], err)
		}
		prev := open(old, verifier)
		if prev.N > tree.N {
			fail("rolled back: the log had %d leaves and now has %d", prev.N, tree.N)
		}
		if prev.N > 0 {
			var p struct {
				Proof []string `json:"proof"`
			}
			if err := json.Unmarshal(get(fmt.Sprintf("/log/proof/consistency?from=%d&to=%d", prev.N, tree.N)), &p); err != nil {
				fail("consistency proof: %v", err)
			}
			if err := tlog.CheckTree(hashes(p.Proof), tree.N, tree.Hash, prev.N, prev.Hash); err != nil {
				fail("Cohort's consistency proof from %d to %d: %v", prev.N, tree.N, err)
			}
			own, err := tlog.ProveTree(tree.N, prev.N, hr)
			if err != nil || tlog.CheckTree(own, tree.N, tree.Hash, prev.N, prev.Hash) != nil {
				fail("consistency from %d to %d from the tiles: %v", prev.N, tree.N, err)
			}
		}
	}
	fmt.Printf("ok %d\n", tree.N)
}
