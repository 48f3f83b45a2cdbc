// Package artifacts stores and encodes the files that sdapipe stages
// exchange: a content-addressed object store, atomic file writes, and the
// codecs for NPY and NPZ arrays and Arrow IPC tables.
//
// # Store
//
// A [Store] keeps immutable objects named by the SHA-256 of their bytes
// ([Digest]), sharded by the first two hex digits: dir/ab/cdef…. Objects
// are written to a temporary file, fsynced, made read-only and renamed into
// place, so a reader never sees a partial object and a killed writer leaves
// at most a temporary file behind ([Store.RemoveTemp] clears those).
// Readers verify: [Store.Open] reports [ErrCorrupt] at end of file when the
// bytes do not hash to the digest they were asked for, and
// [Store.Quarantine] moves such an object aside so that its maker remakes
// it. [Store.Size] checks an object against a recorded size without
// reading it.
//
// # Files from outside
//
// [OpenRegular], [ReadRegular] and [DigestRegular] read only regular files
// (after following symbolic links) within a [Limit], refusing a FIFO or a
// device with a [*FileError] before reading a byte, so no read can block
// or run on forever. [EnsureDir] and [MoveAside] create and move entries of
// directories a program owns without acting through a symbolic link.
//
// # Codecs
//
// The codecs follow encoding/binary: the caller owns the buffers,
// AppendX functions append to dst and return it, WriteX and ReadX work on
// streams. Arrays are [Array] values: a [DType], a shape and a Go slice in
// C (row-major) order. [WriteNPY] writes NPY format 1.0 byte for byte as
// numpy.save does (little-endian, C order, header padded so that the data
// starts at a multiple of 64 bytes); [ReadNPY] accepts formats 1.0 to 3.0,
// either byte order and C or Fortran order, and returns C order. [WriteNPZ]
// writes the stored (uncompressed) zip that numpy.savez writes, with fixed
// timestamps, so equal arrays give equal bytes. [WriteArrow] writes an
// uncompressed Arrow IPC file (Feather v2) of one record batch; tensor
// columns carry the canonical arrow.fixed_shape_tensor extension metadata.
//
// Every codec reader treats its input as untrusted: malformed input yields
// a [*FormatError] (which unwraps to [ErrFormat]) naming the file and the
// problem, never a panic. Declared sizes are checked against the bytes
// present before allocating, or buffers grow only as data arrive, so a
// lying header cannot make a reader allocate far beyond its input (for
// Arrow files, within a budget of 1 GiB plus 16 times the file size, which
// admits compressed files).
//
// Package artifacts sits below stages and pipeline and above nothing in
// the project: the science packages never import it.
package artifacts
