package pipeline

import "runtime/debug"

// release is sdapipe's version number.
const release = "0.1.0"

// Version returns sdapipe's version, with the VCS revision it was built
// from when the build recorded one.
func Version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return release
	}
	var rev, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev == "" {
		return release
	}
	return release + " (" + rev + dirty + ")"
}
