package stage

import (
	"fmt"

	"sdapipe/artifacts"
)

// FileLimit bounds a file named in pipeline.hcl: the NPY of 2^28 float64
// values (2 GiB), the most a stage holds in memory at once, plus room for
// its header. A file must also be a regular file (or a link to one); see
// [artifacts.OpenRegular].
var FileLimit = artifacts.Limit{
	Max: 8<<28 + 1<<20,
	Use: "a file() input",
	Why: "it is read into memory whole, and sdapipe holds at most 2^28 values (2 GiB of float64) in memory at once",
}

// HashFile makes the File that pipeline.hcl names as path, resolved as
// resolved: it hashes the file, which must be a regular file within
// [FileLimit], without holding it in memory.
func HashFile(path, resolved string) (File, error) {
	d, _, err := artifacts.DigestRegular(resolved, FileLimit)
	if err != nil {
		return File{}, err
	}
	return File{Path: path, Resolved: resolved, Digest: d}, nil
}

// Read returns the file's bytes, read within [FileLimit]. It fails if the
// file changed since it was hashed for the cache key.
func (f File) Read() ([]byte, error) {
	b, err := artifacts.ReadRegular(f.Resolved, FileLimit)
	if err != nil {
		return nil, err
	}
	if artifacts.DigestOf(b) != f.Digest {
		return nil, fmt.Errorf("%s changed while the pipeline ran; run again", f.Path)
	}
	return b, nil
}
