package stages

import (
	"fmt"

	"sdapipe/nets"
	"sdapipe/nets/resmlp"
	"sdapipe/nets/unet"
	"sdapipe/stage"
)

// A Catalog is what the kinds choose from by name: the dynamical systems
// a simulate stage can run (its system parameter) and the network
// architectures a train stage can fit (its network parameter). Each
// entry's settings become a block of that stage named after it.
type Catalog struct {
	Systems []*SystemKind
	Archs   *nets.Registry
}

// DefaultCatalog returns sdapipe's systems and architectures. Adding an
// architecture is its package plus one entry here.
func DefaultCatalog() *Catalog {
	return &Catalog{
		Systems: []*SystemKind{Lorenz63, Kolmogorov},
		Archs:   nets.NewRegistry(resmlp.Arch, unet.Arch),
	}
}

// System returns the system kind of that name.
func (c *Catalog) System(name string) (*SystemKind, bool) {
	for _, s := range c.Systems {
		if s.Name == name {
			return s, true
		}
	}
	return nil, false
}

func (c *Catalog) systemNames() []string {
	names := make([]string, len(c.Systems))
	for i, s := range c.Systems {
		names[i] = s.Name
	}
	return names
}

// Kinds returns sdapipe's stage kinds over catalog c, in pipeline order.
// It panics if a catalog system takes the name of recorded trajectories,
// RecordedSystem, a programming error.
func Kinds(c *Catalog) []*stage.Kind {
	if _, ok := c.System(RecordedSystem); ok {
		panic(fmt.Sprintf("stages: a catalog system is named %q, the name of trajectories read from a file", RecordedSystem))
	}
	return []*stage.Kind{newSimulate(c), newDataset(), newTrain(c), newObserve(c), newFilter(c), newSample(c), newAssimilate(c), newModes(c), newEvaluate(c)}
}

// Default returns the registry of every stage kind sdapipe ships, over the
// default catalog.
func Default() *stage.Registry { return stage.NewRegistry(Kinds(DefaultCatalog())...) }
