"""What emu tells a learner: lessons about multi-stage builds, where a file came from, and
file listings in the oracle's format."""
