package artifacts

import (
	"fmt"
)

// ReadNPYInfoFile reads only the header of the NPY file at path and
// returns its dtype and shape, after checking that the file holds the
// data bytes the header declares. It reads a few hundred bytes whatever
// the array's size, for checks of a large file's shape that do not need
// its values. Errors are those of [ReadNPYFile].
func ReadNPYInfoFile(path string) (DType, []int, error) {
	f, _, err := OpenRegular(path, npyFileLimit)
	if err != nil {
		return 0, nil, fmt.Errorf("artifacts: %w", err)
	}
	defer f.Close()
	d := &npyReader{r: f, name: path, avail: knownSize(f)}
	h, err := d.header()
	if err != nil {
		return 0, nil, err
	}
	n, ok := shapeLen(h.shape)
	nb, ok2 := mulInt(n, h.dtype.Size())
	if !ok || !ok2 {
		return 0, nil, d.errorAt(d.off, "shape %v is too large", h.shape)
	}
	if left := d.left(); left >= 0 && int64(nb) > left {
		return 0, nil, d.errorAt(d.off, "shape %v needs %d data bytes, only %d present", h.shape, nb, left)
	}
	return h.dtype, h.shape, nil
}
